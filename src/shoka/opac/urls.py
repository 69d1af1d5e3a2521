from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="opac-home"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    # The publishing receiver (docs/publishing.md): signed changesets from the staff side.
    path("publish/", include("shoka.publish.public.urls")),
    path("account/", include("shoka.opac.account.urls")),  # self-service (helper "selfservice")
]
