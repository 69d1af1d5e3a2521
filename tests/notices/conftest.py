"""Overdue loans for the notices tests: a checkout whose due date the test knows."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import AT, World

from shoka.circulation import services

# Patrons register and borrow well before AT; the loans fall due on LOANED + 14 days.
REGISTERED = AT - dt.timedelta(days=200)
LOANED = AT - dt.timedelta(days=150)


def at_day(due_on: dt.date, days_late: int) -> dt.datetime:
    """07:00 Tokyo time, `days_late` days after the due date (when the daily job runs)."""
    day = due_on + dt.timedelta(days=days_late)
    return dt.datetime.combine(day, dt.time(7, 0), tzinfo=AT.tzinfo)


class Borrowers:
    def __init__(self, world: World) -> None:
        self.world = world

    def patron(self, name: str = "山田 花子", kana: str = "ヤマダ ハナコ", **extra):
        return self.world.patron(name, kana, at=REGISTERED, **extra)

    def lend(self, patron, title: str = "日本の歴史", *, at: dt.datetime = LOANED):
        item = self.world.item(self.world.bib(title))
        return services.checkout(
            item.barcode, patron, branch=self.world.main, actor=self.world.staff, at=at
        ).loan


@pytest.fixture
def borrowers(world) -> Borrowers:
    return Borrowers(world)
