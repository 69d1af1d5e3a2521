"""Checkout, check-in and renewal: named actions, each one transaction with its audit events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.catalogue.models import Item, ItemStatus
from shoka.organisation.models import Branch
from shoka.organisation.services import due_date
from shoka.patrons.contact import age_band, age_on
from shoka.patrons.models import Patron
from shoka.publish.queue import enqueue as publish_enqueue

from .errors import CirculationRefused
from .facts import load_policy, local_date, lock_item, lock_patron, patron_facts
from .models import ACTIVE_HOLD, Hold, HoldStatus, Loan
from .overrides import allow_override, record_override
from .policy import (
    CheckoutContext,
    ItemFacts,
    LoanTerms,
    PeriodUnit,
    PolicyTable,
    Refusal,
    RefusalCode,
    RenewalContext,
    checkout_refusals,
    renewal_refusals,
    suspension_after_return,
)
from .routing import Routing, route_item, set_hold_status, set_item_status


@dataclass(frozen=True)
class CheckoutResult:
    loan: Loan
    overridden: list[Refusal] = field(default_factory=list)
    hold_collected: Hold | None = None


@dataclass(frozen=True)
class CheckinResult:
    item: Item
    routing: Routing
    loan: Loan | None = None
    days_late: int = 0
    suspended_until: dt.date | None = None


@dataclass(frozen=True)
class RenewResult:
    loan: Loan
    previous_due_on: dt.date
    overridden: list[Refusal] = field(default_factory=list)


def _due_on(branch: Branch, terms: LoanTerms, today: dt.date) -> dt.date:
    return due_date(
        branch, today, terms.loan_period, opening_days=terms.period_unit == PeriodUnit.OPENING_DAYS
    )


def checkout(
    item: Item | str,
    patron: Patron | str | int,
    *,
    branch: Branch,
    actor: Actor,
    at: dt.datetime,
    override_reason: str = "",
) -> CheckoutResult:
    """Lend `item` to `patron` at `branch`. Raises CirculationRefused with every reason."""
    with audited_atomic():
        item = lock_item(branch.library_id, item)
        patron = lock_patron(branch.library_id, patron)
        today = local_date(at)
        policy = load_policy(branch.library_id)
        trapped = Hold.objects.filter(
            item=item, status__in=[HoldStatus.IN_TRANSIT, HoldStatus.READY]
        ).first()
        # Whose loan it is matters only for an item on loan (item_is_available).
        open_loan = (
            Loan.objects.filter(item=item, returned_at__isnull=True).first()
            if item.status == ItemStatus.ON_LOAN
            else None
        )
        facts = patron_facts(patron, today)
        loan_terms = policy.loan_terms(facts.category, item.loan_category.code, branch.code)
        patron_terms = policy.patron_terms(facts.category, branch.code)
        ctx = CheckoutContext(
            today=today,
            patron=facts,
            item=ItemFacts(
                status=item.status,
                loan_category=item.loan_category.code,
                loan_category_name=item.loan_category.name,
                loanable=item.loan_category.loanable,
                on_loan_to_this_patron=bool(open_loan and open_loan.patron_id == patron.pk),
                held_for_this_patron=bool(trapped and trapped.patron_id == patron.pk),
                held_for_other=bool(trapped and trapped.patron_id != patron.pk),
            ),
            loan_terms=loan_terms,
            patron_terms=patron_terms,
        )
        overridden = allow_override(checkout_refusals(ctx), override_reason, actor)

        due_on = _due_on(branch, loan_terms, today)
        birth = patron.birth_date
        try:
            # No savepoint (two round trips on every checkout): on an IntegrityError the
            # refusal below leaves the enclosing atomic block, which rolls back all of it.
            with transaction.atomic(savepoint=False):
                loan = Loan.objects.create(
                    item=item,
                    patron=patron,
                    branch=branch,
                    checked_out_at=at,
                    due_on=due_on,
                    patron_category=facts.category,
                    age_band=age_band(age_on(birth, today)) if birth else "",
                    area_code=patron.area_code,
                    overridden=bool(overridden),
                )
        except IntegrityError as exc:  # the database's own guard: one open loan per item
            raise CirculationRefused([Refusal(RefusalCode.ITEM_ON_LOAN)]) from exc
        set_item_status(item, "checkout", ItemStatus.ON_LOAN, at, branch)

        # No active hold among the patron's (counted above, under the patron's lock): no
        # need to look for one on this title.
        collected = (
            trapped
            if ctx.item.held_for_this_patron
            else (_own_hold_on_title(item, patron) if facts.holds_active else None)
        )
        if collected is not None:
            # The patron may take another copy than the one trapped for them (from the open
            # shelf): the hold is collected all the same and that copy passes on.
            other_copy = collected.item if collected.item_id not in (None, item.pk) else None
            set_hold_status(collected, "collect", HoldStatus.FULFILLED)
            collected.item = item
            collected.closed_at = at
            collected.closed_by = "patron"
            if not patron.keeps_reading_history:
                collected.patron = None
            collected.save()
            record("hold.collected", collected, actor=actor, at=at, data={"item": item.pk})
            if other_copy is not None and other_copy.status == ItemStatus.ON_HOLD_SHELF:
                route_item(
                    other_copy,
                    collected.pickup_branch,
                    trigger="release",
                    policy=policy,
                    at=at,
                    actor=actor,
                )

        record(
            "loan.checked_out",
            loan,
            actor=actor,
            at=at,
            data={"item": item.pk, "branch": branch.code, "due_on": str(due_on)},
        )
        record_override(
            "loan.refusal_overridden", loan, overridden, override_reason, actor=actor, at=at
        )
        return CheckoutResult(loan=loan, overridden=overridden, hold_collected=collected)


def _own_hold_on_title(item: Item, patron: Patron) -> Hold | None:
    """The patron's active hold on the item's title, locked (its trapped copy first)."""
    hold = (
        Hold.objects.filter(bib_id=item.bib_id, patron=patron, status__in=ACTIVE_HOLD)
        .only("id", "item_id")
        .first()
    )
    if hold is None:
        return None
    if hold.item_id is not None and hold.item_id != item.pk:  # lock order: items first
        lock_item(item.library_id, Item.objects.only("barcode").get(pk=hold.item_id))
    return (
        Hold.objects.select_for_update(of=("self",))
        .select_related("pickup_branch", "item")
        .get(pk=hold.pk)
    )


def checkin(item: Item | str, *, branch: Branch, actor: Actor, at: dt.datetime) -> CheckinResult:
    """Return (or scan in) an item at any branch and route it: hold shelf, transit or shelf.
    The loan keeps its statistics and drops the patron unless they keep a reading history."""
    with audited_atomic():
        item = lock_item(branch.library_id, item)
        today = local_date(at)
        policy: PolicyTable | None = None  # loaded only when needed: most returns are on time
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("branch")
            .filter(item=item, returned_at__isnull=True)
            .first()
        )
        days_late, suspended_until = 0, None
        if loan is not None:
            patron = lock_patron(branch.library_id, loan.patron_id or 0)
            days_late = max(0, (today - loan.due_on).days)
            if days_late:  # only a late return earns a suspension (suspension_after_return)
                policy = load_policy(branch.library_id)
                terms = policy.patron_terms(patron.category.code, loan.branch.code)
                suspended_until = suspension_after_return(terms, loan.due_on, today)
            if suspended_until and (
                patron.suspended_until is None or suspended_until > patron.suspended_until
            ):
                patron.suspended_until = suspended_until
                patron.save(update_fields=["suspended_until"])
            loan.returned_at = at
            loan.return_branch = branch
            loan.history_kept = patron.keeps_reading_history
            if not loan.history_kept:
                loan.patron = None
            loan.save(update_fields=["returned_at", "return_branch", "history_kept", "patron"])
            record(
                "loan.returned",
                loan,
                actor=actor,
                at=at,
                data={
                    "item": item.pk,
                    "branch": branch.code,
                    "days_late": days_late,
                    "suspension_applied": suspended_until is not None,
                },
            )
        routing = route_item(item, branch, trigger="checkin", policy=policy, at=at, actor=actor)
        if loan is None:
            record(
                "item.scanned_in",
                item,
                actor=actor,
                at=at,
                data={"branch": branch.code, "route": routing.route.value},
            )
        return CheckinResult(
            item=item,
            routing=routing,
            loan=loan,
            days_late=days_late,
            suspended_until=suspended_until,
        )


def renew(
    item: Item | str,
    *,
    actor: Actor,
    at: dt.datetime,
    branch: Branch | None = None,
    override_reason: str = "",
) -> RenewResult:
    """Extend an open loan from today. Refused while a hold waits for the title, while the
    patron has overdue items, or when renewals are used up."""
    library_id = (
        branch.library_id if branch else (item.library_id if isinstance(item, Item) else None)
    )
    if library_id is None:
        raise ValueError("renew by barcode needs the branch (for its library)")
    with audited_atomic():
        item = lock_item(library_id, item)
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("branch")
            .filter(item=item, returned_at__isnull=True)
            .first()
        )
        if loan is None:
            raise CirculationRefused([Refusal(RefusalCode.NOT_ON_LOAN)])
        patron = lock_patron(library_id, loan.patron_id or 0)
        today = local_date(at)
        policy = load_policy(library_id)
        facts = patron_facts(patron, today)
        loan_branch = branch or loan.branch
        loan_terms = policy.loan_terms(facts.category, item.loan_category.code, loan_branch.code)
        ctx = RenewalContext(
            today=today,
            patron=facts,
            renewals_done=loan.renewals,
            holds_waiting=Hold.objects.filter(
                bib_id=item.bib_id, status=HoldStatus.WAITING
            ).count(),
            loan_terms=loan_terms,
            patron_terms=policy.patron_terms(facts.category, loan_branch.code),
        )
        overridden = allow_override(renewal_refusals(ctx), override_reason, actor)
        previous = loan.due_on
        loan.due_on = max(previous, _due_on(loan_branch, loan_terms, today))
        loan.renewals += 1
        loan.save(update_fields=["due_on", "renewals"])
        publish_enqueue([item.bib_id])  # the public due date (docs/publishing.md)
        record(
            "loan.renewed",
            loan,
            actor=actor,
            at=at,
            data={"item": item.pk, "due_on": str(loan.due_on), "renewals": loan.renewals},
        )
        record_override(
            "loan.refusal_overridden", loan, overridden, override_reason, actor=actor, at=at
        )
        return RenewResult(loan=loan, previous_due_on=previous, overridden=overridden)
