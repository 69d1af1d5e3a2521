"""TOTP devices (authenticator apps): enrolment, confirmation and removal, audited."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import segno
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record

DEVICE_NAME = "authenticator"


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret as a QR code, as an otpauth URI and typed."""

    device: TOTPDevice
    uri: str
    secret: str  # base32 in groups of four, for typing into an app by hand
    qr_svg: str


def enrolment_for(user: Any) -> Enrolment:
    """The user's unconfirmed device (made when there is none), ready to show."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    uri = device.config_url
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=False)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return Enrolment(device, uri, grouped, svg)


def confirm(device: TOTPDevice, token: str, *, actor: Actor) -> bool:
    """Confirm an enrolment with a code from the app. The confirmed device replaces any other
    device of the user (one authenticator per person)."""
    if device.confirmed or not device.verify_token(token):
        return False
    with audited_atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        record(
            "staff.otp_enrolled",
            device.user,
            actor=actor,
            at=timezone.now(),
            data={"device": device.pk},
        )
    return True


def remove(device: TOTPDevice, *, actor: Actor) -> None:
    with audited_atomic():
        user = device.user
        pk = device.pk
        device.delete()
        record("staff.otp_removed", user, actor=actor, at=timezone.now(), data={"device": pk})
