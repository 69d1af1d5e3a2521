"""Every staff page refuses anonymous users and users without a staff role. The cases are
generated from the URL configuration, so a new page without the shared check fails here."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Signing in and out, and choosing the language, are open to everyone by nature.
PUBLIC = {"staff:login", "staff:logout", "set_language"}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else "", p


def _staff_pages():
    pages = []
    for route, name, _pattern in _walk(get_resolver().url_patterns):
        if name in PUBLIC or route.startswith("admin/"):
            continue
        if "<" in route:  # pages with parameters get an id that need not exist
            route = route.replace("<int:", "<").split("<")[0] + "1/"
        pages.append(pytest.param("/" + route, id=name or route))
    return pages


STAFF_PAGES = _staff_pages()


def test_the_url_configuration_has_staff_pages():
    assert STAFF_PAGES


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_anonymous_user_is_sent_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_user_without_a_staff_role_is_refused(client, django_user_model, path):
    user = django_user_model.objects.create_user("norole", password="x")
    client.force_login(user)
    assert client.get(path).status_code == 403


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
