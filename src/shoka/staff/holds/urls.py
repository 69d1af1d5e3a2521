"""The holds screens, under /holds/ of the staff site (namespace staff:holds)."""

from django.urls import path

from . import views

app_name = "holds"

urlpatterns = [
    path("", views.index, name="index"),
    path("title/<int:bib_id>/", views.queue, name="queue"),
    path("title/<int:bib_id>/place/", views.place, name="place"),
    path("<int:hold_id>/cancel/", views.cancel, name="cancel"),
    path("shelf/", views.shelf, name="shelf"),
    path("shelf/clear/", views.clear_expired, name="clear_expired"),
    path("pick/", views.pick, name="pick"),
    path("pick/all/", views.pick_all, name="pick_all"),
    path("transit/", views.transit, name="transit"),
    path("transit/<int:item_id>/receive/", views.receive, name="receive"),
]
