"""The demo library's circulation history ends in a plausible state on any day: a tiny
demo (the split-deployment test's 30 titles) still has copies on the shelf to lend, and
no copy is left stranded in transit or on a hold shelf nobody collects from."""

from __future__ import annotations

import datetime as dt

import pytest

from shoka.catalogue.models import Item, ItemStatus
from shoka.circulation.models import Hold, HoldStatus
from shoka.demo.loader import load_demo
from shoka.organisation.models import BranchKind

pytestmark = pytest.mark.slow


# 2026-12-02 is the day a 30-title demo first ended with no copy to lend (the history
# forgot copies that arrived from transit and nobody fetched held copies).
@pytest.mark.parametrize("today", [dt.date(2026, 12, 2), dt.date(2027, 3, 15)])
def test_a_tiny_demo_library_keeps_copies_to_lend_at_every_branch(db, today):
    load_demo(bibs=30, patrons=10, today=today)
    lendable = Item.objects.filter(loan_category__loanable=True).exclude(
        branch__kind=BranchKind.BOOKMOBILE
    )
    for branch_id in set(lendable.values_list("branch", flat=True)):
        here = lendable.filter(branch=branch_id)
        on_shelf = here.filter(status=ItemStatus.AVAILABLE).count()
        assert on_shelf >= here.count() // 4, (branch_id, on_shelf, here.count())
    # A copy in transit travels for a held title (a return routed today), and the shelf
    # holds no more than the week's uncollected holds.
    in_transit = Item.objects.filter(status=ItemStatus.IN_TRANSIT).count()
    assert in_transit <= Hold.objects.filter(status=HoldStatus.IN_TRANSIT).count() + 2
    assert Item.objects.filter(status=ItemStatus.ON_HOLD_SHELF).count() == (
        Hold.objects.filter(status=HoldStatus.READY).count()
    )
