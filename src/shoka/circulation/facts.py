"""Loading what the pure policy needs: the rule table, patron facts, item facts, locks."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from shoka.catalogue.models import Bib, Item
from shoka.config_cache import cached
from shoka.organisation.models import Library
from shoka.patrons.indexes import card_lookups
from shoka.patrons.models import Patron

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
    """The library's rule table, from the configuration cache (shoka.config_cache)."""
    library_id = library if isinstance(library, int) else library.pk
    return cached(("policy", library_id), lambda: _load_policy(library_id))


def _load_policy(library: Library | int) -> PolicyTable:
    # Read on every checkout and check-in: plain tuples (values_list), not model instances
    # with their related rows — the same rows for a fraction of the ORM work (bench/).
    library_id = library if isinstance(library, int) else library.pk
    loan_rows = tuple(
        LoanRuleRow(
            patron_category=patron_category,
            loan_category=loan_category,
            branch=branch,
            terms=LoanTerms(
                loan_period=loan_period,
                period_unit=PeriodUnit(period_unit),
                max_items=max_items,
                renewals=renewals,
                holds_allowed=holds_allowed,
            ),
        )
        for (
            patron_category,
            loan_category,
            branch,
            loan_period,
            period_unit,
            max_items,
            renewals,
            holds_allowed,
        ) in LoanRule.objects.filter(library_id=library_id).values_list(
            "patron_category__code",
            "loan_category__code",
            "branch__code",
            "loan_period",
            "period_unit",
            "max_items",
            "renewals",
            "holds_allowed",
        )
    )
    patron_rows = tuple(
        PatronRuleRow(
            patron_category=patron_category,
            branch=branch,
            terms=PatronTerms(
                max_loans=max_loans,
                max_holds=max_holds,
                block_when_overdue=block_when_overdue,
                suspension_mode=SuspensionMode(suspension_mode),
                suspension_days=suspension_days,
            ),
        )
        for (
            patron_category,
            branch,
            max_loans,
            max_holds,
            block_when_overdue,
            suspension_mode,
            suspension_days,
        ) in PatronRule.objects.filter(library_id=library_id).values_list(
            "patron_category__code",
            "branch__code",
            "max_loans",
            "max_holds",
            "block_when_overdue",
            "suspension_mode",
            "suspension_days",
        )
    )
    return PolicyTable(loan_rules=loan_rows, patron_rules=patron_rows)


def patron_facts(patron: Patron, today: dt.date) -> PatronFacts:
    # One query for the open loans per loan category and how many of them are overdue.
    per_category = list(
        Loan.objects.filter(patron=patron, returned_at__isnull=True)
        .values_list("item__loan_category__code")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
    )
    by_category = {code: n for code, n, _ in per_category}
    return PatronFacts(
        category=patron.category.code,
        status=patron.status,
        expires_on=patron.expires_on,
        suspended_until=patron.suspended_until,
        block_reason=patron.block_reason,
        overdue_count=sum(overdue for _, _, overdue in per_category),
        loans_total=sum(by_category.values()),
        loans_by_category=by_category,
        holds_active=Hold.objects.filter(patron=patron, status__in=ACTIVE_HOLD).count(),
    )


def lock_item(library: Library | int, item: Item | str) -> Item:
    """The item row, locked for the rest of the transaction (always the first lock taken).
    Its title is not joined: circulation needs only `bib_id`, and the title row carries the
    catalogue record (MARC source) that every scan would otherwise read."""
    library_id = library if isinstance(library, int) else library.pk
    barcode = item.barcode if isinstance(item, Item) else item.strip()
    found = (
        Item.objects.select_for_update(of=("self",))
        .select_related("loan_category", "branch")
        .filter(library_id=library_id, barcode=barcode)
        .first()
    )
    if found is None:
        raise CirculationRefused([Refusal(RefusalCode.UNKNOWN_BARCODE, {"barcode": barcode})])
    return found


def lock_patron(library: Library | int, patron: Patron | str | int) -> Patron:
    library_id = library if isinstance(library, int) else library.pk
    locked = Patron.objects.select_for_update(of=("self",)).select_related(
        "category", "home_branch"
    )
    if isinstance(patron, str):
        # Found by the card's blind index and locked in one query (the lookup of
        # patrons.services.find_patron_by_card), not read, decrypted and read again.
        found = locked.filter(library_id=library_id, card_index__in=card_lookups(patron)).first()
        if found is None:
            raise CirculationRefused([Refusal(RefusalCode.UNKNOWN_CARD, {"card": patron})])
        return found
    return locked.get(pk=patron.pk if isinstance(patron, Patron) else patron)


def lock_bib(bib_id: int) -> Bib:
    """Serialises work on one title's hold queue."""
    return Bib.objects.select_for_update().only("id").get(pk=bib_id)
