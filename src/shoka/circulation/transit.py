"""Receiving an item in transit at the branch it was sent to (staff/holds transit list)."""

from __future__ import annotations

import datetime as dt

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic
from shoka.catalogue.models import Item, ItemStatus
from shoka.organisation.models import Branch

from .errors import CirculationRefused
from .facts import lock_item
from .loans import CheckinResult, checkin
from .policy import Refusal, RefusalCode


def receive_transit(
    item: Item | str, *, branch: Branch, actor: Actor, at: dt.datetime
) -> CheckinResult:
    """The item arrived at `branch`: scan it in there, as the desk's return mode does, so it
    goes on this branch's hold shelf, back on its shelf here, or on in transit (audited as
    `item.scanned_in`, and `hold.ready` when a hold is waiting for it here). Refused with
    `not_in_transit` when the item is not in transit (received twice)."""
    with audited_atomic():
        locked = lock_item(branch.library_id, item)
        if locked.status != ItemStatus.IN_TRANSIT:
            raise CirculationRefused([Refusal(RefusalCode.NOT_IN_TRANSIT)])
        return checkin(locked, branch=branch, actor=actor, at=at)
