"""Building pure calendar specs from the database, and the n-th-opening-day helpers that due
dates and hold-shelf expiry use."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from shoka.config_cache import cached

from . import calendar as cal
from .models import Branch, ClosedPeriod, ClosedPeriodKind, Library, SpecialOpening

_KIND = {
    ClosedPeriodKind.CLOSED: cal.ClosureKind.CLOSED,
    ClosedPeriodKind.STOCKTAKING: cal.ClosureKind.STOCKTAKING,
}


def _monthly(rule: dict[str, int]) -> cal.MonthlyRule:
    if "day" in rule:
        return cal.MonthlyRule.day_of_month(int(rule["day"]))
    return cal.MonthlyRule.nth_weekday(int(rule["week"]), int(rule["weekday"]))


def _annual(pair: list[str]) -> cal.AnnualClosure:
    (sm, sd), (em, ed) = (tuple(int(x) for x in part.split("-")) for part in pair)
    return cal.AnnualClosure(start_month=sm, start_day=sd, end_month=em, end_day=ed)


def calendar_spec(branch: Branch, *, since: dt.date | None = None) -> cal.CalendarSpec:
    """The branch's opening rules; closures ending before `since` are left out (they cannot
    affect dates computed from then on)."""
    closures = ClosedPeriod.objects.filter(library_id=branch.library_id).filter(
        Q(branch__isnull=True) | Q(branch=branch)
    )
    openings = SpecialOpening.objects.filter(branch=branch)
    if since is not None:
        closures = closures.filter(end__gte=since)
        openings = openings.filter(date__gte=since)
    return cal.CalendarSpec(
        weekly_closed=frozenset(int(d) for d in branch.weekly_closed_days or []),
        move_closed_day_after_holiday=branch.move_closed_day_after_holiday,
        closed_on_public_holidays=branch.closed_on_public_holidays,
        monthly=tuple(_monthly(r) for r in branch.monthly_closed_rule or []),
        annual=tuple(_annual(p) for p in branch.annual_closures or []),
        # Plain values, not model instances: this runs on every checkout (due date).
        closures=tuple(
            cal.ClosedRange(
                start=start, end=end, kind=_KIND[ClosedPeriodKind(kind)], reason=reason or None
            )
            for start, end, kind, reason in closures.values_list("start", "end", "kind", "reason")
        ),
        special_openings=frozenset(openings.values_list("date", flat=True)),
    )


def branch_calendar(branch: Branch, since: dt.date) -> tuple[cal.CalendarSpec, cal.Holidays]:
    """The branch's calendar from `since` on, with its holidays, from the configuration
    cache (shoka.config_cache): every checkout and check-in asks for it."""

    def build() -> tuple[cal.CalendarSpec, cal.Holidays]:
        country = Library.objects.values_list("country", flat=True).get(pk=branch.library_id)
        return calendar_spec(branch, since=since), cal.public_holidays(country)

    return cached(("calendar", branch.pk, since), build)


def due_date(branch: Branch, start: dt.date, period: int, *, opening_days: bool) -> dt.date:
    spec, hol = branch_calendar(branch, start)
    if opening_days:
        return cal.due_date_in_opening_days(spec, hol, start, period)
    return cal.due_date_in_days(spec, hol, start, period)


def hold_shelf_last_day(branch: Branch, ready_on: dt.date) -> dt.date:
    """Items wait `hold_shelf_days` opening days, counted from the day after they are ready."""
    spec, hol = branch_calendar(branch, ready_on)
    return cal.due_date_in_opening_days(spec, hol, ready_on, branch.hold_shelf_days)
