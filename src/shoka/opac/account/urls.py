"""/account/ on the OPAC (the contract's URL scheme; docs/opac-self-service.md)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.account, name="account"),
    path("sign-in", views.sign_in, name="account-sign-in"),
    path("sign-out", views.sign_out, name="account-sign-out"),
    path("loans/<int:loan_id>/renew", views.renew, name="account-renew"),
    path("holds/new", views.hold_new, name="account-hold-new"),
    path("holds/<int:hold_id>/cancel", views.cancel, name="account-cancel"),
]
