"""Every staff page refuses anonymous users and users without its role. The cases are
generated from the URL configuration (shoka.staff.access.staff_pages), so a new page without
the shared check fails here — and the last tests show that it does, with a deliberately
unprotected view and a real view with its check removed."""

from __future__ import annotations

import sys
import types

import pytest
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.urls import include, path

from shoka.staff import views
from shoka.staff.access import STAFF_ROLES, Page, staff_pages, staff_view
from shoka.staff.roles import ensure_roles

PAGES = staff_pages()
STAFF_PAGES = [p for p in PAGES if not p.public]
NO_ROLE = "(no role)"


@pytest.fixture
def users(db, django_user_model) -> dict[str, object]:
    """A user without a staff role, and one user per role."""
    if not Group.objects.filter(name__in=STAFF_ROLES).exists():
        ensure_roles()
    made = {NO_ROLE: django_user_model.objects.create_user("norole", password="x")}
    for role in STAFF_ROLES:
        user = django_user_model.objects.create_user(f"role-{role}", password="x")
        user.groups.add(Group.objects.get(name=role))
        made[role] = user
    return made


def _request(client, path: str):
    response = client.get(path)
    if response.status_code == 405:  # a page that only takes POST (an action)
        response = client.post(path)
    return response


def access_problems(client, page: Page, users: dict[str, object]) -> list[str]:
    """What is wrong with the access check of `page` (empty when nothing is): it must carry
    the shared check, send anonymous users to sign in, and refuse with 403 every user
    without one of its roles (administrators have every role)."""
    if page.public:
        return []
    problems = []
    if page.roles is None:
        problems.append("no staff_view() check")
    admitted = {*(page.roles or ()), "administrator"}
    client.logout()
    response = _request(client, page.path)
    if not (response.status_code == 302 and response["Location"].startswith("/login/")):
        problems.append(f"anonymous user got {response.status_code}, not the sign-in page")
    for role, user in users.items():
        if role in admitted:
            continue
        client.force_login(user)
        status = _request(client, page.path).status_code
        if status != 403:
            problems.append(f"user with {role} got {status}, not 403")
        client.logout()
    return problems


def test_the_url_configuration_has_staff_pages():
    assert STAFF_PAGES
    assert {p.name for p in PAGES if p.public} >= {"staff:login", "staff:logout", "set_language"}


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_page_has_the_shared_check_or_is_public_on_purpose(page):
    assert page.public or page.roles is not None, f"{page.path}: no staff_view() check"


@pytest.mark.parametrize("page", STAFF_PAGES, ids=[p.name for p in STAFF_PAGES])
def test_staff_page_refuses_anonymous_users_and_users_without_its_role(client, users, page):
    assert access_problems(client, page, users) == []


# --- the generated check catches a page without the check --------------------------------


def _unprotected(request):
    return HttpResponse("patron list for anyone")


@staff_view("cataloguer")
def _cataloguers_only(request):
    return HttpResponse("catalogue work")


@pytest.fixture
def urls_with_holes(settings, monkeypatch):
    """The staff site's URLs plus a page that forgot the check, a page that has it, and the
    home page with its check removed (the view under staff_view(), as @wraps keeps it)."""
    module = types.ModuleType("shoka_test_urls_with_holes")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("unprotected/", _unprotected, name="unprotected"),
        path("catalogue-work/", _cataloguers_only, name="catalogue_work"),
        path("home-without-check/", views.home.__wrapped__, name="home_without_check"),
        path("", include("shoka.staff.root_urls")),
    ]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    settings.ROOT_URLCONF = module.__name__
    return module


def test_the_generated_check_reports_pages_without_the_shared_check(client, users, urls_with_holes):
    pages = staff_pages()
    assert {"unprotected", "catalogue_work", "home_without_check", "staff:home"} <= {
        p.name for p in pages
    }
    reported = {p.name: access_problems(client, p, users) for p in pages}
    failing = {name for name, problems in reported.items() if problems}
    assert failing == {"unprotected", "home_without_check"}
    assert reported["unprotected"][:2] == [
        "no staff_view() check",
        "anonymous user got 200, not the sign-in page",
    ]
    assert "user with (no role) got 200, not 403" in reported["home_without_check"]
    unmarked = {p.name for p in pages if not (p.public or p.roles)}
    assert unmarked == {"unprotected", "home_without_check"}


def test_the_generated_check_holds_pages_to_their_roles(client, users, urls_with_holes):
    [page] = [p for p in staff_pages() if p.name == "catalogue_work"]
    assert page.roles == ("cataloguer",)
    assert access_problems(client, page, users) == []
    client.force_login(users["librarian"])
    assert client.get(page.path).status_code == 403
    client.force_login(users["administrator"])
    assert client.get(page.path).status_code == 200


def test_parameters_in_routes_are_filled_with_samples():
    from shoka.staff.access import _sample_path

    assert _sample_path("patrons/<int:pk>/edit/") == "/patrons/1/edit/"
    assert _sample_path("items/<barcode>/") == "/items/x/"
    assert _sample_path("x/<uuid:u>/") == "/x/00000000-0000-0000-0000-000000000000/"


def test_admin_is_refused_to_non_staff_users(client, django_user_model):
    user = django_user_model.objects.create_user("norole", password="x")
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_librarian_sees_the_home_page(client, world):
    client.force_login(world.staff_user)
    response = client.get("/")
    assert response.status_code == 200
    assert "本館" in response.content.decode()


def test_configuration_changes_in_admin_are_audited(client, world):
    from shoka.audit.models import AuditEvent

    admin = type(world.staff_user).objects.create_superuser("root1", password="x")
    client.force_login(admin)
    url = f"/admin/organisation/branch/{world.east.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(
        {
            "name": "東分館（改称）",
            "weekly_closed_days": "[0]",
            "monthly_closed_rule": "[]",
            "annual_closures": "[]",
            "locations-TOTAL_FORMS": "0",
            "locations-INITIAL_FORMS": "0",
            "locations-MIN_NUM_FORMS": "0",
            "locations-MAX_NUM_FORMS": "1000",
        }
    )
    data["library"] = world.library.pk
    response = client.post(url, data)
    assert response.status_code == 302, (
        getattr(response, "context", {}) and response.context["adminform"].form.errors
    )
    event = AuditEvent.objects.filter(action="config.branch_changed").get()
    assert event.object_id == str(world.east.pk) and "name" in event.data["fields"]
