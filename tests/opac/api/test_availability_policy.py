"""The Calil vocabulary policy (shoka.opac.api.availability): one row per rule, in order."""

from __future__ import annotations

import pytest

from shoka.catalogue.models import ItemStatus
from shoka.opac.api import availability as av
from shoka.opac.api.availability import Availability, Copy, branch_status

A = Copy(av.AVAILABLE)
REF = Copy(av.AVAILABLE, loanable=False)  # 禁帯出: on the shelf, not lent
OUT = Copy(av.ON_LOAN)
SHELF = Copy(av.ON_HOLD_SHELF)
TRANSIT = Copy(av.IN_TRANSIT)
REPAIR = Copy(av.IN_REPAIR)
LOST = Copy(av.MISSING)
GONE = Copy(av.WITHDRAWN)

# (copies at the branch, title's hold queue, branch open today, expected word)
TABLE = [
    pytest.param([], 0, True, Availability.NOT_HELD, id="no copy"),
    pytest.param([], 3, False, Availability.NOT_HELD, id="no copy, closed: still not held"),
    pytest.param([LOST, GONE], 0, True, Availability.NOT_HELD, id="only missing/withdrawn"),
    pytest.param([A], 0, False, Availability.CLOSED, id="closed today"),
    pytest.param([OUT], 2, False, Availability.CLOSED, id="closed wins over on loan"),
    pytest.param([A], 0, True, Availability.LOANABLE, id="on the shelf"),
    pytest.param([A], 0, None, Availability.LOANABLE, id="no calendar published"),
    pytest.param([OUT, A], 5, True, Availability.LOANABLE, id="one copy left on the shelf"),
    pytest.param([A, LOST], 0, True, Availability.LOANABLE, id="missing copy ignored"),
    pytest.param([REF], 0, True, Availability.IN_LIBRARY_ONLY, id="reference copy"),
    pytest.param([REF, OUT], 0, True, Availability.IN_LIBRARY_ONLY, id="reference beside loan"),
    pytest.param([REF, A], 0, True, Availability.LOANABLE, id="loanable beats reference"),
    pytest.param([SHELF], 0, True, Availability.RESERVED, id="on the hold shelf"),
    pytest.param([OUT], 1, True, Availability.RESERVED, id="out and queued"),
    pytest.param([OUT, SHELF], 0, True, Availability.RESERVED, id="hold shelf beside loan"),
    pytest.param([OUT], 0, True, Availability.ON_LOAN, id="out, no queue"),
    pytest.param([OUT, TRANSIT], 0, True, Availability.ON_LOAN, id="out and in transit"),
    pytest.param([TRANSIT], 0, True, Availability.PREPARING, id="in transit"),
    pytest.param([REPAIR], 4, True, Availability.PREPARING, id="in repair, queue"),
    pytest.param([Copy("stocktaking")], 0, True, Availability.HELD, id="unknown status"),
]


@pytest.mark.parametrize(("copies", "queue", "open_today", "expected"), TABLE)
def test_branch_status_follows_the_rules_in_order(copies, queue, open_today, expected):
    assert branch_status(copies, hold_queue=queue, open_today=open_today) is expected


def test_every_word_is_reachable_and_explained():
    reached = {row.values[3] for row in TABLE}
    assert reached == set(Availability)
    assert set(av.MEANINGS) == set(Availability)


def test_the_policy_knows_every_item_status_of_the_catalogue():
    known = {
        av.AVAILABLE,
        av.ON_LOAN,
        av.IN_TRANSIT,
        av.ON_HOLD_SHELF,
        av.MISSING,
        av.WITHDRAWN,
        av.IN_REPAIR,
    }
    assert known == set(ItemStatus.values)


def test_the_words_are_calils():
    assert [a.value for a in Availability] == [
        "貸出可",
        "蔵書あり",
        "館内のみ",
        "貸出中",
        "予約中",
        "準備中",
        "休館中",
        "蔵書なし",
    ]
