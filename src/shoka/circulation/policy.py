"""Circulation policy as pure functions of explicit arguments.

No clock, request, settings or database reads happen here: services load the rule table and
the facts (patron state, item state, today's date) and pass them in. Checks are a table of
small named functions (CHECKOUT_RULES, RENEWAL_RULES, HOLD_RULES), each returning a Refusal
or None, so every rule has its own test.

Rule fallback: a rule row whose key field is empty (None) matches any value. Among matching
rows the most specific wins, comparing loan category first, then patron category, then
branch: (AV, any, any) beats (any, child, any), which beats (any, any, bookmobile), which
beats the library default (any, any, any).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# --- terms -----------------------------------------------------------------------------


class PeriodUnit(StrEnum):
    DAYS = "days"
    OPENING_DAYS = "opening_days"


class SuspensionMode(StrEnum):
    NONE = "none"
    DAYS_AFTER_RETURN = "days_after_return"
    DAYS_PER_DAY_LATE = "days_per_day_late"


@dataclass(frozen=True)
class LoanTerms:
    loan_period: int = 14
    period_unit: PeriodUnit = PeriodUnit.DAYS
    max_items: int | None = None  # of this loan category; None: only the total limit applies
    renewals: int = 1
    holds_allowed: bool = True


@dataclass(frozen=True)
class PatronTerms:
    max_loans: int = 10
    max_holds: int = 10
    block_when_overdue: bool = True
    suspension_mode: SuspensionMode = SuspensionMode.NONE
    suspension_days: int = 0


# Defaults follow Japanese practice (MISSION.md): 10 items for 2 weeks, one renewal, no fines.
DEFAULT_LOAN_TERMS = LoanTerms()
DEFAULT_PATRON_TERMS = PatronTerms()


@dataclass(frozen=True)
class LoanRuleRow:
    patron_category: str | None
    loan_category: str | None
    branch: str | None
    terms: LoanTerms


@dataclass(frozen=True)
class PatronRuleRow:
    patron_category: str | None
    branch: str | None
    terms: PatronTerms


def _matches(rule_value: str | None, value: str) -> bool:
    return rule_value is None or rule_value == value


@dataclass(frozen=True)
class PolicyTable:
    loan_rules: tuple[LoanRuleRow, ...] = ()
    patron_rules: tuple[PatronRuleRow, ...] = ()

    def loan_terms(self, patron_category: str, loan_category: str, branch: str) -> LoanTerms:
        best: tuple[int, LoanTerms] | None = None
        for row in self.loan_rules:
            if not (
                _matches(row.patron_category, patron_category)
                and _matches(row.loan_category, loan_category)
                and _matches(row.branch, branch)
            ):
                continue
            score = (
                (row.loan_category is not None) * 4
                + (row.patron_category is not None) * 2
                + (row.branch is not None)
            )
            if best is None or score > best[0]:
                best = (score, row.terms)
        return best[1] if best else DEFAULT_LOAN_TERMS

    def patron_terms(self, patron_category: str, branch: str) -> PatronTerms:
        best: tuple[int, PatronTerms] | None = None
        for row in self.patron_rules:
            if not (
                _matches(row.patron_category, patron_category) and _matches(row.branch, branch)
            ):
                continue
            score = (row.patron_category is not None) * 2 + (row.branch is not None)
            if best is None or score > best[0]:
                best = (score, row.terms)
        return best[1] if best else DEFAULT_PATRON_TERMS


# --- refusals --------------------------------------------------------------------------


class RefusalCode(StrEnum):
    UNKNOWN_CARD = "unknown_card"
    UNKNOWN_BARCODE = "unknown_barcode"
    CARD_EXPIRED = "card_expired"
    PATRON_BLOCKED = "patron_blocked"
    PATRON_WITHDRAWN = "patron_withdrawn"
    PATRON_SUSPENDED = "patron_suspended"
    PATRON_HAS_OVERDUE = "patron_has_overdue"
    ITEM_NOT_LOANABLE = "item_not_loanable"
    ITEM_ON_LOAN = "item_on_loan"
    ALREADY_ON_LOAN_TO_PATRON = "already_on_loan_to_patron"
    ITEM_UNAVAILABLE = "item_unavailable"
    ITEM_WITHDRAWN = "item_withdrawn"
    ITEM_HELD_FOR_OTHER = "item_held_for_other"
    LIMIT_TOTAL = "limit_total"
    LIMIT_CATEGORY = "limit_category"
    NOT_ON_LOAN = "not_on_loan"
    HOLD_WAITING = "hold_waiting"
    RENEWALS_EXHAUSTED = "renewals_exhausted"
    HOLDS_NOT_ALLOWED = "holds_not_allowed"
    LIMIT_HOLDS = "limit_holds"
    ALREADY_HELD = "already_held"
    NO_HOLDABLE_ITEMS = "no_holdable_items"
    PICKUP_BRANCH_INVALID = "pickup_branch_invalid"
    HOLD_NOT_ACTIVE = "hold_not_active"
    NOT_IN_TRANSIT = "not_in_transit"


MESSAGES: Mapping[RefusalCode, StrOrPromise] = {
    RefusalCode.UNKNOWN_CARD: _("No patron has card number {card}."),
    RefusalCode.UNKNOWN_BARCODE: _("No item has barcode {barcode}."),
    RefusalCode.CARD_EXPIRED: _("The registration expired on {expired_on}: renew it first."),
    RefusalCode.PATRON_BLOCKED: _("The card is blocked by staff: {reason}."),
    RefusalCode.PATRON_WITHDRAWN: _("The patron has withdrawn their registration."),
    RefusalCode.PATRON_SUSPENDED: _("Loans are suspended until {until} after a late return."),
    RefusalCode.PATRON_HAS_OVERDUE: _("The patron has {count} overdue item(s): return them first."),
    RefusalCode.ITEM_NOT_LOANABLE: _("Items of loan category “{category}” are not lent."),
    RefusalCode.ITEM_ON_LOAN: _("The item is on loan to another patron: check it in first."),
    RefusalCode.ALREADY_ON_LOAN_TO_PATRON: _(
        "The item is already on loan to this patron (renew it instead)."
    ),
    RefusalCode.ITEM_UNAVAILABLE: _("The item is {status}."),
    RefusalCode.ITEM_WITHDRAWN: _("The item has been withdrawn from the collection."),
    RefusalCode.ITEM_HELD_FOR_OTHER: _("The item is held for another patron."),
    RefusalCode.LIMIT_TOTAL: _("The limit of {limit} items on loan is reached."),
    RefusalCode.LIMIT_CATEGORY: _("The limit of {limit} items of “{category}” is reached."),
    RefusalCode.NOT_ON_LOAN: _("The item is not on loan."),
    RefusalCode.HOLD_WAITING: _("Another patron is waiting for this title."),
    RefusalCode.RENEWALS_EXHAUSTED: _("The item has been renewed {limit} time(s) already."),
    RefusalCode.HOLDS_NOT_ALLOWED: _("Holds are not allowed on this material for this patron."),
    RefusalCode.LIMIT_HOLDS: _("The limit of {limit} holds is reached."),
    RefusalCode.ALREADY_HELD: _("The patron already has a hold on this title."),
    RefusalCode.NO_HOLDABLE_ITEMS: _("The library has no copy of this title that can be held."),
    RefusalCode.PICKUP_BRANCH_INVALID: _("Items cannot be collected at that branch."),
    RefusalCode.HOLD_NOT_ACTIVE: _("The hold is no longer active."),
    RefusalCode.NOT_IN_TRANSIT: _("The item is not in transit (already received?)."),
}

# Item states that make a copy unavailable (labels shared with catalogue.models.ItemStatus).
UNAVAILABLE_STATUS: Mapping[str, StrOrPromise] = {
    "missing": _("missing"),
    "in_repair": _("in repair"),
    "in_transit": _("in transit"),
}

# Refusals staff may override with a reason (permission circulation.override_refusal).
OVERRIDABLE: frozenset[RefusalCode] = frozenset(
    {
        RefusalCode.CARD_EXPIRED,
        RefusalCode.PATRON_BLOCKED,
        RefusalCode.PATRON_SUSPENDED,
        RefusalCode.PATRON_HAS_OVERDUE,
        RefusalCode.ITEM_NOT_LOANABLE,
        RefusalCode.ITEM_UNAVAILABLE,
        RefusalCode.LIMIT_TOTAL,
        RefusalCode.LIMIT_CATEGORY,
        RefusalCode.RENEWALS_EXHAUSTED,
        RefusalCode.LIMIT_HOLDS,
    }
)


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def overridable(self) -> bool:
        return self.code in OVERRIDABLE

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]).format(**self.params)

    def __str__(self) -> str:
        return self.message


# --- facts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PatronFacts:
    category: str
    status: str  # active / blocked / withdrawn
    expires_on: dt.date
    suspended_until: dt.date | None = None
    block_reason: str = ""
    overdue_count: int = 0
    loans_total: int = 0
    loans_by_category: Mapping[str, int] = field(default_factory=dict)
    holds_active: int = 0


@dataclass(frozen=True)
class ItemFacts:
    status: str
    loan_category: str
    loan_category_name: str
    loanable: bool
    on_loan_to_this_patron: bool = False
    held_for_this_patron: bool = False  # trapped (in transit / ready) for this patron
    held_for_other: bool = False


@dataclass(frozen=True)
class CheckoutContext:
    today: dt.date
    patron: PatronFacts
    item: ItemFacts
    loan_terms: LoanTerms
    patron_terms: PatronTerms


CheckoutRule = Callable[[CheckoutContext], Refusal | None]


# The patron's standing: shared by the checkout, renewal and hold rule tables.


def _standing_blocked(patron: PatronFacts) -> Refusal | None:
    if patron.status == "withdrawn":
        return Refusal(RefusalCode.PATRON_WITHDRAWN)
    if patron.status == "blocked":
        return Refusal(RefusalCode.PATRON_BLOCKED, {"reason": patron.block_reason or "—"})
    return None


def _standing_expired(patron: PatronFacts, today: dt.date) -> Refusal | None:
    if patron.expires_on < today:
        return Refusal(RefusalCode.CARD_EXPIRED, {"expired_on": patron.expires_on})
    return None


def _standing_suspended(patron: PatronFacts, today: dt.date) -> Refusal | None:
    until = patron.suspended_until
    if until is not None and until >= today:
        return Refusal(RefusalCode.PATRON_SUSPENDED, {"until": until})
    return None


def card_not_expired(ctx: CheckoutContext) -> Refusal | None:
    return _standing_expired(ctx.patron, ctx.today)


def patron_not_blocked(ctx: CheckoutContext) -> Refusal | None:
    return _standing_blocked(ctx.patron)


def patron_not_suspended(ctx: CheckoutContext) -> Refusal | None:
    return _standing_suspended(ctx.patron, ctx.today)


def no_overdue_items(ctx: CheckoutContext) -> Refusal | None:
    if ctx.patron_terms.block_when_overdue and ctx.patron.overdue_count > 0:
        return Refusal(RefusalCode.PATRON_HAS_OVERDUE, {"count": ctx.patron.overdue_count})
    return None


def item_is_loanable(ctx: CheckoutContext) -> Refusal | None:
    if not ctx.item.loanable:
        return Refusal(RefusalCode.ITEM_NOT_LOANABLE, {"category": ctx.item.loan_category_name})
    return None


def item_is_available(ctx: CheckoutContext) -> Refusal | None:
    item = ctx.item
    if item.status == "on_loan":
        code = (
            RefusalCode.ALREADY_ON_LOAN_TO_PATRON
            if item.on_loan_to_this_patron
            else RefusalCode.ITEM_ON_LOAN
        )
        return Refusal(code)
    if item.held_for_other:
        return Refusal(RefusalCode.ITEM_HELD_FOR_OTHER)
    if item.status == "withdrawn":
        return Refusal(RefusalCode.ITEM_WITHDRAWN)
    if item.status in UNAVAILABLE_STATUS and not item.held_for_this_patron:
        return Refusal(RefusalCode.ITEM_UNAVAILABLE, {"status": UNAVAILABLE_STATUS[item.status]})
    return None


def within_total_limit(ctx: CheckoutContext) -> Refusal | None:
    limit = ctx.patron_terms.max_loans
    if ctx.patron.loans_total >= limit:
        return Refusal(RefusalCode.LIMIT_TOTAL, {"limit": limit})
    return None


def within_category_limit(ctx: CheckoutContext) -> Refusal | None:
    limit = ctx.loan_terms.max_items
    held = ctx.patron.loans_by_category.get(ctx.item.loan_category, 0)
    if limit is not None and held >= limit:
        return Refusal(
            RefusalCode.LIMIT_CATEGORY, {"limit": limit, "category": ctx.item.loan_category_name}
        )
    return None


CHECKOUT_RULES: tuple[CheckoutRule, ...] = (
    patron_not_blocked,
    card_not_expired,
    patron_not_suspended,
    no_overdue_items,
    item_is_available,
    item_is_loanable,
    within_total_limit,
    within_category_limit,
)


def checkout_refusals(ctx: CheckoutContext) -> list[Refusal]:
    return [r for rule in CHECKOUT_RULES if (r := rule(ctx)) is not None]


# --- renewals --------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalContext:
    today: dt.date
    patron: PatronFacts
    renewals_done: int
    holds_waiting: int  # waiting holds on the title that this item could fill
    loan_terms: LoanTerms
    patron_terms: PatronTerms


RenewalRule = Callable[[RenewalContext], Refusal | None]


def renewal_patron_not_blocked(ctx: RenewalContext) -> Refusal | None:
    return _standing_blocked(ctx.patron)


def renewal_card_not_expired(ctx: RenewalContext) -> Refusal | None:
    return _standing_expired(ctx.patron, ctx.today)


def renewal_patron_not_suspended(ctx: RenewalContext) -> Refusal | None:
    return _standing_suspended(ctx.patron, ctx.today)


def renewal_no_overdue_items(ctx: RenewalContext) -> Refusal | None:
    # Japanese practice: no renewal while anything (this item included) is overdue.
    if ctx.patron.overdue_count > 0:
        return Refusal(RefusalCode.PATRON_HAS_OVERDUE, {"count": ctx.patron.overdue_count})
    return None


def renewal_no_hold_waiting(ctx: RenewalContext) -> Refusal | None:
    if ctx.holds_waiting > 0:
        return Refusal(RefusalCode.HOLD_WAITING)
    return None


def renewals_left(ctx: RenewalContext) -> Refusal | None:
    if ctx.renewals_done >= ctx.loan_terms.renewals:
        return Refusal(RefusalCode.RENEWALS_EXHAUSTED, {"limit": ctx.loan_terms.renewals})
    return None


RENEWAL_RULES: tuple[RenewalRule, ...] = (
    renewal_patron_not_blocked,
    renewal_card_not_expired,
    renewal_patron_not_suspended,
    renewal_no_overdue_items,
    renewal_no_hold_waiting,
    renewals_left,
)


def renewal_refusals(ctx: RenewalContext) -> list[Refusal]:
    return [r for rule in RENEWAL_RULES if (r := rule(ctx)) is not None]


# --- holds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldContext:
    today: dt.date
    patron: PatronFacts
    patron_terms: PatronTerms
    holdable_items: int  # copies of the title whose rules allow this patron to hold them
    already_held: bool
    already_on_loan: bool
    pickup_branch_ok: bool


HoldRule = Callable[[HoldContext], Refusal | None]


def hold_patron_not_blocked(ctx: HoldContext) -> Refusal | None:
    return _standing_blocked(ctx.patron)


def hold_card_not_expired(ctx: HoldContext) -> Refusal | None:
    return _standing_expired(ctx.patron, ctx.today)


def hold_patron_not_suspended(ctx: HoldContext) -> Refusal | None:
    return _standing_suspended(ctx.patron, ctx.today)


def hold_title_holdable(ctx: HoldContext) -> Refusal | None:
    if ctx.holdable_items == 0:
        return Refusal(RefusalCode.HOLDS_NOT_ALLOWED)
    return None


def hold_not_duplicate(ctx: HoldContext) -> Refusal | None:
    if ctx.already_held:
        return Refusal(RefusalCode.ALREADY_HELD)
    if ctx.already_on_loan:
        return Refusal(RefusalCode.ALREADY_ON_LOAN_TO_PATRON)
    return None


def within_hold_limit(ctx: HoldContext) -> Refusal | None:
    if ctx.patron.holds_active >= ctx.patron_terms.max_holds:
        return Refusal(RefusalCode.LIMIT_HOLDS, {"limit": ctx.patron_terms.max_holds})
    return None


def pickup_branch_valid(ctx: HoldContext) -> Refusal | None:
    return None if ctx.pickup_branch_ok else Refusal(RefusalCode.PICKUP_BRANCH_INVALID)


HOLD_RULES: tuple[HoldRule, ...] = (
    hold_patron_not_blocked,
    hold_card_not_expired,
    hold_patron_not_suspended,
    hold_title_holdable,
    hold_not_duplicate,
    within_hold_limit,
    pickup_branch_valid,
)


def hold_refusals(ctx: HoldContext) -> list[Refusal]:
    return [r for rule in HOLD_RULES if (r := rule(ctx)) is not None]


# --- suspension ------------------------------------------------------------------------


def suspension_after_return(
    terms: PatronTerms, due_on: dt.date, returned_on: dt.date
) -> dt.date | None:
    """The last day of the suspension a late return earns, or None. (No fines: Japanese
    public libraries suspend borrowing instead.)"""
    days_late = (returned_on - due_on).days
    if days_late <= 0 or terms.suspension_days <= 0:
        return None
    if terms.suspension_mode == SuspensionMode.DAYS_AFTER_RETURN:
        return returned_on + dt.timedelta(days=terms.suspension_days)
    if terms.suspension_mode == SuspensionMode.DAYS_PER_DAY_LATE:
        return returned_on + dt.timedelta(days=terms.suspension_days * days_late)
    return None
