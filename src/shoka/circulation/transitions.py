"""Lifecycles as declarative transition tables (STYLE.md §5): state → trigger → destinations.
Services change a status only through `item_transition`/`hold_transition`; tests are
parametrised over the rows."""

from __future__ import annotations

from dataclasses import dataclass

from shoka.catalogue.models import ItemStatus as I

from .models import HoldStatus as H


class TransitionError(ValueError):
    pass


@dataclass(frozen=True)
class Transition:
    source: str
    trigger: str
    destinations: frozenset[str]


def _t(source: str, trigger: str, *destinations: str) -> Transition:
    return Transition(source, trigger, frozenset(destinations))


_CHECKIN_DESTINATIONS = (I.AVAILABLE, I.ON_HOLD_SHELF, I.IN_TRANSIT)

ITEM_TRANSITIONS: tuple[Transition, ...] = (
    _t(I.AVAILABLE, "checkout", I.ON_LOAN),
    _t(I.ON_HOLD_SHELF, "checkout", I.ON_LOAN),  # by the patron it is held for
    _t(I.IN_TRANSIT, "checkout", I.ON_LOAN),  # held for this patron, or staff override
    _t(I.MISSING, "checkout", I.ON_LOAN),  # found at the desk (staff override)
    _t(I.IN_REPAIR, "checkout", I.ON_LOAN),  # staff override
    _t(I.ON_LOAN, "checkin", *_CHECKIN_DESTINATIONS),
    _t(I.AVAILABLE, "checkin", *_CHECKIN_DESTINATIONS),  # pulled from the shelf for a hold
    _t(I.IN_TRANSIT, "checkin", *_CHECKIN_DESTINATIONS),  # arrives (or passes through)
    _t(I.MISSING, "checkin", *_CHECKIN_DESTINATIONS),  # found
    _t(I.IN_REPAIR, "checkin", *_CHECKIN_DESTINATIONS),  # back from repair
    _t(I.ON_HOLD_SHELF, "release", *_CHECKIN_DESTINATIONS),  # hold expired or cancelled
    _t(I.IN_TRANSIT, "release", I.IN_TRANSIT),  # hold cancelled while travelling
    _t(I.AVAILABLE, "mark_missing", I.MISSING),
    _t(I.IN_TRANSIT, "mark_missing", I.MISSING),
    _t(I.AVAILABLE, "send_to_repair", I.IN_REPAIR),
    _t(I.AVAILABLE, "transfer", I.IN_TRANSIT),  # to a new home branch, received there
    _t(I.AVAILABLE, "withdraw", I.WITHDRAWN),
    _t(I.MISSING, "withdraw", I.WITHDRAWN),
    _t(I.IN_REPAIR, "withdraw", I.WITHDRAWN),
)

HOLD_TRANSITIONS: tuple[Transition, ...] = (
    _t(H.WAITING, "trap", H.READY, H.IN_TRANSIT),
    _t(H.IN_TRANSIT, "arrive", H.READY),
    _t(H.READY, "collect", H.FULFILLED),
    _t(H.IN_TRANSIT, "collect", H.FULFILLED),  # handed over at the desk on arrival
    _t(H.WAITING, "collect", H.FULFILLED),  # the patron took a copy from the open shelf
    _t(H.WAITING, "cancel", H.CANCELLED),
    _t(H.IN_TRANSIT, "cancel", H.CANCELLED),
    _t(H.READY, "cancel", H.CANCELLED),
    _t(H.READY, "expire", H.EXPIRED),
)

LOAN_TRANSITIONS: tuple[Transition, ...] = (
    _t("open", "renew", "open"),
    _t("open", "checkin", "returned"),
)


def _index(table: tuple[Transition, ...]) -> dict[tuple[str, str], frozenset[str]]:
    return {(t.source, t.trigger): t.destinations for t in table}


_ITEM = _index(ITEM_TRANSITIONS)
_HOLD = _index(HOLD_TRANSITIONS)


def check_item_transition(source: str, trigger: str, destination: str) -> None:
    allowed = _ITEM.get((source, trigger), frozenset())
    if destination not in allowed:
        raise TransitionError(f"item: {trigger} cannot take {source} to {destination}")


def check_hold_transition(source: str, trigger: str, destination: str) -> None:
    allowed = _HOLD.get((source, trigger), frozenset())
    if destination not in allowed:
        raise TransitionError(f"hold: {trigger} cannot take {source} to {destination}")


def item_triggers_from(source: str) -> set[str]:
    return {trigger for (src, trigger) in _ITEM if src == source}
