"""The sign-in flow as named actions: begin a pending sign-in after the password, complete it
after the second step, sign out. Each completed step writes an audit event (STYLE.md §2, §8).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record

PENDING_KEY = "shoka.signin.pending"
SIGNED_IN_AT_KEY = "shoka.signin.at"
SEEN_AT_KEY = "shoka.signin.seen"
# The second step must follow the password within this many seconds.
PENDING_SECONDS = 5 * 60


class SecondStep(StrEnum):
    VERIFY = "verify"  # the user has a confirmed device: ask for its code
    ENROL = "enrol"  # two-step verification is required and the user has no device yet


def otp_required() -> bool:
    return bool(getattr(settings, "SHOKA_STAFF_REQUIRE_OTP", False))


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def second_step_for(user: Any) -> SecondStep | None:
    """What the user must do after a correct password; None when the password is enough."""
    if confirmed_device(user) is not None:
        return SecondStep.VERIFY
    if otp_required():
        return SecondStep.ENROL
    return None


@dataclass(frozen=True)
class Pending:
    user: Any
    backend: str
    next_url: str
    step: SecondStep


def begin(request: HttpRequest, user: Any, *, next_url: str, step: SecondStep) -> None:
    """Remember a correct password for the second step, without signing the user in."""
    request.session.cycle_key()  # a new session id for the half-signed-in state
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
        "step": str(step),
        "at": time.time(),
    }


def pending(request: HttpRequest) -> Pending | None:
    """The pending sign-in of this session, if it is recent and its user may still sign in."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        clear_pending(request)
        return None
    pk = data.get("user")
    user = (
        get_user_model()._default_manager.filter(pk=pk, is_active=True).first()
        if isinstance(pk, int | str)
        else None
    )
    if user is None:
        clear_pending(request)
        return None
    return Pending(user, str(data["backend"]), str(data["next"]), SecondStep(data["step"]))


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def complete(
    request: HttpRequest,
    user: Any,
    *,
    backend: str | None = None,
    device: TOTPDevice | None = None,
) -> None:
    """Sign the user in (and mark the session verified by `device`); audited."""
    now = timezone.now()
    with audited_atomic():
        clear_pending(request)
        auth_login(request, user, backend=backend or getattr(user, "backend", None))
        if device is not None:
            otp_login(request, device)
        started = time.time()
        request.session[SIGNED_IN_AT_KEY] = started
        request.session[SEEN_AT_KEY] = started
        record(
            "staff.signed_in",
            user,
            actor=Actor.for_user(user),
            at=now,
            data={"second_factor": device is not None},
        )


def sign_out(request: HttpRequest, *, reason: str = "signed_out") -> None:
    """Sign out (reason "signed_out", or "idle"/"expired" when the session timed out)."""
    user = request.user
    if user.is_authenticated:
        with audited_atomic():
            record(
                "staff.signed_out",
                user,
                actor=Actor.for_user(user),
                at=timezone.now(),
                data={"reason": reason},
            )
    auth_logout(request)


def refuse_code(user: Any, *, step: SecondStep) -> None:
    """Record a wrong second-step code (after a correct password: worth an administrator's
    attention when it repeats)."""
    with audited_atomic():
        record(
            "staff.signin_code_refused",
            user,
            actor=Actor.for_user(user),
            at=timezone.now(),
            data={"step": str(step)},
        )
