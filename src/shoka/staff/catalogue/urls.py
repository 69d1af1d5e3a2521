"""The catalogue screens, under /catalogue/ of the staff site (namespace staff:catalogue)."""

from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("", views.search, name="search"),
    path("bib/new/", views.bib_new, name="bib_new"),
    path("bib/<int:bib_id>/", views.bib_detail, name="bib"),
    path("bib/<int:bib_id>/edit/", views.bib_edit, name="bib_edit"),
    path("bib/<int:bib_id>/items/add/", views.item_add, name="item_add"),
    path("item/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("item/<int:item_id>/withdraw/", views.item_withdraw, name="item_withdraw"),
    path("item/<int:item_id>/transfer/", views.item_transfer, name="item_transfer"),
    path("item/<int:item_id>/receive/", views.item_receive, name="item_receive"),
    path("labels/", views.labels, name="labels"),
]
