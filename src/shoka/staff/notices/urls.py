"""Notices for staff, under /notices/ of the staff site (namespace staff:notices)."""

from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("print/", views.print_batch, name="print"),
    path("phone/", views.phone_page, name="phone"),
    path("phone/pdf/", views.phone_pdf, name="phone_pdf"),
    path("phone/<int:notice_id>/done/", views.call_done, name="call_done"),
    path("patron/<int:patron_id>/", views.history, name="history"),
]
