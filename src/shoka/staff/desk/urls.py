"""The circulation desk, under /desk/ of the staff site (namespace staff:desk)."""

from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", views.checkout_page, name="checkout"),
    path("return/", views.return_page, name="return"),
    path("branch/", views.choose_branch, name="branch"),
    path("patron/", views.lookup, name="lookup"),
    path("patron/next/", views.next_patron, name="next_patron"),
    path("checkout/", views.checkout, name="scan_checkout"),
    path("renew/", views.renew, name="renew"),
    path("renew/all/", views.renew_all, name="renew_all"),
    path("checkin/", views.checkin, name="scan_checkin"),
    path("receipt/", views.receipt, name="receipt"),
    path("receipt/email/", views.email_receipt, name="email_receipt"),
    path("slips/hold/<int:hold_id>/", views.hold_slip, name="hold_slip"),
    path("slips/transit/<int:item_id>/", views.transit_slip, name="transit_slip"),
]
