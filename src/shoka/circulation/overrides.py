"""Staff overrides of refusals: who may, and how they are recorded."""

from __future__ import annotations

import datetime as dt

from django.db import models

from shoka.audit.actors import Actor
from shoka.audit.log import record

from .errors import OVERRIDE_PERMISSION, CirculationRefused
from .policy import Refusal


def allow_override(refusals: list[Refusal], reason: str, actor: Actor) -> list[Refusal]:
    """Refusals pass only with a reason, an actor allowed to override, and nothing that
    cannot be overridden; otherwise the action is refused with every reason."""
    if not refusals:
        return []
    if reason.strip() and actor.can(OVERRIDE_PERMISSION) and all(r.overridable for r in refusals):
        return refusals
    raise CirculationRefused(refusals)


def record_override(
    action: str,
    obj: models.Model,
    overridden: list[Refusal],
    reason: str,
    *,
    actor: Actor,
    at: dt.datetime,
) -> None:
    if overridden:
        record(
            action,
            obj,
            actor=actor,
            at=at,
            data={"codes": [r.code.value for r in overridden], "reason": reason.strip()},
        )
