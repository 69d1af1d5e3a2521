"""The configuration cache: rule tables and calendars are read once, and a change to any of
them takes effect at once in the process that made it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shoka import config_cache
from shoka.circulation import services
from shoka.circulation.models import LoanRule
from shoka.organisation.models import ClosedPeriod

AT = dt.datetime(2026, 6, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _lend(world, at=AT):
    return services.checkout(
        world.item().barcode, world.patron(), branch=world.main, actor=world.staff, at=at
    ).loan


def test_rules_and_calendar_are_not_read_again_for_the_next_checkout(world):
    _lend(world)
    item, patron = world.item(), world.patron()
    with CaptureQueriesContext(connection) as queries:
        services.checkout(item.barcode, patron, branch=world.main, actor=world.staff, at=AT)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "circulation_loanrule" not in sql and "organisation_closedperiod" not in sql


def test_a_changed_loan_period_applies_to_the_very_next_checkout(world):
    assert _lend(world).due_on == dt.date(2026, 6, 16)
    rule = LoanRule.objects.get(library=world.library, loan_category__isnull=True)
    rule.loan_period = 21
    rule.save()  # as the configuration screen does
    assert _lend(world).due_on == dt.date(2026, 6, 23)


def test_a_new_closure_applies_to_the_very_next_checkout(world):
    assert _lend(world).due_on == dt.date(2026, 6, 16)
    ClosedPeriod.objects.create(
        library=world.library,
        start=dt.date(2026, 6, 16),
        end=dt.date(2026, 6, 20),
        kind="stocktaking",
    )
    assert _lend(world).due_on == dt.date(2026, 6, 21)  # Sunday after the closure


def test_entries_expire_after_the_cache_lifetime(monkeypatch):
    built = []
    config_cache.cached("k", lambda: built.append(1) or "v")
    config_cache.cached("k", lambda: built.append(1) or "v")
    assert built == [1]
    monkeypatch.setattr(config_cache, "CONFIG_CACHE_SECONDS", 0.0)
    config_cache.cached("k", lambda: built.append(1) or "v")
    assert built == [1, 1]
