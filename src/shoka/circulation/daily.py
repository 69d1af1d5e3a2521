"""The daily job: hold-shelf expiry and suspension upkeep. A plain function, called by
`shoka daily`, by a scheduler, and directly by tests (STYLE.md §7). Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.organisation.models import Library
from shoka.patrons.models import Patron

from .facts import local_date
from .holds import expire_holds


@dataclass(frozen=True)
class DailyReport:
    holds_expired: int
    suspensions_lifted: int


def run_daily(library: Library, *, at: dt.datetime, actor: Actor | None = None) -> DailyReport:
    actor = actor or Actor.system("daily")
    expired = expire_holds(library_id=library.pk, actor=actor, at=at)
    today = local_date(at)
    lifted = 0
    with audited_atomic():
        ended = list(
            Patron.objects.select_for_update()
            .filter(library=library, suspended_until__lt=today)
            .values_list("pk", flat=True)
        )
        if ended:
            Patron.objects.filter(pk__in=ended).update(suspended_until=None)
            for pk in ended:
                record("patron.suspension_ended", ("patrons.patron", pk), actor=actor, at=at)
            lifted = len(ended)
    return DailyReport(holds_expired=len(expired), suspensions_lifted=lifted)
