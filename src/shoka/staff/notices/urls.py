"""Notices for staff, under /notices/ of the staff site (namespace staff:notices)."""

from django.urls import path

from . import texts, views

app_name = "notices"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("print/", views.print_batch, name="print"),
    path("batch/<int:batch_id>/reprint/", views.reprint, name="reprint"),
    path("phone/", views.phone_page, name="phone"),
    path("phone/pdf/", views.phone_pdf, name="phone_pdf"),
    path("phone/<int:notice_id>/done/", views.call_done, name="call_done"),
    path("patron/<int:patron_id>/", views.history, name="history"),
    path("texts/", texts.text_list, name="texts"),
    path("texts/<slug:key>/<slug:language>/", texts.text_page, name="text"),
    path("texts/<slug:key>/<slug:language>/pdf/", texts.text_pdf, name="text_pdf"),
    path("texts/<slug:key>/<slug:language>/save/", texts.text_save, name="text_save"),
    path("texts/<slug:key>/<slug:language>/reset/", texts.text_reset, name="text_reset"),
]
