"""Where an item goes when it is scanned in: the hold shelf here, transit to a pickup branch
or home, or back on the shelf. Used by check-in, hold expiry and hold cancellation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from shoka.audit.actors import Actor
from shoka.audit.log import record
from shoka.catalogue.models import Item, ItemStatus
from shoka.organisation.models import Branch
from shoka.organisation.services import hold_shelf_last_day
from shoka.search.queue import enqueue

from .facts import load_policy, local_date, lock_bib
from .models import Hold, HoldStatus
from .policy import PolicyTable
from .transitions import check_hold_transition, check_item_transition


class Route(StrEnum):
    SHELVE = "shelve"  # put it back on the shelf here
    HOLD_SHELF = "hold_shelf"  # put it on the hold shelf here (print a hold slip)
    TRANSIT = "transit"  # send it to `destination` (print a transit slip)


@dataclass(frozen=True)
class Routing:
    route: Route
    destination: Branch | None = None
    hold: Hold | None = None


def set_item_status(
    item: Item, trigger: str, status: str, at: dt.datetime, current_branch: Branch | None
) -> None:
    check_item_transition(item.status, trigger, status)
    item.status = status
    item.current_branch = current_branch
    item.status_changed_at = at
    item.save(update_fields=["status", "current_branch", "status_changed_at"])
    enqueue([item.bib_id])  # availability is searchable (facets, record pages)


def set_hold_status(hold: Hold, trigger: str, status: str) -> None:
    check_hold_transition(hold.status, trigger, status)
    hold.status = status


def _pickup_number(hold: Hold) -> str:
    """A short number for the hold slip (取置番号), unique among the branch's trapped holds."""
    in_use = set(
        Hold.objects.filter(
            pickup_branch_id=hold.pickup_branch_id,
            status__in=[HoldStatus.IN_TRANSIT, HoldStatus.READY],
        )
        .exclude(pk=hold.pk)
        .values_list("pickup_number", flat=True)
    )
    number = hold.pk % 9999 + 1
    while f"{number:04d}" in in_use:
        number = number % 9999 + 1
    return f"{number:04d}"


def make_ready(
    hold: Hold, item: Item, branch: Branch, *, trigger: str, at: dt.datetime, actor: Actor
) -> None:
    set_hold_status(hold, trigger, HoldStatus.READY)
    hold.item = item
    hold.trapped_at = hold.trapped_at or at
    hold.ready_at = at
    hold.expires_on = hold_shelf_last_day(branch, local_date(at))
    hold.pickup_number = hold.pickup_number or _pickup_number(hold)
    hold.save()
    record(
        "hold.ready",
        hold,
        actor=actor,
        at=at,
        data={"item": item.pk, "branch": branch.code, "expires_on": str(hold.expires_on)},
    )


def route_item(
    item: Item,
    branch: Branch,
    *,
    trigger: str,
    policy: PolicyTable | None,
    at: dt.datetime,
    actor: Actor,
) -> Routing:
    """Decide and apply the item's next status after it was scanned in at `branch`.
    `policy` None: the rule table is loaded here, only if a hold is waiting for the title."""
    trapped = (  # of=self: FOR UPDATE would lock the joined pickup branch row as well
        Hold.objects.select_for_update(of=("self",))
        .filter(item=item, status__in=[HoldStatus.IN_TRANSIT, HoldStatus.READY])
        .select_related("pickup_branch")
        .first()
    )
    if trapped is not None:
        if trapped.status == HoldStatus.READY:
            return Routing(Route.HOLD_SHELF, trapped.pickup_branch, trapped)
        if trapped.pickup_branch_id == branch.pk:
            make_ready(trapped, item, branch, trigger="arrive", at=at, actor=actor)
            set_item_status(item, trigger, ItemStatus.ON_HOLD_SHELF, at, branch)
            return Routing(Route.HOLD_SHELF, branch, trapped)
        set_item_status(item, trigger, ItemStatus.IN_TRANSIT, at, branch)
        return Routing(Route.TRANSIT, trapped.pickup_branch, trapped)

    lock_bib(item.bib_id)
    for hold in (
        Hold.objects.select_for_update(of=("self",))
        .filter(bib_id=item.bib_id, status=HoldStatus.WAITING)
        .select_related("pickup_branch")
        .order_by("placed_at", "id")
    ):
        if policy is None:
            policy = load_policy(item.library_id)
        terms = policy.loan_terms(
            hold.patron_category, item.loan_category.code, hold.pickup_branch.code
        )
        if not (terms.holds_allowed and item.loan_category.loanable):
            continue
        hold.item = item
        hold.trapped_at = at
        if hold.pickup_branch_id == branch.pk:
            make_ready(hold, item, branch, trigger="trap", at=at, actor=actor)
            set_item_status(item, trigger, ItemStatus.ON_HOLD_SHELF, at, branch)
            return Routing(Route.HOLD_SHELF, branch, hold)
        set_hold_status(hold, "trap", HoldStatus.IN_TRANSIT)
        hold.pickup_number = _pickup_number(hold)
        hold.save()
        record(
            "hold.trapped",
            hold,
            actor=actor,
            at=at,
            data={"item": item.pk, "to": hold.pickup_branch.code},
        )
        set_item_status(item, trigger, ItemStatus.IN_TRANSIT, at, branch)
        return Routing(Route.TRANSIT, hold.pickup_branch, hold)

    if item.branch_id != branch.pk:
        set_item_status(item, trigger, ItemStatus.IN_TRANSIT, at, branch)
        return Routing(Route.TRANSIT, item.branch)
    set_item_status(item, trigger, ItemStatus.AVAILABLE, at, branch)
    return Routing(Route.SHELVE, branch)
