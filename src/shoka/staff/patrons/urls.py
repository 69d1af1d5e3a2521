"""Patron screens, under /patrons/ of the staff site (namespace staff:patrons). Patrons are
addressed by id only; searches and forms are POSTed (docs/staff-patrons.md)."""

from django.urls import path

from . import views

app_name = "patrons"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.register, name="register"),
    path("postal-code/", views.postal_lookup, name="postal"),
    path("<int:patron_id>/", views.detail, name="detail"),
    path("<int:patron_id>/edit/", views.edit, name="edit"),
    path("<int:patron_id>/renew/", views.renew, name="renew"),
    path("<int:patron_id>/block/", views.block, name="block"),
    path("<int:patron_id>/unblock/", views.unblock, name="unblock"),
    path("<int:patron_id>/desk/", views.to_desk, name="to_desk"),
    path("<int:patron_id>/card/", views.card, name="card"),
]
