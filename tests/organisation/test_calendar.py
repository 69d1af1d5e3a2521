"""The opening calendar: pure functions, real Japanese public holidays, no database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shoka.organisation.calendar import (
    MAX_CLOSED_RUN_DAYS,
    AnnualClosure,
    CalendarError,
    CalendarSpec,
    ClosedRange,
    Closure,
    ClosureKind,
    Holidays,
    MonthlyRule,
    closure_on,
    due_date_in_days,
    due_date_in_opening_days,
    is_open,
    iter_days,
    next_opening_day,
    nth_opening_day,
    opening_days_between,
    public_holidays,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

JP = public_holidays()

MONDAY_CLOSED = CalendarSpec(weekly_closed=frozenset({MON}), move_closed_day_after_holiday=True)
YEAR_END = AnnualClosure(12, 29, 1, 3, "年末年始")
STOCKTAKING_2026 = ClosedRange(
    date(2026, 6, 1), date(2026, 6, 12), ClosureKind.STOCKTAKING, "蔵書点検"
)


class NoHolidays:
    def name(self, d: date) -> str | None:
        return None


class FixedHolidays:
    def __init__(self, days: dict[date, str]) -> None:
        self.days = days

    def name(self, d: date) -> str | None:
        return self.days.get(d)


def closed_days(spec: CalendarSpec, start: date, end: date) -> list[date]:
    return [d for d, closure in iter_days(spec, JP, start, end) if closure is not None]


# --- the holiday source -----------------------------------------------------------------------


def test_the_2026_japanese_holidays_relied_on_come_from_the_library() -> None:
    assert JP.name(date(2026, 5, 3)) == "憲法記念日"
    assert JP.name(date(2026, 5, 4)) == "みどりの日"
    assert JP.name(date(2026, 5, 5)) == "こどもの日"
    assert JP.name(date(2026, 5, 6)) == "振替休日"
    assert JP.name(date(2026, 5, 7)) is None
    assert JP.name(date(2026, 9, 21)) == "敬老の日"
    assert JP.name(date(2026, 9, 22)) == "国民の休日"
    assert JP.name(date(2026, 9, 23)) == "秋分の日"
    assert JP.name(date(2026, 9, 24)) is None
    assert JP.name(date(2026, 7, 20)) == "海の日"


def test_public_holidays_is_cached_per_country_and_language() -> None:
    assert public_holidays() is JP
    assert public_holidays("JP") is JP
    assert public_holidays("JP", None, language="ja") is JP
    english = public_holidays("JP", language="en_US")
    assert english is not JP
    assert english.name(date(2026, 9, 21)) == "Respect for the Aged Day"


def test_public_holidays_expand_any_year_lazily() -> None:
    assert JP.name(date(2099, 1, 1)) == "元日"
    assert JP.name(date(1990, 11, 23)) == "勤労感謝の日"
    assert JP.name(date(2200, 1, 1)) is None  # beyond the library's range: no holidays


def test_a_plain_class_with_a_name_method_is_a_holiday_source() -> None:
    source: Holidays = FixedHolidays({date(2026, 3, 2): "開館記念日"})
    spec = CalendarSpec(closed_on_public_holidays=True)
    assert closure_on(spec, source, date(2026, 3, 2)) == Closure(ClosureKind.HOLIDAY, "開館記念日")


# --- weekly closure and the moved closed day --------------------------------------------------


def test_monday_is_the_weekly_closed_day() -> None:
    assert closure_on(MONDAY_CLOSED, JP, date(2026, 9, 14)) == Closure(ClosureKind.WEEKLY)
    assert is_open(MONDAY_CLOSED, JP, date(2026, 9, 15))
    assert closed_days(MONDAY_CLOSED, date(2026, 9, 1), date(2026, 9, 20)) == [
        date(2026, 9, 7),
        date(2026, 9, 14),
    ]


def test_monday_holiday_moves_weekly_closure_to_tuesday() -> None:
    assert is_open(MONDAY_CLOSED, JP, date(2026, 7, 20))  # 海の日
    assert closure_on(MONDAY_CLOSED, JP, date(2026, 7, 21)) == Closure(
        ClosureKind.WEEKLY, "海の日", moved_from=date(2026, 7, 20)
    )
    assert is_open(MONDAY_CLOSED, JP, date(2026, 7, 22))


def test_golden_week_2026_moves_the_monday_closure_past_all_consecutive_holidays() -> None:
    # 5/3 Sun 憲法記念日, 5/4 Mon みどりの日, 5/5 Tue こどもの日, 5/6 Wed 振替休日
    assert closed_days(MONDAY_CLOSED, date(2026, 5, 2), date(2026, 5, 10)) == [date(2026, 5, 7)]
    assert closure_on(MONDAY_CLOSED, JP, date(2026, 5, 7)) == Closure(
        ClosureKind.WEEKLY, "みどりの日", moved_from=date(2026, 5, 4)
    )


def test_silver_week_2026_moves_the_monday_closure_to_thursday() -> None:
    # 9/21 Mon 敬老の日, 9/22 Tue 国民の休日, 9/23 Wed 秋分の日
    assert closed_days(MONDAY_CLOSED, date(2026, 9, 19), date(2026, 9, 27)) == [date(2026, 9, 24)]
    closure = closure_on(MONDAY_CLOSED, JP, date(2026, 9, 24))
    assert closure is not None
    assert closure.moved_from == date(2026, 9, 21)


def test_without_the_move_rule_a_monday_holiday_stays_closed() -> None:
    spec = CalendarSpec(weekly_closed=frozenset({MON}))
    assert closure_on(spec, JP, date(2026, 9, 21)) == Closure(ClosureKind.WEEKLY)
    assert closed_days(spec, date(2026, 9, 19), date(2026, 9, 27)) == [date(2026, 9, 21)]


def test_moved_closure_skips_a_day_that_is_already_a_closed_weekday() -> None:
    spec = CalendarSpec(weekly_closed=frozenset({MON, TUE}), move_closed_day_after_holiday=True)
    assert closed_days(spec, date(2026, 7, 19), date(2026, 7, 26)) == [
        date(2026, 7, 21),  # Tuesday's own closure
        date(2026, 7, 22),  # Monday 海の日 moved here
    ]


def test_two_closed_weekdays_on_holidays_merge_into_one_moved_day() -> None:
    spec = CalendarSpec(weekly_closed=frozenset({MON, TUE}), move_closed_day_after_holiday=True)
    assert closed_days(spec, date(2026, 9, 19), date(2026, 9, 27)) == [date(2026, 9, 24)]


def test_a_sunday_closure_on_a_holiday_moves_past_the_substitute_holiday() -> None:
    spec = CalendarSpec(weekly_closed=frozenset({SUN}), move_closed_day_after_holiday=True)
    assert closed_days(spec, date(2026, 5, 1), date(2026, 5, 9)) == [date(2026, 5, 7)]


def test_no_moved_closure_when_the_holiday_is_inside_a_closure_anyway() -> None:
    stocktaking = ClosedRange(date(2026, 9, 14), date(2026, 9, 21), ClosureKind.STOCKTAKING)
    spec = CalendarSpec(
        weekly_closed=frozenset({MON}), move_closed_day_after_holiday=True, closures=(stocktaking,)
    )
    assert closure_on(spec, JP, date(2026, 9, 21)) == Closure(ClosureKind.STOCKTAKING)
    assert closed_days(spec, date(2026, 9, 22), date(2026, 9, 27)) == []


def test_closed_on_public_holidays_variant_closes_every_holiday_and_moves_nothing() -> None:
    spec = CalendarSpec(
        weekly_closed=frozenset({MON}),
        move_closed_day_after_holiday=True,
        closed_on_public_holidays=True,
    )
    assert closure_on(spec, JP, date(2026, 9, 21)) == Closure(ClosureKind.HOLIDAY, "敬老の日")
    assert closure_on(spec, JP, date(2026, 9, 22)) == Closure(ClosureKind.HOLIDAY, "国民の休日")
    assert closed_days(spec, date(2026, 9, 19), date(2026, 9, 27)) == [
        date(2026, 9, 21),
        date(2026, 9, 22),
        date(2026, 9, 23),
    ]
    assert is_open(spec, JP, date(2026, 9, 24))


# --- monthly 整理日 -----------------------------------------------------------------------------


def test_last_thursday_is_the_monthly_housekeeping_day() -> None:
    spec = CalendarSpec(monthly=(MonthlyRule.nth_weekday(-1, THU),))
    assert closed_days(spec, date(2026, 1, 1), date(2026, 4, 30)) == [
        date(2026, 1, 29),
        date(2026, 2, 26),
        date(2026, 3, 26),
        date(2026, 4, 30),
    ]
    assert closure_on(spec, JP, date(2026, 4, 30)) == Closure(ClosureKind.MONTHLY)


def test_a_fifth_weekday_rule_skips_months_without_one() -> None:
    spec = CalendarSpec(monthly=(MonthlyRule.nth_weekday(5, FRI),))
    assert closed_days(spec, date(2026, 1, 1), date(2026, 6, 30)) == [
        date(2026, 1, 30),
        date(2026, 5, 29),
    ]


def test_day_of_month_housekeeping_on_the_31st_is_skipped_in_short_months() -> None:
    spec = CalendarSpec(monthly=(MonthlyRule.day_of_month(31),))
    assert closed_days(spec, date(2026, 1, 1), date(2026, 7, 31)) == [
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
        date(2026, 7, 31),
    ]


def test_housekeeping_day_on_a_holiday_shifts_to_the_next_non_holiday() -> None:
    spec = CalendarSpec(monthly=(MonthlyRule.day_of_month(4, shift_if_holiday=True),))
    assert is_open(spec, JP, date(2026, 5, 4))
    assert closed_days(spec, date(2026, 5, 1), date(2026, 5, 31)) == [date(2026, 5, 7)]
    assert closure_on(spec, JP, date(2026, 5, 7)) == Closure(
        ClosureKind.MONTHLY, "みどりの日", moved_from=date(2026, 5, 4)
    )
    assert closed_days(spec, date(2026, 6, 1), date(2026, 6, 30)) == [date(2026, 6, 4)]


def test_housekeeping_day_does_not_shift_without_the_option() -> None:
    spec = CalendarSpec(monthly=(MonthlyRule.day_of_month(4),))
    assert closure_on(spec, JP, date(2026, 5, 4)) == Closure(ClosureKind.MONTHLY)
    assert is_open(spec, JP, date(2026, 5, 7))


def test_housekeeping_day_does_not_shift_when_holidays_are_closed_anyway() -> None:
    spec = CalendarSpec(
        closed_on_public_holidays=True,
        monthly=(MonthlyRule.day_of_month(4, shift_if_holiday=True),),
    )
    assert closure_on(spec, JP, date(2026, 5, 4)) == Closure(ClosureKind.MONTHLY)
    assert is_open(spec, JP, date(2026, 5, 7))


@pytest.mark.parametrize(
    "build",
    [
        lambda: MonthlyRule.nth_weekday(0, MON),
        lambda: MonthlyRule.nth_weekday(6, MON),
        lambda: MonthlyRule.nth_weekday(-2, MON),
        lambda: MonthlyRule.nth_weekday(1, 7),
        lambda: MonthlyRule.day_of_month(0),
        lambda: MonthlyRule.day_of_month(32),
        lambda: MonthlyRule(),
        lambda: MonthlyRule(week=1, weekday=MON, day=3),
        lambda: AnnualClosure(2, 30, 3, 1),
        lambda: ClosedRange(date(2026, 6, 2), date(2026, 6, 1)),
        lambda: CalendarSpec(weekly_closed=frozenset({7})),
    ],
)
def test_invalid_rules_are_rejected(build: Callable[[], object]) -> None:
    with pytest.raises(CalendarError):
        build()


# --- annual and explicit closures -------------------------------------------------------------


def test_year_end_closure_crosses_the_year_boundary() -> None:
    spec = CalendarSpec(annual=(YEAR_END,))
    assert closed_days(spec, date(2026, 12, 20), date(2027, 1, 10)) == [
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    ]
    assert closure_on(spec, JP, date(2027, 1, 1)) == Closure(ClosureKind.ANNUAL, "年末年始")
    assert due_date_in_days(spec, JP, date(2026, 12, 20), 14) == date(2027, 1, 4)


def test_an_annual_closure_within_one_year() -> None:
    spec = CalendarSpec(annual=(AnnualClosure(8, 13, 8, 15, "お盆"),))
    assert closed_days(spec, date(2026, 8, 1), date(2026, 8, 31)) == [
        date(2026, 8, 13),
        date(2026, 8, 14),
        date(2026, 8, 15),
    ]


def test_stocktaking_closure_pushes_a_due_date_past_it() -> None:
    spec = CalendarSpec(
        weekly_closed=frozenset({MON}),
        move_closed_day_after_holiday=True,
        closures=(STOCKTAKING_2026,),
    )
    assert closure_on(spec, JP, date(2026, 6, 5)) == Closure(ClosureKind.STOCKTAKING, "蔵書点検")
    # 2026-05-20 + 14 days = 6/3, inside the closure: due on Saturday 6/13, the first open day
    assert due_date_in_days(spec, JP, date(2026, 5, 20), 14) == date(2026, 6, 13)


def test_explicit_closures_take_precedence_over_every_rule() -> None:
    closed = ClosedRange(date(2026, 12, 28), date(2027, 1, 5), ClosureKind.CLOSED, "改修工事")
    spec = CalendarSpec(
        weekly_closed=frozenset({MON}),
        closed_on_public_holidays=True,
        annual=(YEAR_END,),
        monthly=(MonthlyRule.day_of_month(1),),
        closures=(closed,),
    )
    for d in (date(2026, 12, 28), date(2027, 1, 1), date(2027, 1, 4)):
        assert closure_on(spec, JP, d) == Closure(ClosureKind.CLOSED, "改修工事")


def test_precedence_is_annual_then_monthly_then_holiday_then_weekly() -> None:
    spec = CalendarSpec(
        weekly_closed=frozenset({MON}),
        closed_on_public_holidays=True,
        annual=(YEAR_END,),
        monthly=(MonthlyRule.day_of_month(1), MonthlyRule.nth_weekday(2, MON)),
    )
    assert closure_on(spec, JP, date(2027, 1, 1)) == Closure(ClosureKind.ANNUAL, "年末年始")
    assert closure_on(spec, JP, date(2027, 1, 11)) == Closure(ClosureKind.MONTHLY)  # 成人の日
    assert closure_on(spec, JP, date(2026, 9, 21)) == Closure(ClosureKind.HOLIDAY, "敬老の日")
    assert closure_on(spec, JP, date(2026, 9, 28)) == Closure(ClosureKind.WEEKLY)


def test_housekeeping_day_wins_over_a_moved_weekly_closure_on_the_same_day() -> None:
    spec = CalendarSpec(
        weekly_closed=frozenset({MON}),
        move_closed_day_after_holiday=True,
        monthly=(MonthlyRule.nth_weekday(-1, THU),),
    )
    # Thursday 9/24 is both the last Thursday and the Silver Week moved Monday
    assert closure_on(spec, JP, date(2026, 9, 24)) == Closure(ClosureKind.MONTHLY)


# --- special openings ---------------------------------------------------------------------------


def test_special_opening_overrides_the_weekly_closed_day() -> None:
    spec = CalendarSpec(
        weekly_closed=frozenset({MON}), special_openings=frozenset({date(2026, 9, 14)})
    )
    assert is_open(spec, JP, date(2026, 9, 14))
    assert not is_open(spec, JP, date(2026, 9, 7))


def test_special_opening_overrides_annual_and_moved_closures() -> None:
    spec = CalendarSpec(
        weekly_closed=frozenset({MON}),
        move_closed_day_after_holiday=True,
        annual=(YEAR_END,),
        special_openings=frozenset({date(2026, 12, 29), date(2026, 9, 24)}),
    )
    assert is_open(spec, JP, date(2026, 12, 29))
    assert is_open(spec, JP, date(2026, 9, 24))


def test_special_opening_does_not_override_a_stocktaking_closure() -> None:
    spec = CalendarSpec(
        weekly_closed=frozenset({MON}),
        closures=(STOCKTAKING_2026,),
        special_openings=frozenset({date(2026, 6, 8)}),
    )
    assert closure_on(spec, JP, date(2026, 6, 8)) == Closure(ClosureKind.STOCKTAKING, "蔵書点検")


# --- counting opening days ----------------------------------------------------------------------


def test_nth_opening_day_counts_the_start_day_when_open() -> None:
    assert nth_opening_day(MONDAY_CLOSED, JP, date(2026, 9, 21), 1) == date(2026, 9, 21)
    assert nth_opening_day(MONDAY_CLOSED, JP, date(2026, 9, 21), 3) == date(2026, 9, 23)
    assert nth_opening_day(MONDAY_CLOSED, JP, date(2026, 9, 21), 4) == date(2026, 9, 25)
    assert nth_opening_day(MONDAY_CLOSED, JP, date(2026, 9, 24), 1) == date(2026, 9, 25)


def test_next_opening_day_is_the_day_itself_or_the_first_open_one_after() -> None:
    assert next_opening_day(MONDAY_CLOSED, JP, date(2026, 9, 15)) == date(2026, 9, 15)
    assert next_opening_day(MONDAY_CLOSED, JP, date(2026, 9, 14)) == date(2026, 9, 15)


@pytest.mark.parametrize("n", [0, -1])
def test_nth_opening_day_needs_a_positive_n(n: int) -> None:
    with pytest.raises(CalendarError):
        nth_opening_day(MONDAY_CLOSED, JP, date(2026, 9, 1), n)
    with pytest.raises(CalendarError):
        due_date_in_opening_days(MONDAY_CLOSED, JP, date(2026, 9, 1), n)


def test_a_calendar_closed_every_day_raises_instead_of_looping() -> None:
    spec = CalendarSpec(weekly_closed=frozenset(range(7)))
    with pytest.raises(CalendarError, match="closes for good"):
        next_opening_day(spec, NoHolidays(), date(2026, 1, 1))
    with pytest.raises(CalendarError):
        due_date_in_days(spec, NoHolidays(), date(2026, 1, 1), 14)


def test_a_closure_longer_than_the_horizon_raises() -> None:
    years = ClosedRange(date(2026, 1, 1), date(2026, 1, 1) + timedelta(days=MAX_CLOSED_RUN_DAYS))
    spec = CalendarSpec(closures=(years,))
    with pytest.raises(CalendarError):
        next_opening_day(spec, NoHolidays(), date(2026, 1, 1))


def test_a_long_closure_within_the_horizon_is_waited_out() -> None:
    rebuild = ClosedRange(date(2026, 1, 1), date(2027, 12, 31), ClosureKind.CLOSED, "建替え")
    spec = CalendarSpec(closures=(rebuild,))
    assert next_opening_day(spec, NoHolidays(), date(2026, 1, 1)) == date(2028, 1, 1)


def test_the_end_of_the_calendar_raises_a_calendar_error() -> None:
    spec = CalendarSpec(weekly_closed=frozenset({MON}))
    with pytest.raises(CalendarError):
        due_date_in_days(spec, NoHolidays(), date.max, 1)
    with pytest.raises(CalendarError):
        due_date_in_opening_days(spec, NoHolidays(), date.max - timedelta(days=3), 14)


def test_opening_days_between_counts_both_ends() -> None:
    # September 2026 closes on Mondays 7, 14, 28 and on Thursday 24 (for Monday 21 敬老の日)
    assert opening_days_between(MONDAY_CLOSED, JP, date(2026, 9, 1), date(2026, 9, 30)) == 26
    assert opening_days_between(MONDAY_CLOSED, JP, date(2026, 9, 15), date(2026, 9, 15)) == 1
    assert opening_days_between(MONDAY_CLOSED, JP, date(2026, 9, 14), date(2026, 9, 14)) == 0
    assert opening_days_between(MONDAY_CLOSED, JP, date(2026, 9, 30), date(2026, 9, 1)) == 0


def test_iter_days_lists_every_day_with_its_closure() -> None:
    days = list(iter_days(MONDAY_CLOSED, JP, date(2026, 9, 20), date(2026, 9, 24)))
    assert [d for d, _ in days] == [date(2026, 9, 20) + timedelta(days=i) for i in range(5)]
    assert [c is None for _, c in days] == [True, True, True, True, False]
    assert list(iter_days(MONDAY_CLOSED, JP, date(2026, 9, 24), date(2026, 9, 20))) == []


# --- due dates ----------------------------------------------------------------------------------


def test_due_date_in_days_is_kept_when_open() -> None:
    assert due_date_in_days(MONDAY_CLOSED, JP, date(2026, 9, 1), 14) == date(2026, 9, 15)


def test_due_date_in_days_moves_off_a_closed_day() -> None:
    # 9/10 + 14 = Thursday 9/24, the moved Silver Week closure
    assert due_date_in_days(MONDAY_CLOSED, JP, date(2026, 9, 10), 14) == date(2026, 9, 25)
    # 8/31 + 14 = Monday 9/14
    assert due_date_in_days(MONDAY_CLOSED, JP, date(2026, 8, 31), 14) == date(2026, 9, 15)


def test_due_date_in_days_rejects_a_negative_period() -> None:
    with pytest.raises(CalendarError):
        due_date_in_days(MONDAY_CLOSED, JP, date(2026, 9, 1), -1)


def test_due_date_in_opening_days_counts_from_the_day_after_the_loan() -> None:
    # from Friday 9/18: 19, 20, 21, 22, 23, (24 closed), 25, 26, 27, (28 closed),
    # 29, 30, 10/1, 10/2, 10/3, 10/4 = 14 opening days
    assert due_date_in_opening_days(MONDAY_CLOSED, JP, date(2026, 9, 18), 14) == date(2026, 10, 4)
    assert due_date_in_opening_days(MONDAY_CLOSED, JP, date(2026, 9, 13), 1) == date(2026, 9, 15)


# --- properties ---------------------------------------------------------------------------------

START = date(2025, 1, 1)
END = date(2027, 12, 31)

dates = st.dates(min_value=START, max_value=END)


@st.composite
def annual_closures(draw: st.DrawFn) -> AnnualClosure:
    first = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)))
    last = first + timedelta(days=draw(st.integers(0, 20)))
    return AnnualClosure(first.month, first.day, last.month, last.day)


@st.composite
def closed_ranges(draw: st.DrawFn) -> ClosedRange:
    first = draw(dates)
    last = first + timedelta(days=draw(st.integers(0, 30)))
    kind = draw(st.sampled_from([ClosureKind.CLOSED, ClosureKind.STOCKTAKING]))
    return ClosedRange(first, last, kind)


monthly_rules = st.one_of(
    st.builds(
        MonthlyRule.nth_weekday,
        st.sampled_from([1, 2, 3, 4, 5, -1]),
        st.integers(0, 6),
        shift_if_holiday=st.booleans(),
    ),
    st.builds(MonthlyRule.day_of_month, st.integers(1, 31), shift_if_holiday=st.booleans()),
)

specs = st.builds(
    CalendarSpec,
    weekly_closed=st.frozensets(st.integers(0, 6), max_size=6),
    move_closed_day_after_holiday=st.booleans(),
    closed_on_public_holidays=st.booleans(),
    monthly=st.lists(monthly_rules, max_size=2).map(tuple),
    annual=st.lists(annual_closures(), max_size=2).map(tuple),
    closures=st.lists(closed_ranges(), max_size=3).map(tuple),
    special_openings=st.frozensets(dates, max_size=5),
)

PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(spec=specs, start=dates, days=st.integers(0, 60))
def test_property_the_due_date_is_open_and_not_before_the_loan_period(
    spec: CalendarSpec, start: date, days: int
) -> None:
    due = due_date_in_days(spec, JP, start, days)
    assert due >= start + timedelta(days=days)
    assert is_open(spec, JP, due)
    assert opening_days_between(spec, JP, start + timedelta(days=days), due) == 1


@PROPERTY
@given(spec=specs, start=dates, n=st.integers(1, 40))
def test_property_nth_opening_days_strictly_increase(
    spec: CalendarSpec, start: date, n: int
) -> None:
    nth = nth_opening_day(spec, JP, start, n)
    assert nth_opening_day(spec, JP, start, n + 1) > nth >= start
    assert is_open(spec, JP, nth)


@PROPERTY
@given(spec=specs, start=dates, n=st.integers(1, 40))
def test_property_opening_days_between_agrees_with_nth_opening_day(
    spec: CalendarSpec, start: date, n: int
) -> None:
    nth = nth_opening_day(spec, JP, start, n)
    assert opening_days_between(spec, JP, start, nth) == n
    assert opening_days_between(spec, JP, start, nth - timedelta(days=1)) == n - 1
    assert due_date_in_opening_days(spec, JP, start, n) == nth_opening_day(
        spec, JP, start + timedelta(days=1), n
    )


def reference_closed_days(
    spec: CalendarSpec, source: Holidays, start: date, end: date
) -> set[date]:
    """The rules of the module docstring, with moved closures computed forwards."""

    def holiday(d: date) -> bool:
        return source.name(d) is not None

    def weekly(d: date) -> bool:
        return d.weekday() in spec.weekly_closed

    def explicit(d: date) -> bool:
        return any(c.start <= d <= c.end for c in spec.closures)

    def annual(d: date) -> bool:
        return any(a.covers(d) for a in spec.annual)

    opens_on_holidays = not spec.closed_on_public_holidays
    moved_to: set[date] = set()
    w = start - timedelta(days=120)
    while w <= end and opens_on_holidays:
        moves = spec.move_closed_day_after_holiday and weekly(w)
        moves = moves or any(r.shift_if_holiday and r.matches(w) for r in spec.monthly)
        if holiday(w) and moves and not explicit(w) and not annual(w):
            target = w + timedelta(days=1)
            while holiday(target) or weekly(target):
                target += timedelta(days=1)
            moved_to.add(target)
        w += timedelta(days=1)

    def closed(d: date) -> bool:
        if explicit(d):
            return True
        if d in spec.special_openings:
            return False
        if annual(d):
            return True
        for rule in spec.monthly:
            if rule.matches(d) and not (rule.shift_if_holiday and holiday(d) and opens_on_holidays):
                return True
        if holiday(d):
            return not opens_on_holidays or (weekly(d) and not spec.move_closed_day_after_holiday)
        return weekly(d) or d in moved_to

    return {d for d, _ in iter_days(spec, source, start, end) if closed(d)}


@PROPERTY
@given(spec=specs, start=dates)
def test_property_closures_match_a_forward_reference_of_the_rules(
    spec: CalendarSpec, start: date
) -> None:
    end = start + timedelta(days=62)
    assert set(closed_days(spec, start, end)) == reference_closed_days(spec, JP, start, end)


@PROPERTY
@given(
    spec=specs,
    holidays=st.frozensets(st.integers(-60, 62), max_size=60).map(
        lambda offsets: frozenset(date(2026, 3, 1) + timedelta(days=i) for i in offsets)
    ),
)
def test_property_closures_match_the_reference_with_dense_made_up_holidays(
    spec: CalendarSpec, holidays: frozenset[date]
) -> None:
    source = FixedHolidays(dict.fromkeys(holidays, "祝日"))
    start = date(2026, 3, 1)
    end = start + timedelta(days=62)
    actual = {d for d, c in iter_days(spec, source, start, end) if c is not None}
    assert actual == reference_closed_days(spec, source, start, end)


@PROPERTY
@given(spec=specs, d=dates)
def test_property_a_moved_closed_day_is_never_a_public_holiday(spec: CalendarSpec, d: date) -> None:
    closure = closure_on(spec, JP, d)
    if closure is not None and closure.moved_from is not None:
        assert JP.name(d) is None
        assert JP.name(closure.moved_from) is not None
        assert closure.moved_from < d
