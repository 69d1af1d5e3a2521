"""Item status changes outside circulation: missing, repair, withdrawal."""

from __future__ import annotations

import datetime as dt

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.catalogue.models import Item, ItemStatus

from .facts import lock_item
from .routing import set_item_status

_TRIGGER_TO_STATUS = {
    "mark_missing": ItemStatus.MISSING,
    "send_to_repair": ItemStatus.IN_REPAIR,
    "withdraw": ItemStatus.WITHDRAWN,
}


def change_item_status(
    item: Item | str,
    trigger: str,
    *,
    library_id: int,
    actor: Actor,
    at: dt.datetime,
    note: str = "",
) -> Item:
    """Apply `trigger` (mark_missing, send_to_repair, withdraw) per the transition table.
    Items come back from missing or repair by being scanned in (check-in)."""
    if trigger not in _TRIGGER_TO_STATUS:
        raise ValueError(f"unknown item trigger {trigger!r}")
    with audited_atomic():
        item = lock_item(library_id, item)
        before = item.status
        set_item_status(item, trigger, _TRIGGER_TO_STATUS[trigger], at, item.current_branch)
        record(
            f"item.{trigger}",
            item,
            actor=actor,
            at=at,
            data={"from": before, "note": note} if note else {"from": before},
        )
        return item
