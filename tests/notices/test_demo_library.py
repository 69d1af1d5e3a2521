"""Acceptance: the daily job on the demo library (docs/notices.md), with time controlled."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import AT

from shoka.circulation.models import Loan
from shoka.demo.loader import load_demo
from shoka.notices.daily import reach_of, run_notices
from shoka.notices.models import Notice, NoticeLoan
from shoka.notices.policy import DEFAULT_LADDER, channel_for, stage_reached

pytestmark = pytest.mark.slow


def _expected(today: dt.date) -> dict[int, tuple[int, str]]:
    """Loan id → (stage, channel) the ladder calls for today, from the pure policy."""
    expected = {}
    for loan in Loan.objects.filter(returned_at__isnull=True, due_on__lt=today).select_related(
        "patron__category"
    ):
        stage = stage_reached(DEFAULT_LADDER, (today - loan.due_on).days)
        channel = channel_for(stage.channel, reach_of(loan.patron)) if stage else None
        if channel is not None:
            expected[loan.pk] = (stage.number, channel.value)
    return expected


def _recorded(since: dt.datetime) -> dict[int, tuple[int, str]]:
    return {
        line.loan_id: (line.stage, line.notice.channel)
        for line in NoticeLoan.objects.filter(notice__created_at__gte=since).select_related(
            "notice"
        )
    }


def test_the_demo_library_gets_the_right_notices_and_a_second_run_none(db):
    today = AT.date()
    load_demo(seed=7, bibs=60, patrons=40, today=today)
    from shoka.organisation.models import Library

    library = Library.objects.get()
    morning = dt.datetime.combine(today, dt.time(8, 0), tzinfo=AT.tzinfo)
    expected = _expected(today)
    assert expected, "the demo library has overdue loans"
    report = run_notices(library, at=morning)
    assert _recorded(morning) == expected
    assert sum(report.created.values()) == Notice.objects.count()
    again = run_notices(library, at=morning + dt.timedelta(hours=6))
    assert sum(again.created.values()) == 0

    later = morning + dt.timedelta(days=30)
    newly = {
        loan_id: want
        for loan_id, want in _expected(later.date()).items()
        if want[0] > expected.get(loan_id, (0, ""))[0]
    }
    run_notices(library, at=later)
    assert _recorded(later) == newly
    assert sum(run_notices(library, at=later + dt.timedelta(hours=1)).created.values()) == 0
