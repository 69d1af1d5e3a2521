from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="opac-home"),
    # The open interfaces (docs/opac-api.md): API, feeds, sitemaps, robots.txt, bulk data.
    path("", include("shoka.opac.api.urls")),
    # The publishing receiver (docs/publishing.md): signed changesets from the staff side.
    path("publish/", include("shoka.publish.public.urls")),
]
