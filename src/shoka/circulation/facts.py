"""Loading what the pure policy needs: the rule table, patron facts, item facts, locks."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from shoka.catalogue.models import Bib, Item
from shoka.organisation.models import Library
from shoka.patrons.models import Patron
from shoka.patrons.services import find_patron_by_card

from .errors import CirculationRefused
from .models import ACTIVE_HOLD, Hold, Loan, LoanRule, PatronRule
from .policy import (
    LoanRuleRow,
    LoanTerms,
    PatronFacts,
    PatronRuleRow,
    PatronTerms,
    PeriodUnit,
    PolicyTable,
    Refusal,
    RefusalCode,
    SuspensionMode,
)


def local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def load_policy(library: Library | int) -> PolicyTable:
    library_id = library if isinstance(library, int) else library.pk
    loan_rows = tuple(
        LoanRuleRow(
            patron_category=r.patron_category.code if r.patron_category else None,
            loan_category=r.loan_category.code if r.loan_category else None,
            branch=r.branch.code if r.branch else None,
            terms=LoanTerms(
                loan_period=r.loan_period, period_unit=PeriodUnit(r.period_unit),
                max_items=r.max_items, renewals=r.renewals, holds_allowed=r.holds_allowed,
            ),
        )
        for r in LoanRule.objects.filter(library_id=library_id).select_related(
            "patron_category", "loan_category", "branch"
        )
    )
    patron_rows = tuple(
        PatronRuleRow(
            patron_category=r.patron_category.code if r.patron_category else None,
            branch=r.branch.code if r.branch else None,
            terms=PatronTerms(
                max_loans=r.max_loans, max_holds=r.max_holds,
                block_when_overdue=r.block_when_overdue,
                suspension_mode=SuspensionMode(r.suspension_mode),
                suspension_days=r.suspension_days,
            ),
        )
        for r in PatronRule.objects.filter(library_id=library_id).select_related(
            "patron_category", "branch"
        )
    )
    return PolicyTable(loan_rules=loan_rows, patron_rules=patron_rows)


def patron_facts(patron: Patron, today: dt.date) -> PatronFacts:
    open_loans = Loan.objects.filter(patron=patron, returned_at__isnull=True)
    by_category = dict(
        open_loans.values_list("item__loan_category__code").annotate(n=Count("id"))
    )
    return PatronFacts(
        category=patron.category.code,
        status=patron.status,
        expires_on=patron.expires_on,
        suspended_until=patron.suspended_until,
        block_reason=patron.block_reason,
        overdue_count=open_loans.filter(due_on__lt=today).count(),
        loans_total=sum(by_category.values()),
        loans_by_category=by_category,
        holds_active=Hold.objects.filter(patron=patron, status__in=ACTIVE_HOLD).count(),
    )


def lock_item(library: Library | int, item: Item | str) -> Item:
    """The item row, locked for the rest of the transaction (always the first lock taken)."""
    library_id = library if isinstance(library, int) else library.pk
    barcode = item.barcode if isinstance(item, Item) else item.strip()
    found = (
        Item.objects.select_for_update(of=("self",))
        .select_related("loan_category", "branch", "bib")
        .filter(library_id=library_id, barcode=barcode)
        .first()
    )
    if found is None:
        raise CirculationRefused([Refusal(RefusalCode.UNKNOWN_BARCODE, {"barcode": barcode})])
    return found


def lock_patron(library: Library | int, patron: Patron | str | int) -> Patron:
    library_id = library if isinstance(library, int) else library.pk
    if isinstance(patron, str):
        found = find_patron_by_card(library_id, patron)
        if found is None:
            raise CirculationRefused([Refusal(RefusalCode.UNKNOWN_CARD, {"card": patron})])
        patron = found
    pk = patron.pk if isinstance(patron, Patron) else patron
    return (
        Patron.objects.select_for_update(of=("self",))
        .select_related("category", "home_branch")
        .get(pk=pk)
    )


def lock_bib(bib_id: int) -> Bib:
    """Serialises work on one title's hold queue."""
    return Bib.objects.select_for_update().only("id").get(pk=bib_id)
