"""URLs of the public pages (the contract's URL scheme; docs/opac.md)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="opac-home"),
    path("search", views.search, name="opac-search"),
    path("records/<int:record_id>", views.record, name="opac-record"),
    path("new/", views.new_arrivals, name="opac-new"),
    path("popular/", views.popular, name="opac-popular"),
    path("branches/", views.branches, name="opac-branches"),
    path("branches/<str:code>/", views.branch, name="opac-branch"),
    path("developers/", views.developers, name="opac-developers"),
]
