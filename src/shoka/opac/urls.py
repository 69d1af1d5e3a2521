from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="opac-home"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
]
