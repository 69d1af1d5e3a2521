"""The overdue ladder as pure functions (STYLE.md §4): no clock, database or settings.

A loan climbs the ladder by days overdue. Each day the job asks, for every overdue loan,
which is the highest stage it has reached; if no notice of that stage (or a later one) has
been sent about the loan yet, the loan goes into a notice of that stage. Stages skipped
while the job did not run are not sent late: the patron gets the current one only.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    POSTCARD = "postcard"
    LETTER = "letter"
    PHONE = "phone"
    REVIEW = "review"


@dataclass(frozen=True, order=True)
class Stage:
    number: int
    days: int
    channel: Channel


#: The default ladder (docs/notices.md): an email the day after the due date to patrons who
#: chose email, a postcard after two weeks, a phone call after a month, a letter after two
#: months, and staff review after three.
DEFAULT_LADDER: tuple[Stage, ...] = (
    Stage(1, 1, Channel.EMAIL),
    Stage(2, 14, Channel.POSTCARD),
    Stage(3, 30, Channel.PHONE),
    Stage(4, 60, Channel.LETTER),
    Stage(5, 90, Channel.REVIEW),
)


class LadderError(ValueError):
    pass


def check_ladder(ladder: Sequence[Stage]) -> tuple[Stage, ...]:
    """Sorted by stage; the days must rise with the stage number."""
    ordered = tuple(sorted(ladder))
    for before, after in itertools.pairwise(ordered):
        if before.number == after.number:
            raise LadderError(f"stage {after.number} appears twice")
        if after.days <= before.days:
            raise LadderError(
                f"stage {after.number} (day {after.days}) must come later than "
                f"stage {before.number} (day {before.days})"
            )
    return ordered


def days_overdue(due_on: dt.date, today: dt.date) -> int:
    """Calendar days since the due date (0 on the due date itself, negative before)."""
    return (today - due_on).days


def stage_reached(ladder: Sequence[Stage], overdue: int) -> Stage | None:
    reached = [s for s in ladder if s.days <= overdue]
    return max(reached) if reached else None


@dataclass(frozen=True)
class LoanState:
    loan_id: int
    due_on: dt.date
    sent_stages: frozenset[int] = frozenset()


def stage_due(ladder: Sequence[Stage], loan: LoanState, today: dt.date) -> Stage | None:
    """The stage whose notice this loan needs today, or None."""
    stage = stage_reached(ladder, days_overdue(loan.due_on, today))
    if stage is None:
        return None
    if loan.sent_stages and max(loan.sent_stages) >= stage.number:
        return None
    return stage


@dataclass(frozen=True)
class PlannedNotice:
    stage: Stage
    loan_ids: tuple[int, ...]


def plan_patron(
    ladder: Sequence[Stage], loans: Iterable[LoanState], today: dt.date
) -> list[PlannedNotice]:
    """One notice per stage due today, covering the patron's loans that reached it."""
    by_stage: dict[Stage, list[int]] = {}
    for loan in loans:
        stage = stage_due(ladder, loan, today)
        if stage is not None:
            by_stage.setdefault(stage, []).append(loan.loan_id)
    return [PlannedNotice(s, tuple(sorted(ids))) for s, ids in sorted(by_stage.items())]


@dataclass(frozen=True)
class Reach:
    """How a patron can be reached (facts only: whether each kind of contact exists)."""

    chose: str  # the patron's notify_channel: email / phone / postcard / none
    has_email: bool
    has_address: bool
    has_phone: bool


def channel_for(stage: Channel, reach: Reach) -> Channel | None:
    """The channel actually used for a stage; None when the stage does not apply.

    An email stage reaches only patrons who chose email and gave an address. Paper goes to
    the phone list when there is no postal address, and a call with no number goes to staff
    review; nothing is silently dropped after the first stage.
    """
    if stage is Channel.EMAIL:
        return Channel.EMAIL if reach.chose == "email" and reach.has_email else None
    if stage in (Channel.POSTCARD, Channel.LETTER):
        if reach.has_address:
            return stage
        stage = Channel.PHONE
    if stage is Channel.PHONE:
        return Channel.PHONE if reach.has_phone else Channel.REVIEW
    return Channel.REVIEW


def hold_channel(reach: Reach) -> Channel | None:
    """A hold-ready notice goes by the patron's choice, falling back like overdue paper."""
    if reach.chose == "email" and reach.has_email:
        return Channel.EMAIL
    if reach.chose == "postcard" and reach.has_address:
        return Channel.POSTCARD
    if reach.chose == "phone" and reach.has_phone:
        return Channel.PHONE
    if reach.chose == "none":
        return None
    return channel_for(Channel.POSTCARD, reach)
