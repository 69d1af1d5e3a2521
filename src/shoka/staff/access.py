"""The one access check every staff view uses (STYLE.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

STAFF_ROLES = ("administrator", "librarian", "cataloguer", "auditor")


def has_role(user: Any, *roles: str) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return bool(user.groups.filter(name__in=roles or STAFF_ROLES).exists())


def staff_view(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse anonymous users (redirect to sign-in) and users without one of `roles`
    (403). With no roles given, any staff role will do."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.staff_roles = roles or STAFF_ROLES  # type: ignore[attr-defined]
        return wrapper

    return decorate
