"""Title-level holds (予約): place, cancel, expire. The queue is in request order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.catalogue.models import Bib, Item, ItemStatus
from shoka.organisation.models import Branch, BranchKind
from shoka.patrons.models import NotifyChannel, Patron
from shoka.publish.queue import enqueue as publish_enqueue

from .errors import CirculationRefused
from .facts import load_policy, local_date, lock_bib, lock_item, lock_patron, patron_facts
from .models import ACTIVE_HOLD, Hold, HoldStatus, Loan
from .overrides import allow_override, record_override
from .policy import HoldContext, Refusal, RefusalCode, hold_refusals
from .routing import Routing, route_item, set_hold_status

_HOLDABLE_STATUSES = [
    ItemStatus.AVAILABLE,
    ItemStatus.ON_LOAN,
    ItemStatus.IN_TRANSIT,
    ItemStatus.ON_HOLD_SHELF,
    ItemStatus.IN_REPAIR,
]


def place_hold(
    bib: Bib,
    patron: Patron | str | int,
    *,
    pickup_branch: Branch,
    actor: Actor,
    at: dt.datetime,
    notify_channel: str | None = None,
    override_reason: str = "",
) -> Hold:
    """Queue a hold on a title for a patron, collected at `pickup_branch`."""

    with audited_atomic():
        patron = lock_patron(bib.library_id, patron)
        lock_bib(bib.pk)
        today = local_date(at)
        policy = load_policy(bib.library_id)
        facts = patron_facts(patron, today)
        items = Item.objects.filter(bib=bib, status__in=_HOLDABLE_STATUSES).select_related(
            "loan_category"
        )
        holdable = sum(
            1
            for it in items
            if it.loan_category.loanable
            and policy.loan_terms(
                facts.category, it.loan_category.code, pickup_branch.code
            ).holds_allowed
        )
        ctx = HoldContext(
            today=today,
            patron=facts,
            patron_terms=policy.patron_terms(facts.category, pickup_branch.code),
            holdable_items=holdable,
            already_held=Hold.objects.filter(
                patron=patron, bib=bib, status__in=ACTIVE_HOLD
            ).exists(),
            already_on_loan=Loan.objects.filter(
                patron=patron, item__bib=bib, returned_at__isnull=True
            ).exists(),
            pickup_branch_ok=(
                pickup_branch.library_id == bib.library_id
                and pickup_branch.is_active
                and pickup_branch.kind != BranchKind.BOOKMOBILE
            ),
        )
        refusals = hold_refusals(ctx)
        if not holdable and not items.exists():  # say so, whatever else is refused
            refusals = [
                Refusal(RefusalCode.NO_HOLDABLE_ITEMS)
                if r.code == RefusalCode.HOLDS_NOT_ALLOWED
                else r
                for r in refusals
            ]
        overridden = allow_override(refusals, override_reason, actor)
        channel = notify_channel or patron.notify_channel
        if channel == NotifyChannel.EMAIL and not patron.email:
            channel = NotifyChannel.POSTCARD
        try:
            with transaction.atomic():
                hold = Hold.objects.create(
                    bib=bib,
                    patron=patron,
                    pickup_branch=pickup_branch,
                    notify_channel=channel,
                    placed_at=at,
                    status=HoldStatus.WAITING,
                    patron_category=facts.category,
                )
        except IntegrityError as exc:  # one active hold per patron and title
            raise CirculationRefused([Refusal(RefusalCode.ALREADY_HELD)]) from exc
        publish_enqueue([bib.pk])  # the public hold-queue length (docs/publishing.md)
        record(
            "hold.placed",
            hold,
            actor=actor,
            at=at,
            data={"bib": bib.pk, "pickup": pickup_branch.code},
        )
        record_override(
            "hold.refusal_overridden", hold, overridden, override_reason, actor=actor, at=at
        )
        return hold


def _close(hold: Hold, trigger: str, status: str, *, by: str, at: dt.datetime) -> None:
    set_hold_status(hold, trigger, status)
    hold.closed_at = at
    hold.closed_by = by
    publish_enqueue([hold.bib_id])  # the public hold-queue length
    patron = hold.patron
    if patron is not None and not patron.keeps_reading_history:
        hold.patron = None
    hold.save()


def _release_item(hold: Hold, *, at: dt.datetime, actor: Actor) -> Routing | None:
    """After a trapped hold ends, pass its item on (next in the queue, home, or shelf)."""
    if hold.item_id is None:
        return None
    item = Item.objects.select_related("loan_category", "branch").get(pk=hold.item_id)
    if item.status != ItemStatus.ON_HOLD_SHELF:
        return None  # still travelling: routed when it arrives
    branch = hold.pickup_branch
    return route_item(
        item, branch, trigger="release", policy=load_policy(item.library_id), at=at, actor=actor
    )


def _lock_hold_and_item(hold: Hold) -> Hold:
    """Lock a hold and its trapped item, item first (the order checkout and check-in use).
    The trapped item is read afresh: the hold may have been trapped since it was loaded."""
    while True:
        item_id = Hold.objects.filter(pk=hold.pk).values_list("item_id", flat=True).get()
        if item_id is not None:
            lock_item(hold.bib.library_id, Item.objects.only("barcode").get(pk=item_id))
        locked = (
            Hold.objects.select_for_update(of=("self",))
            .select_related("pickup_branch", "patron", "bib")
            .get(pk=hold.pk)
        )
        if locked.item_id == item_id:
            return locked
        # Trapped (or released) between the two reads: lock again in the right order.


def cancel_hold(hold: Hold, *, actor: Actor, at: dt.datetime, by: str = "staff") -> Routing | None:
    """Cancel a hold (by the patron or staff); a trapped item passes to the next in line."""
    with audited_atomic():
        hold = _lock_hold_and_item(hold)
        if hold.status not in ACTIVE_HOLD:
            raise CirculationRefused([Refusal(RefusalCode.HOLD_NOT_ACTIVE)])
        was = hold.status
        _close(hold, "cancel", HoldStatus.CANCELLED, by=by, at=at)
        record("hold.cancelled", hold, actor=actor, at=at, data={"by": by, "was": was})
        # A ready item passes on now; one still travelling is routed when it arrives.
        return _release_item(hold, at=at, actor=actor) if was == HoldStatus.READY else None


@dataclass(frozen=True)
class ExpiredHold:
    """A hold that expired, and where its item went (None: still travelling)."""

    hold: Hold
    routing: Routing | None


def expire_holds(
    *, library_id: int, actor: Actor, at: dt.datetime, pickup_branch: Branch | None = None
) -> list[Hold]:
    """Holds left on the shelf past their last pickup day expire; each item passes to the next
    patron in the queue (or goes home). Idempotent: a second run finds nothing to do.
    With `pickup_branch`, only that branch's hold shelf is cleared."""
    done = _expire_due(library_id=library_id, actor=actor, at=at, pickup_branch=pickup_branch)
    return [e.hold for e in done]


def clear_expired_holds(branch: Branch, *, actor: Actor, at: dt.datetime) -> list[ExpiredHold]:
    """Clear one branch's hold shelf of expired holds (the hold-shelf page's action): like
    `expire_holds`, and says for each item where it goes now (shelf, next hold, transit)."""
    return _expire_due(library_id=branch.library_id, actor=actor, at=at, pickup_branch=branch)


def _expire_due(
    *, library_id: int, actor: Actor, at: dt.datetime, pickup_branch: Branch | None
) -> list[ExpiredHold]:
    today = local_date(at)
    expired: list[ExpiredHold] = []
    due = Hold.objects.filter(
        bib__library_id=library_id, status=HoldStatus.READY, expires_on__lt=today
    ).order_by("expires_on", "id")
    if pickup_branch is not None:
        due = due.filter(pickup_branch=pickup_branch)
    for candidate in due:
        with audited_atomic():
            hold = _lock_hold_and_item(candidate)
            if hold.status != HoldStatus.READY:
                continue
            _close(hold, "expire", HoldStatus.EXPIRED, by="system", at=at)
            record(
                "hold.expired",
                hold,
                actor=actor,
                at=at,
                data={"item": hold.item_id, "expires_on": str(hold.expires_on)},
            )
            routing = _release_item(hold, at=at, actor=actor)
            expired.append(ExpiredHold(hold, routing))
    return expired
