"""Withdrawing and transferring items (circulation/items.py): refused while the item is in
use, with a code and a reason; a transfer travels in transit and a check-in receives it."""

from __future__ import annotations

import pytest

from shoka.catalogue.models import ItemStatus
from shoka.circulation import services
from shoka.circulation.services import ItemActionRefused, transfer_item, withdraw_item
from shoka.organisation.models import Location

pytestmark = pytest.mark.django_db


def _general(branch) -> Location:
    return Location.objects.get(branch=branch, code="general")


def _refusal(action) -> str:
    with pytest.raises(ItemActionRefused) as refused:
        action()
    return refused.value.code


@pytest.mark.parametrize("status", [ItemStatus.AVAILABLE, ItemStatus.MISSING])
def test_an_item_not_in_use_is_withdrawn(world, at, status):
    item = world.item()
    if status == ItemStatus.MISSING:
        services.change_item_status(
            item, "mark_missing", library_id=world.library.pk, actor=world.staff, at=at
        )
    withdraw_item(item, reason="worn", actor=world.staff, at=at)
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN


def test_withdrawal_is_refused_on_loan_held_in_transit_without_reason_or_twice(world, at):
    lent, held, withdrawn = world.item(), world.item(), world.item()
    services.checkout(lent.barcode, world.patron(), branch=world.main, actor=world.staff, at=at)
    services.place_hold(
        held.bib, world.patron(), pickup_branch=world.east, actor=world.staff, at=at
    )
    services.checkin(held.barcode, branch=world.main, actor=world.staff, at=at)  # → transit
    withdraw_item(withdrawn, reason="lost", actor=world.staff, at=at)
    moving = world.item()
    transfer_item(moving, _general(world.east), actor=world.staff, at=at)

    def withdraw(item, reason="worn"):
        return lambda: withdraw_item(item, reason=reason, actor=world.staff, at=at)

    assert _refusal(withdraw(lent)) == "on_loan"
    assert _refusal(withdraw(held)) == "held"
    assert _refusal(withdraw(moving)) == "in_transit"
    assert _refusal(withdraw(withdrawn)) == "withdrawn"
    assert _refusal(withdraw(world.item(), reason="  ")) == "no_reason"


def test_a_transfer_goes_in_transit_and_a_check_in_at_the_new_branch_shelves_it(world, at):
    item = world.item(branch=world.main)
    transfer_item(item, _general(world.east), actor=world.staff, at=at)
    item.refresh_from_db()
    assert (item.branch, item.current_branch, item.status) == (
        world.east,
        world.main,
        ItemStatus.IN_TRANSIT,
    )
    result = services.checkin(item.barcode, branch=world.east, actor=world.staff, at=at)
    assert result.routing.route == services.Route.SHELVE
    assert result.item.status == ItemStatus.AVAILABLE


def test_an_item_already_at_its_new_branch_stays_on_the_shelf(world, at):
    item = world.item(branch=world.main)
    item.current_branch = world.east  # scanned in at 東分館 and left there
    item.save(update_fields=["current_branch"])
    transfer_item(item, _general(world.east), actor=world.staff, at=at)
    item.refresh_from_db()
    assert (item.branch, item.status) == (world.east, ItemStatus.AVAILABLE)


def test_a_transfer_is_refused_to_its_own_branch_and_for_items_off_the_shelf(world, at):
    item = world.item(branch=world.main)
    assert (
        _refusal(lambda: transfer_item(item, _general(world.main), actor=world.staff, at=at))
        == "same_branch"
    )
    services.change_item_status(
        item, "send_to_repair", library_id=world.library.pk, actor=world.staff, at=at
    )
    assert (
        _refusal(lambda: transfer_item(item, _general(world.east), actor=world.staff, at=at))
        == "unavailable"
    )


def test_a_withdrawal_through_the_status_change_is_refused_for_a_held_item(world, at):
    held = world.item()
    services.place_hold(
        held.bib, world.patron(), pickup_branch=world.main, actor=world.staff, at=at
    )
    services.checkin(held.barcode, branch=world.main, actor=world.staff, at=at)
    held.refresh_from_db()
    assert held.status == ItemStatus.ON_HOLD_SHELF
    refused = _refusal(
        lambda: services.change_item_status(
            held, "withdraw", library_id=world.library.pk, actor=world.staff, at=at
        )
    )
    assert refused == "held"
    held.refresh_from_db()
    assert held.status == ItemStatus.ON_HOLD_SHELF
