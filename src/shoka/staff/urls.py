from django.urls import include, path

from . import views
from .signin import views as signin

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    # Sign-in and out (shoka.staff.signin; docs/staff.md, "Sign-in and roles")
    path("login/", signin.sign_in, name="login"),
    path("login/code/", signin.sign_in_code, name="signin_code"),
    path("login/enrol/", signin.sign_in_enrol, name="signin_enrol"),
    path("logout/", signin.sign_out, name="logout"),
    path("account/two-step/", signin.two_step, name="two_step"),
    path("desk/", include("shoka.staff.desk.urls")),
    path("catalogue/", include("shoka.staff.catalogue.urls")),
    path("holds/", include("shoka.staff.holds.urls")),
    path("patrons/", include("shoka.staff.patrons.urls")),
    path("notices/", include("shoka.staff.notices.urls")),
]
