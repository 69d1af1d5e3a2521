"""A branch's opening calendar (開館カレンダー).

This module is pure: no Django, no settings, no clock.  Every function takes the calendar
specification and the source of public holidays explicitly, so that the same code serves the
OPAC calendar page, the circulation desk (due dates are computed on every checkout) and tests.

Rules, in order of precedence, for a given day ``d``:

1. An explicit :class:`ClosedRange` covering ``d`` (臨時休館, 特別整理期間/蔵書点検, ...) closes
   the branch.  Nothing overrides it.
2. A day in ``special_openings`` is open (an event on a Monday, an extra day before a
   stocktaking closure, ...).  It overrides every rule below.
3. An :class:`AnnualClosure` (年末年始) covering ``d``.
4. A :class:`MonthlyRule` (整理日) falling on ``d``, or moved to ``d`` (see below).
5. A public holiday, when ``closed_on_public_holidays`` is set.
6. A weekly closed day (定休日), or one moved to ``d`` (see below).

Moved closed days (振替休館), used when the branch opens on public holidays
(``closed_on_public_holidays`` is false):

* ``move_closed_day_after_holiday`` — the common Japanese rule 「月曜日（祝日にあたるときは開館
  し、その翌日以降の最初の祝日でない日を休館）」.  When a weekly closed day ``w`` is a public
  holiday the branch opens on ``w`` and closes instead on the first day after ``w`` that is
  neither a public holiday nor itself a weekly closed day.  Consecutive holidays push it
  further: in 2026 Golden Week (Mon 5/4 みどりの日, Tue 5/5 こどもの日, Wed 5/6 振替休日) a
  Monday closure moves to Thursday 5/7; in Silver Week (Mon 9/21 敬老の日, Tue 9/22 国民の休日,
  Wed 9/23 秋分の日) it moves to Thursday 9/24.  A branch that opens on public holidays opens on
  every one of them, so the compensating closure never lands on a holiday (that would close a
  holiday and defeat the point of the rule).  The move does not happen when ``w`` is closed
  anyway by an explicit closure or an annual closure (no holiday was opened, so there is
  nothing to compensate).  Two closed weekdays that are both holidays and move to the same day
  are merged into one closed day.  Other closures on the target day do not push it further.
* ``MonthlyRule.shift_if_holiday`` — the same move for a 整理日 that falls on a public holiday.

Day numbers follow :meth:`datetime.date.weekday`: 0 = Monday ... 6 = Sunday.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Protocol

__all__ = [
    "AnnualClosure",
    "CalendarError",
    "CalendarSpec",
    "ClosedRange",
    "Closure",
    "ClosureKind",
    "Holidays",
    "MonthlyRule",
    "due_date_in_days",
    "due_date_in_opening_days",
    "is_open",
    "iter_days",
    "next_opening_day",
    "nth_opening_day",
    "opening_days_between",
    "public_holidays",
]

MAX_CLOSED_RUN_DAYS = 3 * 366
"""Longest run of consecutive closed days searched before giving up with :class:`CalendarError`.

A calendar that is closed for three years is a configuration error, not something to loop on.
"""

_ONE_DAY = timedelta(days=1)


class CalendarError(ValueError):
    """An invalid calendar or request (bad rule, n < 1, no opening day within the horizon)."""


class ClosureKind(enum.StrEnum):
    """Why a branch is closed on a day."""

    WEEKLY = "weekly"
    """定休日, the weekly closed day (possibly moved after a public holiday)."""
    HOLIDAY = "holiday"
    """祝日休館, a public holiday on which the branch closes."""
    MONTHLY = "monthly"
    """整理日, the monthly housekeeping day."""
    ANNUAL = "annual"
    """年末年始 and other yearly closures."""
    CLOSED = "closed"
    """臨時休館, an ad-hoc closure (works, elections, weather...)."""
    STOCKTAKING = "stocktaking"
    """特別整理期間/蔵書点検, the annual stocktaking closure."""


class Holidays(Protocol):
    """A source of public holidays."""

    def name(self, d: date) -> str | None:
        """The holiday's name when ``d`` is a public holiday, else None."""
        ...


@dataclass(frozen=True, slots=True)
class Closure:
    """Why a branch is closed on a day.

    ``moved_from`` is set for a moved closed day (振替休館): the public holiday on which the
    weekly closed day or 整理日 originally fell.
    """

    kind: ClosureKind
    reason: str | None = None
    moved_from: date | None = None


@dataclass(frozen=True, slots=True)
class MonthlyRule:
    """The monthly 整理日.

    Either the ``week``-th ``weekday`` of the month (``week`` 1..5, or -1 for the last one; a
    5th weekday that a month lacks is skipped) or a fixed ``day`` of the month (skipped in
    months too short, e.g. the 31st in June).  Build it with :meth:`nth_weekday` or
    :meth:`day_of_month`.
    """

    week: int | None = None
    weekday: int | None = None
    day: int | None = None
    shift_if_holiday: bool = False

    def __post_init__(self) -> None:
        if self.day is not None:
            if self.week is not None or self.weekday is not None:
                raise CalendarError("a monthly rule is either a day of month or an nth weekday")
            if not 1 <= self.day <= 31:
                raise CalendarError(f"day of month must be 1..31, not {self.day}")
            return
        if self.week is None or self.weekday is None:
            raise CalendarError("a monthly rule needs a day of month or a week and a weekday")
        if self.week not in (1, 2, 3, 4, 5, -1):
            raise CalendarError(f"week must be 1..5 or -1 (last), not {self.week}")
        if not 0 <= self.weekday <= 6:
            raise CalendarError(f"weekday must be 0 (Monday)..6 (Sunday), not {self.weekday}")

    @classmethod
    def nth_weekday(cls, week: int, weekday: int, *, shift_if_holiday: bool = False) -> MonthlyRule:
        """The ``week``-th (1..5, -1 = last) ``weekday`` (0 = Monday) of every month."""
        return cls(week=week, weekday=weekday, shift_if_holiday=shift_if_holiday)

    @classmethod
    def day_of_month(cls, day: int, *, shift_if_holiday: bool = False) -> MonthlyRule:
        """The ``day``-th (1..31) of every month that has one."""
        return cls(day=day, shift_if_holiday=shift_if_holiday)

    def matches(self, d: date) -> bool:
        """Whether the rule's day (before any holiday shift) is ``d``."""
        if self.day is not None:
            return d.day == self.day
        if d.weekday() != self.weekday:
            return False
        if self.week == -1:
            return (d + timedelta(days=7)).month != d.month
        return (d.day - 1) // 7 + 1 == self.week


@dataclass(frozen=True, slots=True)
class AnnualClosure:
    """A closed range repeated every year, by month and day, both ends inclusive.

    The range may cross the year boundary: ``AnnualClosure(12, 29, 1, 3)`` is 年末年始.
    """

    start_month: int
    start_day: int
    end_month: int
    end_day: int
    reason: str | None = None

    def __post_init__(self) -> None:
        for month, day in ((self.start_month, self.start_day), (self.end_month, self.end_day)):
            try:
                date(2000, month, day)  # a leap year, so 02-29 is accepted
            except ValueError as exc:
                raise CalendarError(f"invalid month/day {month}-{day}") from exc

    def covers(self, d: date) -> bool:
        """Whether ``d`` lies in the closure."""
        md = (d.month, d.day)
        start = (self.start_month, self.start_day)
        end = (self.end_month, self.end_day)
        if start <= end:
            return start <= md <= end
        return md >= start or md <= end


@dataclass(frozen=True, slots=True)
class ClosedRange:
    """Specific closed dates, ``start`` to ``end`` inclusive (臨時休館, 蔵書点検...)."""

    start: date
    end: date
    kind: ClosureKind = ClosureKind.CLOSED
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise CalendarError(f"closed range ends ({self.end}) before it starts ({self.start})")

    def covers(self, d: date) -> bool:
        """Whether ``d`` lies in the range."""
        return self.start <= d <= self.end


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """Everything that decides whether a branch is open on a day (see the module docstring)."""

    weekly_closed: frozenset[int] = field(default_factory=frozenset)
    move_closed_day_after_holiday: bool = False
    closed_on_public_holidays: bool = False
    monthly: tuple[MonthlyRule, ...] = ()
    annual: tuple[AnnualClosure, ...] = ()
    closures: tuple[ClosedRange, ...] = ()
    special_openings: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        bad = sorted(wd for wd in self.weekly_closed if not 0 <= wd <= 6)
        if bad:
            raise CalendarError(f"weekly closed days must be 0 (Monday)..6 (Sunday), not {bad}")


# --------------------------------------------------------------------------------------------
# Public holidays


class _PublicHolidays:
    """Wraps the ``holidays`` library; each year is expanded once, on first use."""

    __slots__ = ("_country", "_language", "_lock", "_subdiv", "_years")

    def __init__(self, country: str, subdiv: str | None, language: str | None) -> None:
        self._country = country
        self._subdiv = subdiv
        self._language = language
        self._lock = threading.Lock()
        self._years: dict[int, dict[date, str]] = {}

    def __repr__(self) -> str:
        return f"public_holidays(country={self._country!r}, subdiv={self._subdiv!r})"

    def name(self, d: date) -> str | None:
        table = self._years.get(d.year)
        if table is None:
            table = self._expand(d.year)
        return table.get(d)

    def _expand(self, year: int) -> dict[date, str]:
        import holidays as holidays_lib  # deferred: the library is large and only needed here

        with self._lock:
            table = self._years.get(year)
            if table is None:
                source = holidays_lib.country_holidays(
                    self._country, subdiv=self._subdiv, years=year, language=self._language
                )
                table = {day: str(label) for day, label in source.items()}
                self._years[year] = table
            return table


def public_holidays(
    country: str = "JP", subdiv: str | None = None, *, language: str | None = None
) -> Holidays:
    """Public holidays of ``country`` (ISO 3166-1 alpha-2) from the ``holidays`` library.

    Names are in ``language`` when given, else in the country's own language (Japanese for
    JP: 敬老の日, 振替休日, 国民の休日...).  Years are expanded lazily, once, and the same
    object is returned for the same country, subdivision and language, so calling this on
    every checkout is cheap.
    """
    if language is None:
        language = _default_language(country, subdiv)
    return _cached_public_holidays(country, subdiv, language)


@lru_cache(maxsize=32)
def _default_language(country: str, subdiv: str | None) -> str | None:
    import holidays as holidays_lib

    source = holidays_lib.country_holidays(country, subdiv=subdiv, years=())
    language: str | None = source.default_language
    return language


@lru_cache(maxsize=32)
def _cached_public_holidays(country: str, subdiv: str | None, language: str | None) -> Holidays:
    return _PublicHolidays(country, subdiv, language)


# --------------------------------------------------------------------------------------------
# Closures


def _explicit_closure(spec: CalendarSpec, d: date) -> ClosedRange | None:
    for closed in spec.closures:
        if closed.start <= d <= closed.end:
            return closed
    return None


def _annual_closure(spec: CalendarSpec, d: date) -> AnnualClosure | None:
    for annual in spec.annual:
        if annual.covers(d):
            return annual
    return None


def _moved_closure(spec: CalendarSpec, holidays: Holidays, d: date) -> Closure | None:
    """The weekly closed day or 整理日 moved onto ``d`` from an earlier public holiday.

    ``d`` is known to be neither a public holiday nor a weekly closed day.  It receives the
    closure of every holiday ``w`` before it such that every day strictly between ``w`` and
    ``d`` is a public holiday or a weekly closed day.
    """
    weekly = spec.weekly_closed
    moved_monthly: Closure | None = None
    moved_weekly: Closure | None = None
    w = d
    for _ in range(MAX_CLOSED_RUN_DAYS):  # in practice a run is a few days long
        if w == date.min:
            break
        w -= _ONE_DAY
        holiday = holidays.name(w)
        if holiday is None:
            if w.weekday() in weekly:
                continue  # a closed weekday in the run: keep tracing back
            break
        if _explicit_closure(spec, w) is not None or _annual_closure(spec, w) is not None:
            continue  # closed anyway on w: nothing opened, nothing to compensate
        if moved_monthly is None and any(
            rule.shift_if_holiday and rule.matches(w) for rule in spec.monthly
        ):
            moved_monthly = Closure(ClosureKind.MONTHLY, holiday, moved_from=w)
        if moved_weekly is None and spec.move_closed_day_after_holiday and w.weekday() in weekly:
            moved_weekly = Closure(ClosureKind.WEEKLY, holiday, moved_from=w)
    return moved_monthly or moved_weekly


def closure_on(spec: CalendarSpec, holidays: Holidays, d: date) -> Closure | None:
    """Why the branch is closed on ``d``, or None when it is open.

    When several rules apply the first wins: explicit closures, then annual, monthly, holiday,
    weekly.  ``special_openings`` override everything except explicit closures.  The reason of
    a holiday closure (and of a moved closed day) is the holiday's name.
    """
    for closed in spec.closures:
        if closed.start <= d <= closed.end:
            return Closure(closed.kind, closed.reason)
    if d in spec.special_openings:
        return None
    for annual in spec.annual:
        if annual.covers(d):
            return Closure(ClosureKind.ANNUAL, annual.reason)

    holiday = holidays.name(d)
    opens_on_holidays = not spec.closed_on_public_holidays
    for rule in spec.monthly:
        if rule.matches(d) and not (rule.shift_if_holiday and holiday and opens_on_holidays):
            return Closure(ClosureKind.MONTHLY)

    if holiday is not None:
        if not opens_on_holidays:
            return Closure(ClosureKind.HOLIDAY, holiday)
        if d.weekday() in spec.weekly_closed and not spec.move_closed_day_after_holiday:
            return Closure(ClosureKind.WEEKLY)
        return None

    if d.weekday() in spec.weekly_closed:
        return Closure(ClosureKind.WEEKLY)
    if opens_on_holidays and (
        spec.move_closed_day_after_holiday or any(r.shift_if_holiday for r in spec.monthly)
    ):
        return _moved_closure(spec, holidays, d)
    return None


def is_open(spec: CalendarSpec, holidays: Holidays, d: date) -> bool:
    """Whether the branch is open on ``d``."""
    return closure_on(spec, holidays, d) is None


def iter_days(
    spec: CalendarSpec, holidays: Holidays, start: date, end: date
) -> Iterator[tuple[date, Closure | None]]:
    """Each day from ``start`` to ``end`` inclusive with its closure (None when open).

    Nothing is yielded when ``end`` is before ``start``.  Meant for a calendar page.
    """
    d = start
    while d <= end:
        yield d, closure_on(spec, holidays, d)
        if d == end:
            return
        d += _ONE_DAY


def opening_days_between(spec: CalendarSpec, holidays: Holidays, start: date, end: date) -> int:
    """How many opening days there are from ``start`` to ``end``, both inclusive (0 if empty)."""
    return sum(1 for _, closure in iter_days(spec, holidays, start, end) if closure is None)


def _opening_days_from(spec: CalendarSpec, holidays: Holidays, start: date) -> Iterator[date]:
    """Opening days on or after ``start``, in order; CalendarError after a too long closure."""
    d = start
    closed_run = 0
    try:
        while True:
            if closure_on(spec, holidays, d) is None:
                yield d
                closed_run = 0
            else:
                closed_run += 1
                if closed_run > MAX_CLOSED_RUN_DAYS:
                    raise CalendarError(
                        f"no opening day in the {MAX_CLOSED_RUN_DAYS} days from "
                        f"{d - timedelta(days=closed_run - 1)}: the calendar closes for good"
                    )
            d += _ONE_DAY
    except OverflowError as exc:
        raise CalendarError(f"no opening day on or after {start} before {date.max}") from exc


def nth_opening_day(spec: CalendarSpec, holidays: Holidays, start: date, n: int) -> date:
    """The ``n``-th opening day on or after ``start`` (n = 1 is ``start`` itself when open).

    Raises :class:`CalendarError` when ``n`` < 1 or when the branch stays closed for more than
    :data:`MAX_CLOSED_RUN_DAYS` consecutive days.
    """
    if n < 1:
        raise CalendarError(f"n must be at least 1, not {n}")
    for d in _opening_days_from(spec, holidays, start):
        n -= 1
        if n == 0:
            return d
    raise AssertionError("unreachable: the opening days never end")  # pragma: no cover


def next_opening_day(spec: CalendarSpec, holidays: Holidays, d: date) -> date:
    """The first opening day on or after ``d`` (``d`` itself when open)."""
    return nth_opening_day(spec, holidays, d, 1)


def due_date_in_days(spec: CalendarSpec, holidays: Holidays, start: date, days: int) -> date:
    """``start`` + ``days``, moved to the next opening day when the branch is closed then.

    A due date therefore never falls on a closed day, and a loan that would end inside a
    stocktaking closure ends on the first opening day after it.
    """
    if days < 0:
        raise CalendarError(f"a loan period cannot be negative ({days} days)")
    try:
        target = start + timedelta(days=days)
    except OverflowError as exc:
        raise CalendarError(f"{start} + {days} days is out of range") from exc
    return nth_opening_day(spec, holidays, target, 1)


def due_date_in_opening_days(spec: CalendarSpec, holidays: Holidays, start: date, n: int) -> date:
    """The ``n``-th opening day after ``start`` (counting begins the next day: "14開館日")."""
    if n < 1:
        raise CalendarError(f"n must be at least 1, not {n}")
    try:
        first = start + _ONE_DAY
    except OverflowError as exc:
        raise CalendarError(f"no day after {start}") from exc
    return nth_opening_day(spec, holidays, first, n)
