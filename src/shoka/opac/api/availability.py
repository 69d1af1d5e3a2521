"""Availability in the vocabulary aggregators use (カーリル Calil and the like).

One pure policy function maps what the OPAC knows about a title's copies at one branch —
each copy's status and whether it may be lent, the title's hold queue, whether the branch
is open today — to one of eight words. No request, no clock, no database: the view gathers
the facts and calls :func:`branch_status`; the table-driven tests call it directly.

The rules, first match wins (docs/opac-api.md has the same table):

1. No copy at the branch, or only withdrawn or missing ones → ``蔵書なし`` (not held).
2. The branch is closed today (its published calendar says so) → ``休館中``.
3. A copy on the shelf that may be lent → ``貸出可``.
4. A copy on the shelf for use in the library only (not loanable) → ``館内のみ``.
5. A copy waiting on the hold shelf, or copies all out while the title has a hold queue
   → ``予約中`` (a new hold joins the queue).
6. A copy on loan → ``貸出中``.
7. A copy in transit between branches or in repair → ``準備中``.
8. Anything else (a status this version does not know) → ``蔵書あり`` (held, state unknown).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Availability(StrEnum):
    """The eight words, as aggregators expect them (Japanese, not translated)."""

    LOANABLE = "貸出可"
    HELD = "蔵書あり"
    IN_LIBRARY_ONLY = "館内のみ"
    ON_LOAN = "貸出中"
    RESERVED = "予約中"
    PREPARING = "準備中"
    CLOSED = "休館中"
    NOT_HELD = "蔵書なし"


#: What each word means, in English, for the OpenAPI document and docs/opac-api.md.
#: What each word means here: the API documentation and the developers' page both show these.
MEANINGS: dict[Availability, Promise] = {
    Availability.LOANABLE: _("a copy is on the shelf and may be borrowed"),
    Availability.HELD: _("the branch holds the title; its state is not known"),
    Availability.IN_LIBRARY_ONLY: _("a copy is on the shelf for use in the library only"),
    Availability.ON_LOAN: _("every copy is on loan"),
    Availability.RESERVED: _("copies are on the hold shelf or wanted by a hold queue"),
    Availability.PREPARING: _("a copy is in transit or in repair"),
    Availability.CLOSED: _("the branch is closed today"),
    Availability.NOT_HELD: _("the branch does not hold the title"),
}

# ItemStatus values (shoka.catalogue.models.ItemStatus), spelled out: the OPAC process does
# not install the catalogue app, and these strings are what the changesets carry.
AVAILABLE = "available"
ON_LOAN = "on_loan"
IN_TRANSIT = "in_transit"
ON_HOLD_SHELF = "on_hold_shelf"
MISSING = "missing"
WITHDRAWN = "withdrawn"
IN_REPAIR = "in_repair"
NOT_HOLDINGS = frozenset({MISSING, WITHDRAWN})


@dataclass(frozen=True)
class Copy:
    """One copy as the policy sees it."""

    status: str
    loanable: bool = True


def branch_status(
    copies: Iterable[Copy], *, hold_queue: int = 0, open_today: bool | None = None
) -> Availability:
    """The word for one title at one branch.

    ``copies`` are the title's copies at the branch; ``hold_queue`` is the title's queue
    (予約件数, over every branch); ``open_today`` is whether the branch's published calendar
    says it is open today, or None when no calendar is published for it (then it is not
    called closed).
    """
    held = [c for c in copies if c.status not in NOT_HOLDINGS]
    if not held:
        return Availability.NOT_HELD
    if open_today is False:
        return Availability.CLOSED
    statuses = {c.status for c in held}
    if any(c.status == AVAILABLE and c.loanable for c in held):
        return Availability.LOANABLE
    if AVAILABLE in statuses:
        return Availability.IN_LIBRARY_ONLY
    if ON_HOLD_SHELF in statuses or (hold_queue > 0 and ON_LOAN in statuses):
        return Availability.RESERVED
    if ON_LOAN in statuses:
        return Availability.ON_LOAN
    if statuses & {IN_TRANSIT, IN_REPAIR}:
        return Availability.PREPARING
    return Availability.HELD
