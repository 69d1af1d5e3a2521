"""Lockout after repeated failed sign-ins (django-axes): the page that says so, and the audit
event when it happens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record

from .forms import ERROR_ID, SignInForm, point_at_error

# Who locks an account out: the sign-in guard, not a person.
GUARD = Actor.system("signin")


def cooloff_minutes() -> int:
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cooloff, dt.timedelta):
        return max(1, round(cooloff.total_seconds() / 60))
    if isinstance(cooloff, int | float):  # hours, as django-axes reads a number
        return max(1, round(cooloff * 60))
    return 0  # locked until an administrator unlocks


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, saying that this user name is locked
    at this computer, for how long, and what to do. HTTP 429."""
    credentials = kwargs.get("credentials") or next(
        (a for a in reversed(args) if isinstance(a, dict)), {}
    )
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = SignInForm(request, initial={"username": username})
    point_at_error(form, focus="username")
    context = {
        "form": form,
        "locked": True,
        "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": cooloff_minutes(),
        "error_id": ERROR_ID,
        "next": request.POST.get("next", ""),
    }
    return render(request, "staff/signin/login.html", context, status=429)


def audit_lockout(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **_: Any
) -> None:
    """Receiver of axes.signals.user_locked_out: one event when the lockout begins (django-axes
    sends the signal again for every attempt refused during it; those leave no event). The
    user name is recorded only as the user it names: a string typed into the user-name field
    may be anything (even a password)."""
    if request is not None and getattr(request, "axes_failures_since_start", None) is None:
        return  # an attempt refused during the lockout, not the failure that began it
    model = get_user_model()
    user = model._default_manager.filter(**{model.USERNAME_FIELD: username or ""}).first()
    with audited_atomic():
        record(
            "staff.signin_locked_out",
            user,
            actor=GUARD,
            at=timezone.now(),
            data={
                "ip_address": ip_address or "",
                "known_user": user is not None,
                "minutes": cooloff_minutes(),
            },
        )
