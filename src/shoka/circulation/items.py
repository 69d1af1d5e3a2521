"""Item status changes outside circulation: missing, repair, withdrawal, and transfer of an
item to another home branch (it travels in transit and is received there by a check-in)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.catalogue.models import Item, ItemStatus
from shoka.organisation.models import Branch, Location
from shoka.search.queue import enqueue

from .facts import lock_item
from .models import TRAPPED_HOLD, Hold, Loan
from .routing import set_item_status

_TRIGGER_TO_STATUS = {
    "mark_missing": ItemStatus.MISSING,
    "send_to_repair": ItemStatus.IN_REPAIR,
    "withdraw": ItemStatus.WITHDRAWN,
}


class ItemActionRefused(Exception):  # noqa: N818 — a refusal, not a crash
    """A withdrawal or transfer that cannot be done; `message` says why, for the staff."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


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
    Items come back from missing or repair by being scanned in (check-in). A withdrawal is
    refused for an item set aside for a hold, as :func:`withdraw_item` refuses it."""
    if trigger not in _TRIGGER_TO_STATUS:
        raise ValueError(f"unknown item trigger {trigger!r}")
    with audited_atomic():
        item = lock_item(library_id, item)
        if trigger == "withdraw":
            _refuse_if_held(item)  # the transition table refuses the other cases
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


def _refuse_if_in_use(item: Item) -> None:
    """An item lent to a patron or set aside for one cannot leave its place."""
    if (
        item.status == ItemStatus.ON_LOAN
        or Loan.objects.filter(item=item, returned_at__isnull=True).exists()
    ):
        raise ItemActionRefused(
            "on_loan", _("The item is on loan: it can be changed after it has been returned.")
        )
    _refuse_if_held(item)
    if item.status == ItemStatus.WITHDRAWN:
        raise ItemActionRefused("withdrawn", _("The item is already withdrawn."))
    if item.status == ItemStatus.IN_TRANSIT:
        raise ItemActionRefused(
            "in_transit", _("The item is in transit: receive it at its destination first.")
        )


def _refuse_if_held(item: Item) -> None:
    if Hold.objects.filter(item=item, status__in=TRAPPED_HOLD).exists():
        raise ItemActionRefused(
            "held",
            _(
                "The item is set aside for a hold (on the hold shelf or on its way to the "
                "pickup branch): collect or cancel the hold first."
            ),
        )


def withdraw_item(item: Item, *, reason: str, actor: Actor, at: dt.datetime) -> Item:
    """Withdraw (除籍) an item for `reason` (worn out, lost, transferred away…). Refused while
    the item is on loan, set aside for a hold or in transit."""
    reason = reason.strip()
    if not reason:
        raise ItemActionRefused("no_reason", _("Give the reason for the withdrawal."))
    with audited_atomic():
        item = lock_item(item.library_id, item)
        _refuse_if_in_use(item)
        before = item.status
        set_item_status(item, "withdraw", ItemStatus.WITHDRAWN, at, item.current_branch)
        record("item.withdrawn", item, actor=actor, at=at, data={"from": before, "reason": reason})
        return item


def transfer_item(
    item: Item, location: Location, *, actor: Actor, at: dt.datetime, note: str = ""
) -> Item:
    """Make `location` (at another branch) the item's new home. An item on the shelf at its
    old branch goes in transit to the new one and is received there by a check-in (which
    shelves it, since it is now at home); one already at the new branch stays available."""
    with audited_atomic():
        item = lock_item(item.library_id, item)
        destination: Branch = location.branch
        if destination.library_id != item.library_id:
            raise ItemActionRefused("other_library", _("That branch belongs to another library."))
        if destination.pk == item.branch_id:
            raise ItemActionRefused(
                "same_branch",
                _("The item already belongs to {branch}: edit its location instead.").format(
                    branch=destination.name
                ),
            )
        _refuse_if_in_use(item)
        if item.status != ItemStatus.AVAILABLE:
            raise ItemActionRefused(
                "unavailable",
                _("Only an item on the shelf can be transferred (this one is {status}).").format(
                    status=ItemStatus(item.status).label
                ),
            )
        origin = item.branch
        here = item.current_branch or origin
        item.branch = destination
        item.location = location
        item.updated_at = at
        item.save(update_fields=["branch", "location", "updated_at"])
        enqueue([item.bib_id])  # the branch facet
        in_transit = here.pk != destination.pk
        if in_transit:
            set_item_status(item, "transfer", ItemStatus.IN_TRANSIT, at, here)
        data = {
            "from": origin.code,
            "to": destination.code,
            "location": location.code,
            "in_transit": in_transit,
        }
        if note.strip():
            data["note"] = note.strip()
        record("item.transferred", item, actor=actor, at=at, data=data)
        return item
