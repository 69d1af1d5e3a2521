"""The overdue ladder as pure functions (shoka.notices.policy)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shoka.notices.policy import (
    DEFAULT_LADDER,
    Channel,
    LadderError,
    LoanState,
    Reach,
    Stage,
    channel_for,
    check_ladder,
    hold_channel,
    plan_patron,
    stage_due,
    stage_reached,
)

TODAY = dt.date(2026, 6, 2)


def loan(days_late: int, *sent: int, loan_id: int = 1) -> LoanState:
    return LoanState(loan_id, TODAY - dt.timedelta(days=days_late), frozenset(sent))


@pytest.mark.parametrize(
    ("days_late", "stage"),
    [(0, None), (1, 1), (13, 1), (14, 2), (29, 2), (30, 3), (59, 3), (60, 4), (90, 5), (400, 5)],
)
def test_a_loan_reaches_the_highest_stage_its_lateness_allows(days_late, stage):
    reached = stage_reached(DEFAULT_LADDER, days_late)
    assert (reached.number if reached else None) == stage


def test_a_loan_due_today_is_not_overdue():
    assert stage_due(DEFAULT_LADDER, loan(0), TODAY) is None


def test_a_stage_already_sent_is_not_sent_again():
    assert stage_due(DEFAULT_LADDER, loan(20, 2), TODAY) is None


def test_a_later_stage_follows_an_earlier_one():
    assert stage_due(DEFAULT_LADDER, loan(30, 1, 2), TODAY) == DEFAULT_LADDER[2]


def test_stages_missed_while_the_job_did_not_run_are_skipped_not_sent_late():
    assert stage_due(DEFAULT_LADDER, loan(65), TODAY) == DEFAULT_LADDER[3]


def test_one_notice_per_stage_covers_every_loan_that_reached_it():
    plans = plan_patron(
        DEFAULT_LADDER,
        [loan(15, loan_id=1), loan(20, loan_id=2), loan(3, loan_id=3), loan(20, 2, loan_id=4)],
        TODAY,
    )
    assert [(p.stage.number, p.loan_ids) for p in plans] == [(1, (3,)), (2, (1, 2))]


def test_a_ladder_whose_days_do_not_rise_is_refused():
    with pytest.raises(LadderError):
        check_ladder([Stage(1, 10, Channel.EMAIL), Stage(2, 5, Channel.LETTER)])
    with pytest.raises(LadderError):
        check_ladder([Stage(1, 10, Channel.EMAIL), Stage(1, 20, Channel.LETTER)])


REACH_ALL = Reach(chose="email", has_email=True, has_address=True, has_phone=True)


@pytest.mark.parametrize(
    ("stage", "reach", "expected"),
    [
        (Channel.EMAIL, REACH_ALL, Channel.EMAIL),
        (Channel.EMAIL, Reach("postcard", True, True, True), None),
        (Channel.EMAIL, Reach("email", False, True, True), None),
        (Channel.POSTCARD, REACH_ALL, Channel.POSTCARD),
        (Channel.LETTER, Reach("phone", False, False, True), Channel.PHONE),
        (Channel.LETTER, Reach("none", False, False, False), Channel.REVIEW),
        (Channel.PHONE, Reach("email", True, True, False), Channel.REVIEW),
        (Channel.REVIEW, REACH_ALL, Channel.REVIEW),
    ],
)
def test_the_channel_falls_back_when_a_contact_is_missing(stage, reach, expected):
    assert channel_for(stage, reach) == expected


def test_a_hold_notice_follows_the_patrons_choice():
    assert hold_channel(Reach("phone", True, True, True)) is Channel.PHONE
    assert hold_channel(Reach("email", True, True, True)) is Channel.EMAIL
    assert hold_channel(Reach("email", False, True, True)) is Channel.POSTCARD
    assert hold_channel(Reach("none", True, True, True)) is None


loans_strategy = st.lists(
    st.tuples(st.integers(min_value=-5, max_value=200), st.sets(st.integers(1, 5), max_size=3)),
    max_size=8,
)


@given(loans_strategy)
def test_recording_a_plan_leaves_nothing_to_send_the_same_day(rows):
    loans = [loan(days, *sent, loan_id=i) for i, (days, sent) in enumerate(rows)]
    plans = plan_patron(DEFAULT_LADDER, loans, TODAY)
    stage_of = {i: p.stage.number for p in plans for i in p.loan_ids}
    after = [
        LoanState(ln.loan_id, ln.due_on, ln.sent_stages | {stage_of[ln.loan_id]})
        if ln.loan_id in stage_of
        else ln
        for ln in loans
    ]
    assert plan_patron(DEFAULT_LADDER, after, TODAY) == []


@given(loans_strategy)
def test_a_planned_stage_is_reached_and_newer_than_any_sent(rows):
    loans = {i: loan(days, *sent, loan_id=i) for i, (days, sent) in enumerate(rows)}
    for plan in plan_patron(DEFAULT_LADDER, list(loans.values()), TODAY):
        for loan_id in plan.loan_ids:
            state = loans[loan_id]
            assert (TODAY - state.due_on).days >= plan.stage.days
            assert all(s < plan.stage.number for s in state.sent_stages)
