"""The public site's query layer and caching, through a live OPAC fed by the real receiver:
branches and calendars arrive with a changeset, and every catalogue answer is conditional."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import public_branch, public_item, public_record

pytestmark = pytest.mark.django_db  # the session's signing key lives beside the test database

TODAY = timezone.localdate()


@pytest.fixture(scope="module")
def published(live_opac, django_db_blocker):
    with django_db_blocker.unblock():
        closed = {TODAY + dt.timedelta(days=3): ("closed", "館内工事")}
        live_opac.publish(
            records=[
                public_record(
                    1, "吾輩は猫である", loan_count=12, hold_queue=2,
                    items=[public_item(10, acquired_on=TODAY - dt.timedelta(days=2))],
                ),
                public_record(2, "こころ", loan_count=3, ndc="913.6"),
            ],
            branches=[
                public_branch("main", "中央図書館", name_en="Central Library", kind="main",
                              closed=closed),
                public_branch("east", "東分館", position=1),
            ],
        )  # fmt: skip
    return live_opac


def test_branches_and_their_calendars_are_stored_from_the_changeset(published):
    rows = published.query("SELECT code, name, is_active FROM public_publicbranch ORDER BY code")
    assert [(c, n, bool(a)) for c, n, a in rows] == [
        ("east", "東分館", True),
        ("main", "中央図書館", True),
    ]
    day = (TODAY + dt.timedelta(days=3)).isoformat()
    [(is_open, closure, reason)] = published.query(
        "SELECT is_open, closure, reason FROM public_publiccalendarday"
        " WHERE branch_id = 'main' AND date = ?",
        day,
    )
    assert (bool(is_open), closure, reason) == (False, "closed", "館内工事")


def test_a_later_branch_list_retires_a_branch_missing_from_it(published, django_db_blocker):
    with django_db_blocker.unblock():
        published.publish(branches=[public_branch("main", "中央図書館", kind="main")])
    rows = published.query("SELECT code, is_active FROM public_publicbranch ORDER BY code")
    assert [(c, bool(a)) for c, a in rows] == [("east", False), ("main", True)]
    with django_db_blocker.unblock():  # put it back for the other tests
        published.publish(
            branches=[
                public_branch("main", "中央図書館", kind="main"),
                public_branch("east", "東分館", position=1),
            ]
        )


def test_the_record_carries_its_loan_count(published):
    assert published.query("SELECT loan_count FROM public_publicrecord WHERE id = 1") == [(12,)]
