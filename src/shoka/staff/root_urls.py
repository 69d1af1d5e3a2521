"""URL configuration of the staff site."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from .access import public_view

urlpatterns = [
    path("", include("shoka.staff.urls")),
    # The configuration screens sign in through the staff sign-in (lockout, second step),
    # never through the admin's own password-only form.
    path(
        "admin/login/",
        public_view(RedirectView.as_view(pattern_name="staff:login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    # The patron API for the OPAC's self-service pages: signed requests only
    # (shoka.staff.patronapi; docs/opac-self-service.md).
    path("patron-api/v1/", include("shoka.staff.patronapi.urls")),
    path("i18n/setlang/", public_view(set_language), name="set_language"),
]
