"""The item and hold lifecycles as transition tables (STYLE.md §5): every row is allowed,
everything else is refused, and the services refuse what the table refuses."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from shoka.audit.models import AuditEvent
from shoka.catalogue.models import Item, ItemStatus
from shoka.circulation import services
from shoka.circulation.models import HoldStatus
from shoka.circulation.transitions import (
    HOLD_TRANSITIONS,
    ITEM_TRANSITIONS,
    Transition,
    TransitionError,
    check_hold_transition,
    check_item_transition,
    item_triggers_from,
)

TOKYO = ZoneInfo("Asia/Tokyo")
AT = dt.datetime(2026, 6, 2, 10, tzinfo=TOKYO)

ITEM_STATES = list(ItemStatus.values)
HOLD_STATES = list(HoldStatus.values)
ITEM_TRIGGERS = sorted({t.trigger for t in ITEM_TRANSITIONS})
HOLD_TRIGGERS = sorted({t.trigger for t in HOLD_TRANSITIONS})


def _param(*values: str) -> object:
    return pytest.param(*values, id="-".join(str(v) for v in values))


def _rows(table: tuple[Transition, ...]) -> list[object]:
    return [_param(t.source, t.trigger, d) for t in table for d in sorted(t.destinations)]


def _wrong_destinations(table: tuple[Transition, ...], states: list[str]) -> list[object]:
    return [
        _param(t.source, t.trigger, d) for t in table for d in states if d not in t.destinations
    ]


def _missing_pairs(
    table: tuple[Transition, ...], states: list[str], triggers: list[str]
) -> list[object]:
    present = {(t.source, t.trigger) for t in table}
    return [_param(*p) for p in itertools.product(states, triggers) if p not in present]


# --- the tables themselves -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "states"),
    [(ITEM_TRANSITIONS, ITEM_STATES), (HOLD_TRANSITIONS, HOLD_STATES)],
    ids=["item", "hold"],
)
def test_table_has_one_row_per_state_and_trigger_and_only_known_states(table, states):
    pairs = Counter((t.source, t.trigger) for t in table)
    assert [p for p, n in pairs.items() if n > 1] == []  # a duplicate would hide a row
    for t in table:
        assert t.source in states and t.destinations and t.destinations <= set(states)


def test_finished_holds_have_no_way_out():
    finished = {HoldStatus.FULFILLED, HoldStatus.CANCELLED, HoldStatus.EXPIRED}
    assert not [t for t in HOLD_TRANSITIONS if t.source in finished]


def test_withdrawn_items_have_no_way_out():
    assert item_triggers_from(ItemStatus.WITHDRAWN) == set()


def test_item_triggers_from_lists_what_can_happen_to_an_item_on_loan():
    assert item_triggers_from(ItemStatus.ON_LOAN) == {"checkin"}
    assert item_triggers_from(ItemStatus.AVAILABLE) == {
        "checkout",
        "checkin",
        "mark_missing",
        "send_to_repair",
        "transfer",
        "withdraw",
    }


# --- items ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "trigger", "destination"), _rows(ITEM_TRANSITIONS))
def test_item_transition_in_the_table_is_allowed(source, trigger, destination):
    check_item_transition(source, trigger, destination)


@pytest.mark.parametrize(
    ("source", "trigger", "destination"), _wrong_destinations(ITEM_TRANSITIONS, ITEM_STATES)
)
def test_item_transition_to_another_destination_is_refused(source, trigger, destination):
    with pytest.raises(TransitionError, match=f"item: {trigger} cannot take {source}"):
        check_item_transition(source, trigger, destination)


@pytest.mark.parametrize(
    ("source", "trigger"), _missing_pairs(ITEM_TRANSITIONS, ITEM_STATES, ITEM_TRIGGERS)
)
def test_item_trigger_not_in_the_table_is_refused_for_every_destination(source, trigger):
    for destination in ITEM_STATES:
        with pytest.raises(TransitionError):
            check_item_transition(source, trigger, destination)


def test_unknown_item_trigger_is_refused():
    with pytest.raises(TransitionError):
        check_item_transition(ItemStatus.AVAILABLE, "lend", ItemStatus.ON_LOAN)


# --- holds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "trigger", "destination"), _rows(HOLD_TRANSITIONS))
def test_hold_transition_in_the_table_is_allowed(source, trigger, destination):
    check_hold_transition(source, trigger, destination)


@pytest.mark.parametrize(
    ("source", "trigger", "destination"), _wrong_destinations(HOLD_TRANSITIONS, HOLD_STATES)
)
def test_hold_transition_to_another_destination_is_refused(source, trigger, destination):
    with pytest.raises(TransitionError, match=f"hold: {trigger} cannot take {source}"):
        check_hold_transition(source, trigger, destination)


@pytest.mark.parametrize(
    ("source", "trigger"), _missing_pairs(HOLD_TRANSITIONS, HOLD_STATES, HOLD_TRIGGERS)
)
def test_hold_trigger_not_in_the_table_is_refused_for_every_destination(source, trigger):
    for destination in HOLD_STATES:
        with pytest.raises(TransitionError):
            check_hold_transition(source, trigger, destination)


# --- the item service follows the table ------------------------------------------------------


def change(world, item, trigger: str, *, at: dt.datetime = AT) -> Item:
    return services.change_item_status(
        item.barcode, trigger, library_id=world.library.pk, actor=world.staff, at=at, note="点検"
    )


def refused_change(world, item, trigger: str) -> None:
    before = (Item.objects.get(pk=item.pk).status, AuditEvent.objects.count())
    with pytest.raises(TransitionError):
        change(world, item, trigger, at=AT + dt.timedelta(days=1))
    assert (Item.objects.get(pk=item.pk).status, AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("trigger", "status"),
    [
        ("mark_missing", ItemStatus.MISSING),
        ("send_to_repair", ItemStatus.IN_REPAIR),
        ("withdraw", ItemStatus.WITHDRAWN),
    ],
)
def test_item_on_the_shelf_can_be_marked_missing_repaired_or_withdrawn(world, trigger, status):
    item = world.item()
    change(world, item, trigger)
    item.refresh_from_db()
    assert item.status == status and item.status_changed_at == AT
    event = AuditEvent.objects.filter(action=f"item.{trigger}").get()
    assert event.object_id == str(item.pk)
    assert event.data == {"from": "available", "note": "点検"}


@pytest.mark.parametrize("trigger", ["withdraw", "mark_missing", "send_to_repair"])
def test_item_on_loan_cannot_be_withdrawn_marked_missing_or_sent_to_repair(world, trigger):
    item = world.item()
    services.checkout(item.barcode, world.patron(), branch=world.main, actor=world.staff, at=AT)
    refused_change(world, item, trigger)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.ON_LOAN


@pytest.mark.parametrize("trigger", ["withdraw", "mark_missing", "send_to_repair"])
def test_withdrawn_item_cannot_change_again(world, trigger):
    item = world.item()
    change(world, item, "withdraw")
    refused_change(world, item, trigger)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.WITHDRAWN


def test_item_on_the_hold_shelf_cannot_be_sent_to_repair(world):
    item = world.item()
    services.place_hold(
        item.bib, world.patron(), pickup_branch=world.main, actor=world.staff, at=AT
    )
    services.checkin(item.barcode, branch=world.main, actor=world.staff, at=AT)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.ON_HOLD_SHELF
    refused_change(world, item, "send_to_repair")


def test_missing_item_can_be_withdrawn_but_not_sent_to_repair(world):
    item = world.item()
    change(world, item, "mark_missing")
    refused_change(world, item, "send_to_repair")
    change(world, item, "withdraw", at=AT + dt.timedelta(days=2))
    assert Item.objects.get(pk=item.pk).status == ItemStatus.WITHDRAWN


def test_missing_item_found_comes_back_by_check_in(world):
    item = world.item()
    change(world, item, "mark_missing")
    services.checkin(
        item.barcode, branch=world.main, actor=world.staff, at=AT + dt.timedelta(days=1)
    )
    assert Item.objects.get(pk=item.pk).status == ItemStatus.AVAILABLE


def test_unknown_item_trigger_is_refused_by_the_service(world):
    item = world.item()
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="unknown item trigger"):
        change(world, item, "lose")
    assert Item.objects.get(pk=item.pk).status == ItemStatus.AVAILABLE
    assert AuditEvent.objects.count() == before
