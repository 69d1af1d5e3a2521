"""Due dates through the checkout service: they never fall on a closed day (定休日, the day
moved after a Monday holiday, 蔵書点検, 年末年始), can count opening days (14開館日), and
follow the branch's own rule (the bookmobile lends until its next visit).

Every branch in `world` closes on Mondays (moved to the next non-holiday after a Monday
public holiday) and from 29 December to 3 January.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from shoka.circulation import services
from shoka.circulation.models import LoanRule
from shoka.organisation.models import ClosedPeriod, SpecialOpening

TOKYO = ZoneInfo("Asia/Tokyo")


def on(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=TOKYO)


def due_on(world, *, at: dt.datetime, branch=None, loan_category: str = "book") -> dt.date:
    patron = world.patron(at=on(2026, 4, 1))
    item = world.item(loan_category=loan_category)
    loan = services.checkout(
        item.barcode, patron, branch=branch or world.main, actor=world.staff, at=at
    ).loan
    loan.refresh_from_db()
    return loan.due_on


def test_fourteen_days_from_a_tuesday_is_a_tuesday(world):
    assert due_on(world, at=on(2026, 6, 2)) == dt.date(2026, 6, 16)


def test_checkout_just_after_midnight_counts_from_the_library_date(world):
    # 15:30 UTC on 2 June is 00:30 on Wednesday 3 June in Tokyo.
    assert due_on(world, at=dt.datetime(2026, 6, 2, 15, 30, tzinfo=dt.UTC)) == dt.date(2026, 6, 17)


def test_due_date_falling_on_a_monday_moves_to_tuesday(world):
    # A summer event opens the main library on Monday 1 June; 14 days later is Monday 15.
    SpecialOpening.objects.create(branch=world.main, date=dt.date(2026, 6, 1), reason="おはなし会")
    assert due_on(world, at=on(2026, 6, 1)) == dt.date(2026, 6, 16)


def test_due_date_on_a_monday_public_holiday_stays_because_the_library_opens(world):
    # 海の日, Monday 20 July 2026: the library opens (月曜日、祝日にあたるときは開館).
    SpecialOpening.objects.create(
        branch=world.main, date=dt.date(2026, 7, 6), reason="夏休み特別開館"
    )
    assert due_on(world, at=on(2026, 7, 6)) == dt.date(2026, 7, 20)


def test_due_date_on_the_closed_day_moved_after_a_monday_holiday_moves_on(world):
    # Having opened on 海の日 (Mon 20 July) the library closes on Tuesday 21 July instead.
    assert due_on(world, at=on(2026, 7, 7)) == dt.date(2026, 7, 22)


def test_loan_ending_inside_the_stocktaking_closure_ends_on_the_first_opening_day_after(world):
    ClosedPeriod.objects.create(
        library=world.library,
        start=dt.date(2026, 6, 15),
        end=dt.date(2026, 6, 26),
        kind="stocktaking",
        reason="蔵書点検",
    )
    assert due_on(world, at=on(2026, 6, 2)) == dt.date(2026, 6, 27)  # Saturday


def test_loan_ending_on_the_last_day_of_a_stocktaking_closure_ends_the_day_after(world):
    ClosedPeriod.objects.create(
        library=world.library,
        start=dt.date(2026, 6, 9),
        end=dt.date(2026, 6, 16),
        kind="stocktaking",
    )
    # 16 June is the last closed day; 17 June (Wednesday) is the first opening day after.
    assert due_on(world, at=on(2026, 6, 2)) == dt.date(2026, 6, 17)


def test_stocktaking_at_another_branch_does_not_move_due_dates_here(world):
    ClosedPeriod.objects.create(
        library=world.library,
        branch=world.east,
        start=dt.date(2026, 6, 15),
        end=dt.date(2026, 6, 26),
        kind="stocktaking",
    )
    assert due_on(world, at=on(2026, 6, 2)) == dt.date(2026, 6, 16)
    assert due_on(world, at=on(2026, 6, 2), branch=world.east) == dt.date(2026, 6, 27)


def test_a_closure_that_ended_before_the_checkout_does_not_matter(world):
    ClosedPeriod.objects.create(
        library=world.library,
        start=dt.date(2026, 5, 18),
        end=dt.date(2026, 5, 29),
        kind="stocktaking",
    )
    assert due_on(world, at=on(2026, 6, 2)) == dt.date(2026, 6, 16)


def test_opening_days_loan_period_counts_fourteen_opening_days(world):
    LoanRule.objects.filter(library=world.library, loan_category=None).update(
        period_unit="opening_days"
    )
    # From Wednesday 3 June, skipping Mondays 8 and 15: the 14th opening day is Thursday 18.
    assert due_on(world, at=on(2026, 6, 2)) == dt.date(2026, 6, 18)


def test_opening_days_loan_period_does_not_count_a_stocktaking_closure(world):
    LoanRule.objects.filter(library=world.library, loan_category=None).update(
        period_unit="opening_days"
    )
    ClosedPeriod.objects.create(
        library=world.library,
        start=dt.date(2026, 6, 9),
        end=dt.date(2026, 6, 14),
        kind="stocktaking",
    )
    # Opening days: 3-7 June (5), 16-21 (6 more: 11), 23-25 (14).
    assert due_on(world, at=on(2026, 6, 2)) == dt.date(2026, 6, 25)


def test_opening_days_rule_for_one_loan_category_only(world):
    LoanRule.objects.filter(
        library=world.library, loan_category=world.loan_categories["av"]
    ).update(period_unit="opening_days")
    assert due_on(world, at=on(2026, 6, 2), loan_category="av") == dt.date(2026, 6, 18)
    assert due_on(world, at=on(2026, 6, 2)) == dt.date(2026, 6, 16)


def test_year_end_closure_moves_the_due_date_into_january(world):
    # 17 December + 14 = 31 December (年末年始); 4 January is a Monday: due Tuesday 5 January.
    assert due_on(world, at=on(2026, 12, 17)) == dt.date(2027, 1, 5)


def test_loan_just_before_the_year_end_closure_is_unaffected(world):
    assert due_on(world, at=on(2026, 12, 13)) == dt.date(2026, 12, 27)  # Sunday


@pytest.fixture
def bookmobile_rule(world) -> LoanRule:
    """The bookmobile lends for four weeks: until its next fortnightly-or-monthly visit."""
    return LoanRule.objects.create(library=world.library, branch=world.bookmobile, loan_period=28)


def test_bookmobile_lends_for_twenty_eight_days(world, bookmobile_rule):
    assert due_on(world, at=on(2026, 6, 2), branch=world.bookmobile) == dt.date(2026, 6, 30)


def test_bookmobile_rule_does_not_apply_at_the_main_library(world, bookmobile_rule):
    assert due_on(world, at=on(2026, 6, 2)) == dt.date(2026, 6, 16)


def test_audio_visual_rule_beats_the_bookmobile_rule(world, bookmobile_rule):
    # (AV, any, any) is more specific than (any, any, bookmobile): 14 days even there.
    due = due_on(world, at=on(2026, 6, 2), branch=world.bookmobile, loan_category="av")
    assert due == dt.date(2026, 6, 16)
