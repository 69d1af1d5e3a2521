"""The one access check every staff view uses (STYLE.md §3), and the list of staff pages
generated from the URL configuration that proves it is used (tests/staff/test_access.py).

Every view of the staff site is either a staff page, wrapped in :func:`staff_view`, or
deliberately open to everyone (signing in and out, choosing the language), wrapped in
:func:`public_view`. A view with neither mark is a page someone forgot to protect:
:func:`staff_pages` lists it, and the generated tests fail on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver

STAFF_ROLES = ("administrator", "librarian", "cataloguer", "auditor")
# Administrators may do everything (roles.py): every staff page admits them.
ADMINISTRATOR = "administrator"

View = Callable[..., HttpResponse]
AnyView = TypeVar("AnyView", bound=Callable[..., Any])


def has_role(user: Any, *roles: str) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    allowed = {*(roles or STAFF_ROLES), ADMINISTRATOR}
    return bool(user.groups.filter(name__in=allowed).exists())


def _second_factor_missing(request: HttpRequest) -> bool:
    """Two-step verification is required for everyone and this session never gave a code
    (a session from before the setting was turned on)."""
    from shoka.staff.signin.flow import otp_required

    if not otp_required():
        return False
    is_verified = getattr(request.user, "is_verified", None)
    return not (is_verified is not None and is_verified())


def staff_view(*roles: str) -> Callable[[View], View]:
    """Refuse anonymous users (redirect to sign-in) and users without one of `roles`
    (403). With no roles given, any staff role will do; administrators are always admitted."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if _second_factor_missing(request):
                from shoka.staff.signin.flow import sign_out

                sign_out(request, reason="second_factor_required")
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.staff_roles = roles or STAFF_ROLES  # type: ignore[attr-defined]
        return wrapper

    return decorate


def public_view(view: AnyView) -> AnyView:
    """Mark a view as open to everyone on purpose (sign-in, sign-out, language)."""
    view.staff_public = True  # type: ignore[attr-defined]
    return view


# --- the staff pages, from the URL configuration ----------------------------------------

# URL namespaces with an access check of their own (Django admin: is_staff and permissions,
# tested in tests/staff/test_access.py).
OWN_CHECK_NAMESPACES = ("admin",)

_CONVERTER_SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Page:
    """A route of the staff site: a path to request (parameters filled with samples that need
    not exist), its name, its view, and the roles it admits (None: no staff check)."""

    path: str
    name: str
    view: Callable[..., Any]

    @property
    def roles(self) -> tuple[str, ...] | None:
        return getattr(self.view, "staff_roles", None)

    @property
    def public(self) -> bool:
        return bool(getattr(self.view, "staff_public", False))


def _sample_path(route: str) -> str:
    def fill(match: re.Match[str]) -> str:
        return _CONVERTER_SAMPLES.get(match.group("converter") or "str", "1")

    return "/" + _PARAMETER.sub(fill, route.lstrip("^").rstrip("$").replace("\\", ""))


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace in OWN_CHECK_NAMESPACES:
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}{p.name}" if p.name else ""
            yield prefix + str(p.pattern), name, p.callback


def staff_pages(urlconf: str | None = None) -> list[Page]:
    """Every route of `urlconf` (default: the site's ROOT_URLCONF) but the admin's."""
    pages = [
        Page(_sample_path(route), name or route, callback)
        for route, name, callback in _walk(get_resolver(urlconf).url_patterns)
    ]
    return sorted(pages, key=lambda page: page.path)
