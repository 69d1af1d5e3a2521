"""The patron API (docs/opac-self-service.md): mounted on the staff site only, at
/patron-api/v1/. Every request must be signed by the OPAC's service key."""

from django.urls import path

from . import views

urlpatterns = [
    path("sessions", views.sessions, name="patron-api-sessions"),
    path("loans", views.loan_list, name="patron-api-loans"),
    path("loans/<int:loan_id>/renew", views.loan_renew, name="patron-api-renew"),
    path("holds", views.hold_list, name="patron-api-holds"),
    path("holds/options", views.hold_options, name="patron-api-hold-options"),
    path("holds/<int:hold_id>/cancel", views.hold_cancel, name="patron-api-cancel"),
]
