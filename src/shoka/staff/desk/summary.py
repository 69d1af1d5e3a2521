"""The patron summary the desk shows after a card is scanned: standing (what would refuse a
loan, and why), loans with due dates, holds, registration expiry. Read-only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shoka.circulation.facts import load_policy, patron_facts
from shoka.circulation.models import ACTIVE_HOLD, Hold, HoldStatus, Loan
from shoka.circulation.policy import PatronFacts, Refusal, RefusalCode
from shoka.organisation.models import Branch
from shoka.patrons.models import Patron

EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class LoanLine:
    loan: Loan
    barcode: str
    title: str
    due_on: dt.date
    days_overdue: int
    renewals: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class HoldLine:
    hold: Hold
    title: str
    status: str
    status_label: str
    pickup_branch: str
    pickup_number: str
    expires_on: dt.date | None


@dataclass(frozen=True)
class PatronSummary:
    patron: Patron
    facts: PatronFacts
    blocks: list[str]
    warnings: list[str]
    loans: list[LoanLine]
    holds_ready: list[HoldLine]
    holds_other: list[HoldLine]
    max_loans: int
    today: dt.date
    expires_soon: bool = False

    @property
    def overdue_count(self) -> int:
        return sum(1 for line in self.loans if line.overdue)


def standing(facts: PatronFacts, today: dt.date, *, block_when_overdue: bool) -> list[str]:
    """Why a loan would be refused whatever the item: the service's own refusal texts."""
    refusals: list[Refusal] = []
    if facts.status == "withdrawn":
        refusals.append(Refusal(RefusalCode.PATRON_WITHDRAWN))
    elif facts.status == "blocked":
        refusals.append(Refusal(RefusalCode.PATRON_BLOCKED, {"reason": facts.block_reason or "—"}))
    if facts.expires_on < today:
        refusals.append(Refusal(RefusalCode.CARD_EXPIRED, {"expired_on": facts.expires_on}))
    if facts.suspended_until is not None and facts.suspended_until >= today:
        refusals.append(Refusal(RefusalCode.PATRON_SUSPENDED, {"until": facts.suspended_until}))
    if block_when_overdue and facts.overdue_count:
        refusals.append(Refusal(RefusalCode.PATRON_HAS_OVERDUE, {"count": facts.overdue_count}))
    return [r.message for r in refusals]


def patron_summary(patron: Patron, branch: Branch, today: dt.date) -> PatronSummary:
    facts = patron_facts(patron, today)
    terms = load_policy(branch.library_id).patron_terms(facts.category, branch.code)
    loans = [
        LoanLine(
            loan=loan,
            barcode=loan.item.barcode,
            title=loan.item.bib.title,
            due_on=loan.due_on,
            days_overdue=max(0, (today - loan.due_on).days),
            renewals=loan.renewals,
        )
        for loan in Loan.objects.filter(patron=patron, returned_at__isnull=True)
        .select_related("item", "item__bib")
        .only(
            "id",
            "due_on",
            "renewals",
            "item",
            "item__barcode",
            "item__bib",
            "item__bib__title",
        )
        .order_by("due_on", "id")
    ]
    holds = [
        HoldLine(
            hold=hold,
            title=hold.bib.title,
            status=hold.status,
            status_label=str(HoldStatus(hold.status).label),
            pickup_branch=hold.pickup_branch.name,
            pickup_number=hold.pickup_number,
            expires_on=hold.expires_on,
        )
        for hold in Hold.objects.filter(patron=patron, status__in=ACTIVE_HOLD)
        .select_related("bib", "pickup_branch")
        .only(
            "id",
            "status",
            "pickup_number",
            "expires_on",
            "placed_at",
            "bib",
            "bib__title",
            "pickup_branch",
            "pickup_branch__name",
        )
        .order_by("placed_at", "id")
    ]
    warnings = []
    expires_soon = today <= patron.expires_on <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    if expires_soon:
        warnings.append(
            _("The registration expires on {date}: offer to renew it.").format(
                date=patron.expires_on
            )
        )
    if facts.loans_total >= terms.max_loans:
        warnings.append(
            _("The limit of {limit} items on loan is reached.").format(limit=terms.max_loans)
        )
    return PatronSummary(
        patron=patron,
        facts=facts,
        blocks=standing(facts, today, block_when_overdue=terms.block_when_overdue),
        warnings=warnings,
        loans=loans,
        holds_ready=[h for h in holds if h.status == HoldStatus.READY],
        holds_other=[h for h in holds if h.status != HoldStatus.READY],
        max_loans=terms.max_loans,
        today=today,
        expires_soon=expires_soon,
    )
