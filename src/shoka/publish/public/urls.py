from django.urls import path

from . import views

app_name = "publish"
urlpatterns = [
    path("changesets", views.changesets, name="changesets"),
    path("status", views.status, name="status"),
]
