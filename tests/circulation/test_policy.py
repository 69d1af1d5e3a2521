"""Circulation policy as pure functions: every rule of CHECKOUT_RULES, RENEWAL_RULES and
HOLD_RULES refuses and allows on its own, the rule table falls back from the most specific
row to the default, and every refusal has a message. No database."""

from __future__ import annotations

import datetime as dt
import itertools
import string
from dataclasses import replace

import pytest

from shoka.circulation.errors import CirculationRefused
from shoka.circulation.policy import (
    CHECKOUT_RULES,
    DEFAULT_LOAN_TERMS,
    DEFAULT_PATRON_TERMS,
    HOLD_RULES,
    MESSAGES,
    OVERRIDABLE,
    RENEWAL_RULES,
    CheckoutContext,
    HoldContext,
    ItemFacts,
    LoanRuleRow,
    LoanTerms,
    PatronFacts,
    PatronRuleRow,
    PatronTerms,
    PolicyTable,
    Refusal,
    RefusalCode,
    RenewalContext,
    SuspensionMode,
    card_not_expired,
    checkout_refusals,
    hold_card_not_expired,
    hold_not_duplicate,
    hold_patron_not_blocked,
    hold_patron_not_suspended,
    hold_refusals,
    hold_title_holdable,
    item_is_available,
    item_is_loanable,
    no_overdue_items,
    patron_not_blocked,
    patron_not_suspended,
    pickup_branch_valid,
    renewal_card_not_expired,
    renewal_no_hold_waiting,
    renewal_no_overdue_items,
    renewal_patron_not_blocked,
    renewal_patron_not_suspended,
    renewal_refusals,
    renewals_left,
    suspension_after_return,
    within_category_limit,
    within_hold_limit,
    within_total_limit,
)

TODAY = dt.date(2026, 6, 2)
YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)


# --- building contexts -------------------------------------------------------------------


def patron(**changes: object) -> PatronFacts:
    base = PatronFacts(category="adult", status="active", expires_on=dt.date(2029, 6, 2))
    return replace(base, **changes)


def item(**changes: object) -> ItemFacts:
    base = ItemFacts(
        status="available", loan_category="book", loan_category_name="図書", loanable=True
    )
    return replace(base, **changes)


def checkout_ctx(
    *,
    patron_facts: PatronFacts | None = None,
    item_facts: ItemFacts | None = None,
    loan_terms: LoanTerms = DEFAULT_LOAN_TERMS,
    patron_terms: PatronTerms = DEFAULT_PATRON_TERMS,
) -> CheckoutContext:
    return CheckoutContext(
        today=TODAY,
        patron=patron_facts or patron(),
        item=item_facts or item(),
        loan_terms=loan_terms,
        patron_terms=patron_terms,
    )


def renewal_ctx(
    *,
    patron_facts: PatronFacts | None = None,
    renewals_done: int = 0,
    holds_waiting: int = 0,
    loan_terms: LoanTerms = DEFAULT_LOAN_TERMS,
    patron_terms: PatronTerms = DEFAULT_PATRON_TERMS,
) -> RenewalContext:
    return RenewalContext(
        today=TODAY,
        patron=patron_facts or patron(),
        renewals_done=renewals_done,
        holds_waiting=holds_waiting,
        loan_terms=loan_terms,
        patron_terms=patron_terms,
    )


def hold_ctx(
    *,
    patron_facts: PatronFacts | None = None,
    patron_terms: PatronTerms = DEFAULT_PATRON_TERMS,
    holdable_items: int = 1,
    already_held: bool = False,
    already_on_loan: bool = False,
    pickup_branch_ok: bool = True,
) -> HoldContext:
    return HoldContext(
        today=TODAY,
        patron=patron_facts or patron(),
        patron_terms=patron_terms,
        holdable_items=holdable_items,
        already_held=already_held,
        already_on_loan=already_on_loan,
        pickup_branch_ok=pickup_branch_ok,
    )


def codes(refusals: list[Refusal]) -> list[RefusalCode]:
    return [r.code for r in refusals]


# --- the tables hold exactly the rules tested here ---------------------------------------


def test_checkout_rules_are_the_ones_tested_here():
    assert CHECKOUT_RULES == (
        patron_not_blocked,
        card_not_expired,
        patron_not_suspended,
        no_overdue_items,
        item_is_available,
        item_is_loanable,
        within_total_limit,
        within_category_limit,
    )


def test_renewal_rules_are_the_ones_tested_here():
    assert RENEWAL_RULES == (
        renewal_patron_not_blocked,
        renewal_card_not_expired,
        renewal_patron_not_suspended,
        renewal_no_overdue_items,
        renewal_no_hold_waiting,
        renewals_left,
    )


def test_hold_rules_are_the_ones_tested_here():
    assert HOLD_RULES == (
        hold_patron_not_blocked,
        hold_card_not_expired,
        hold_patron_not_suspended,
        hold_title_holdable,
        hold_not_duplicate,
        within_hold_limit,
        pickup_branch_valid,
    )


# --- checkout rules ----------------------------------------------------------------------


def test_checkout_allowed_for_a_patron_in_good_standing_and_an_available_item():
    assert checkout_refusals(checkout_ctx()) == []


def test_card_not_expired_refuses_a_card_that_expired_yesterday():
    refusal = card_not_expired(checkout_ctx(patron_facts=patron(expires_on=YESTERDAY)))
    assert refusal == Refusal(RefusalCode.CARD_EXPIRED, {"expired_on": YESTERDAY})
    assert "2026-06-01" in refusal.message


def test_card_not_expired_allows_the_card_on_its_last_day():
    assert card_not_expired(checkout_ctx(patron_facts=patron(expires_on=TODAY))) is None


def test_patron_not_blocked_refuses_a_blocked_patron_with_the_staff_reason():
    ctx = checkout_ctx(patron_facts=patron(status="blocked", block_reason="住所確認待ち"))
    refusal = patron_not_blocked(ctx)
    assert refusal is not None and refusal.code == RefusalCode.PATRON_BLOCKED
    assert "住所確認待ち" in refusal.message


def test_patron_not_blocked_shows_a_dash_when_no_reason_was_given():
    refusal = patron_not_blocked(checkout_ctx(patron_facts=patron(status="blocked")))
    assert refusal is not None and refusal.message == "The card is blocked by staff: —."


def test_patron_not_blocked_refuses_a_withdrawn_patron():
    refusal = patron_not_blocked(checkout_ctx(patron_facts=patron(status="withdrawn")))
    assert refusal == Refusal(RefusalCode.PATRON_WITHDRAWN)


def test_patron_not_blocked_allows_an_active_patron():
    assert patron_not_blocked(checkout_ctx()) is None


@pytest.mark.parametrize("until", [TODAY, TOMORROW], ids=["last-day-today", "until-tomorrow"])
def test_patron_not_suspended_refuses_until_the_last_day_of_the_suspension(until):
    refusal = patron_not_suspended(checkout_ctx(patron_facts=patron(suspended_until=until)))
    assert refusal == Refusal(RefusalCode.PATRON_SUSPENDED, {"until": until})


@pytest.mark.parametrize("until", [None, YESTERDAY], ids=["never", "ended-yesterday"])
def test_patron_not_suspended_allows_once_the_suspension_has_ended(until):
    assert patron_not_suspended(checkout_ctx(patron_facts=patron(suspended_until=until))) is None


def test_no_overdue_items_refuses_a_patron_with_overdue_items():
    refusal = no_overdue_items(checkout_ctx(patron_facts=patron(overdue_count=2)))
    assert refusal == Refusal(RefusalCode.PATRON_HAS_OVERDUE, {"count": 2})
    assert "2 overdue" in refusal.message


def test_no_overdue_items_allows_when_the_patron_rule_does_not_block_overdue_patrons():
    ctx = checkout_ctx(
        patron_facts=patron(overdue_count=2), patron_terms=PatronTerms(block_when_overdue=False)
    )
    assert no_overdue_items(ctx) is None


def test_no_overdue_items_allows_a_patron_without_overdue_items():
    assert no_overdue_items(checkout_ctx()) is None


def test_item_is_available_refuses_an_item_on_loan_to_another_patron():
    refusal = item_is_available(checkout_ctx(item_facts=item(status="on_loan")))
    assert refusal == Refusal(RefusalCode.ITEM_ON_LOAN)


def test_item_is_available_refuses_an_item_already_on_loan_to_this_patron():
    ctx = checkout_ctx(item_facts=item(status="on_loan", on_loan_to_this_patron=True))
    assert item_is_available(ctx) == Refusal(RefusalCode.ALREADY_ON_LOAN_TO_PATRON)


@pytest.mark.parametrize("status", ["on_hold_shelf", "in_transit"])
def test_item_is_available_refuses_an_item_held_for_another_patron(status):
    ctx = checkout_ctx(item_facts=item(status=status, held_for_other=True))
    assert item_is_available(ctx) == Refusal(RefusalCode.ITEM_HELD_FOR_OTHER)


def test_item_is_available_refuses_a_withdrawn_item():
    refusal = item_is_available(checkout_ctx(item_facts=item(status="withdrawn")))
    assert refusal == Refusal(RefusalCode.ITEM_WITHDRAWN)


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("missing", "missing"),
        ("in_repair", "in repair"),
        ("in_transit", "in transit"),
    ],
)
def test_item_is_available_refuses_a_missing_repaired_or_travelling_item(status, shown):
    refusal = item_is_available(checkout_ctx(item_facts=item(status=status)))
    assert refusal == Refusal(RefusalCode.ITEM_UNAVAILABLE, {"status": shown})
    assert refusal.message == f"The item is {shown}."


@pytest.mark.parametrize("status", ["on_hold_shelf", "in_transit"])
def test_item_is_available_allows_an_item_held_for_this_patron(status):
    ctx = checkout_ctx(item_facts=item(status=status, held_for_this_patron=True))
    assert item_is_available(ctx) is None


def test_item_is_available_allows_an_item_on_the_shelf():
    assert item_is_available(checkout_ctx()) is None


def test_item_is_loanable_refuses_reference_material_naming_its_category():
    ctx = checkout_ctx(
        item_facts=item(loan_category="reference", loan_category_name="参考図書", loanable=False)
    )
    refusal = item_is_loanable(ctx)
    assert refusal == Refusal(RefusalCode.ITEM_NOT_LOANABLE, {"category": "参考図書"})
    assert "参考図書" in refusal.message


def test_item_is_loanable_allows_a_loanable_item():
    assert item_is_loanable(checkout_ctx()) is None


def test_within_total_limit_refuses_the_eleventh_item():
    refusal = within_total_limit(checkout_ctx(patron_facts=patron(loans_total=10)))
    assert refusal == Refusal(RefusalCode.LIMIT_TOTAL, {"limit": 10})
    assert refusal.message == "The limit of 10 items on loan is reached."


def test_within_total_limit_allows_the_tenth_item():
    assert within_total_limit(checkout_ctx(patron_facts=patron(loans_total=9))) is None


def test_within_total_limit_follows_the_patron_terms():
    ctx = checkout_ctx(patron_facts=patron(loans_total=5), patron_terms=PatronTerms(max_loans=5))
    assert within_total_limit(ctx) == Refusal(RefusalCode.LIMIT_TOTAL, {"limit": 5})


def test_within_category_limit_refuses_the_fourth_audio_visual_item_naming_the_category():
    ctx = checkout_ctx(
        patron_facts=patron(loans_total=3, loans_by_category={"av": 3}),
        item_facts=item(loan_category="av", loan_category_name="視聴覚"),
        loan_terms=LoanTerms(max_items=3),
    )
    refusal = within_category_limit(ctx)
    assert refusal == Refusal(RefusalCode.LIMIT_CATEGORY, {"limit": 3, "category": "視聴覚"})
    assert refusal.message == "The limit of 3 items of “視聴覚” is reached."


def test_within_category_limit_allows_below_the_limit():
    ctx = checkout_ctx(
        patron_facts=patron(loans_total=2, loans_by_category={"av": 2}),
        item_facts=item(loan_category="av", loan_category_name="視聴覚"),
        loan_terms=LoanTerms(max_items=3),
    )
    assert within_category_limit(ctx) is None


def test_within_category_limit_counts_only_the_items_own_category():
    ctx = checkout_ctx(
        patron_facts=patron(loans_total=5, loans_by_category={"book": 5}),
        item_facts=item(loan_category="av", loan_category_name="視聴覚"),
        loan_terms=LoanTerms(max_items=3),
    )
    assert within_category_limit(ctx) is None


def test_within_category_limit_allows_anything_when_the_category_has_no_limit():
    ctx = checkout_ctx(
        patron_facts=patron(loans_total=9, loans_by_category={"book": 9}),
        loan_terms=LoanTerms(max_items=None),
    )
    assert within_category_limit(ctx) is None


def test_checkout_refusals_lists_every_reason_in_rule_order():
    ctx = checkout_ctx(
        patron_facts=patron(
            status="blocked",
            expires_on=YESTERDAY,
            suspended_until=TODAY,
            overdue_count=1,
            loans_total=10,
            loans_by_category={"av": 3},
        ),
        item_facts=item(
            status="missing", loan_category="av", loan_category_name="視聴覚", loanable=False
        ),
        loan_terms=LoanTerms(max_items=3),
    )
    assert codes(checkout_refusals(ctx)) == [
        RefusalCode.PATRON_BLOCKED,
        RefusalCode.CARD_EXPIRED,
        RefusalCode.PATRON_SUSPENDED,
        RefusalCode.PATRON_HAS_OVERDUE,
        RefusalCode.ITEM_UNAVAILABLE,
        RefusalCode.ITEM_NOT_LOANABLE,
        RefusalCode.LIMIT_TOTAL,
        RefusalCode.LIMIT_CATEGORY,
    ]


# --- renewal rules -----------------------------------------------------------------------


def test_renewal_allowed_for_a_first_renewal_without_holds_or_overdue_items():
    assert renewal_refusals(renewal_ctx()) == []


@pytest.mark.parametrize(
    ("rule", "facts", "code"),
    [
        (renewal_patron_not_blocked, patron(status="blocked"), RefusalCode.PATRON_BLOCKED),
        (renewal_patron_not_blocked, patron(status="withdrawn"), RefusalCode.PATRON_WITHDRAWN),
        (renewal_card_not_expired, patron(expires_on=YESTERDAY), RefusalCode.CARD_EXPIRED),
        (renewal_patron_not_suspended, patron(suspended_until=TODAY), RefusalCode.PATRON_SUSPENDED),
    ],
    ids=["blocked", "withdrawn", "expired", "suspended"],
)
def test_renewal_standing_rule_refuses(rule, facts, code):
    refusal = rule(renewal_ctx(patron_facts=facts))
    assert refusal is not None and refusal.code == code


def test_renewal_refusals_list_every_standing_reason_at_once():
    facts = patron(status="blocked", expires_on=YESTERDAY, suspended_until=TODAY)
    codes = [r.code for r in renewal_refusals(renewal_ctx(patron_facts=facts))]
    assert codes[:3] == [
        RefusalCode.PATRON_BLOCKED,
        RefusalCode.CARD_EXPIRED,
        RefusalCode.PATRON_SUSPENDED,
    ]


def test_renewal_standing_rules_allow_an_active_patron():
    ctx = renewal_ctx()
    assert [
        renewal_patron_not_blocked(ctx),
        renewal_card_not_expired(ctx),
        renewal_patron_not_suspended(ctx),
    ] == [None, None, None]


def test_renewal_no_overdue_items_refuses_a_patron_with_an_overdue_item():
    refusal = renewal_no_overdue_items(renewal_ctx(patron_facts=patron(overdue_count=1)))
    assert refusal == Refusal(RefusalCode.PATRON_HAS_OVERDUE, {"count": 1})


def test_renewal_no_overdue_items_refuses_even_when_loans_are_not_blocked_for_overdue():
    ctx = renewal_ctx(
        patron_facts=patron(overdue_count=1), patron_terms=PatronTerms(block_when_overdue=False)
    )
    assert renewal_no_overdue_items(ctx) == Refusal(RefusalCode.PATRON_HAS_OVERDUE, {"count": 1})


def test_renewal_no_overdue_items_allows_a_patron_without_overdue_items():
    assert renewal_no_overdue_items(renewal_ctx()) is None


def test_renewal_no_hold_waiting_refuses_when_someone_waits_for_the_title():
    refusal = renewal_no_hold_waiting(renewal_ctx(holds_waiting=1))
    assert refusal == Refusal(RefusalCode.HOLD_WAITING)


def test_renewal_no_hold_waiting_allows_when_nobody_waits():
    assert renewal_no_hold_waiting(renewal_ctx(holds_waiting=0)) is None


def test_renewals_left_refuses_a_second_renewal_under_the_one_renewal_rule():
    refusal = renewals_left(renewal_ctx(renewals_done=1))
    assert refusal == Refusal(RefusalCode.RENEWALS_EXHAUSTED, {"limit": 1})
    assert refusal.message == "The item has been renewed 1 time(s) already."


def test_renewals_left_refuses_any_renewal_when_the_rule_allows_none():
    ctx = renewal_ctx(renewals_done=0, loan_terms=LoanTerms(renewals=0))
    assert renewals_left(ctx) == Refusal(RefusalCode.RENEWALS_EXHAUSTED, {"limit": 0})


def test_renewals_left_allows_the_first_renewal():
    assert renewals_left(renewal_ctx(renewals_done=0)) is None


def test_renewal_refusals_lists_every_reason():
    ctx = renewal_ctx(
        patron_facts=patron(expires_on=YESTERDAY, overdue_count=1), renewals_done=1, holds_waiting=2
    )
    assert codes(renewal_refusals(ctx)) == [
        RefusalCode.CARD_EXPIRED,
        RefusalCode.PATRON_HAS_OVERDUE,
        RefusalCode.HOLD_WAITING,
        RefusalCode.RENEWALS_EXHAUSTED,
    ]


# --- hold rules --------------------------------------------------------------------------


def test_hold_allowed_for_a_patron_in_good_standing():
    assert hold_refusals(hold_ctx()) == []


@pytest.mark.parametrize(
    ("rule", "facts", "code"),
    [
        (hold_patron_not_blocked, patron(status="blocked"), RefusalCode.PATRON_BLOCKED),
        (hold_patron_not_blocked, patron(status="withdrawn"), RefusalCode.PATRON_WITHDRAWN),
        (hold_card_not_expired, patron(expires_on=YESTERDAY), RefusalCode.CARD_EXPIRED),
        (hold_patron_not_suspended, patron(suspended_until=TOMORROW), RefusalCode.PATRON_SUSPENDED),
    ],
    ids=["blocked", "withdrawn", "expired", "suspended"],
)
def test_hold_standing_rule_refuses(rule, facts, code):
    refusal = rule(hold_ctx(patron_facts=facts))
    assert refusal is not None and refusal.code == code


def test_hold_refusals_list_every_standing_reason_at_once():
    facts = patron(status="blocked", expires_on=YESTERDAY, suspended_until=TOMORROW)
    codes = [r.code for r in hold_refusals(hold_ctx(patron_facts=facts))]
    assert codes[:3] == [
        RefusalCode.PATRON_BLOCKED,
        RefusalCode.CARD_EXPIRED,
        RefusalCode.PATRON_SUSPENDED,
    ]


def test_hold_standing_rules_allow_an_active_patron_with_overdue_items():
    ctx = hold_ctx(patron_facts=patron(overdue_count=3))
    assert hold_refusals(ctx) == []


def test_hold_title_holdable_refuses_when_no_copy_may_be_held():
    assert hold_title_holdable(hold_ctx(holdable_items=0)) == Refusal(RefusalCode.HOLDS_NOT_ALLOWED)


def test_hold_title_holdable_allows_when_one_copy_may_be_held():
    assert hold_title_holdable(hold_ctx(holdable_items=1)) is None


def test_hold_not_duplicate_refuses_a_second_hold_on_the_title():
    assert hold_not_duplicate(hold_ctx(already_held=True)) == Refusal(RefusalCode.ALREADY_HELD)


def test_hold_not_duplicate_refuses_a_title_the_patron_has_on_loan():
    assert hold_not_duplicate(hold_ctx(already_on_loan=True)) == Refusal(
        RefusalCode.ALREADY_ON_LOAN_TO_PATRON
    )


def test_hold_not_duplicate_allows_a_new_title():
    assert hold_not_duplicate(hold_ctx()) is None


def test_within_hold_limit_refuses_the_eleventh_hold():
    refusal = within_hold_limit(hold_ctx(patron_facts=patron(holds_active=10)))
    assert refusal == Refusal(RefusalCode.LIMIT_HOLDS, {"limit": 10})
    assert refusal.message == "The limit of 10 holds is reached."


def test_within_hold_limit_allows_the_tenth_hold():
    assert within_hold_limit(hold_ctx(patron_facts=patron(holds_active=9))) is None


def test_pickup_branch_valid_refuses_a_branch_where_items_cannot_be_collected():
    assert pickup_branch_valid(hold_ctx(pickup_branch_ok=False)) == Refusal(
        RefusalCode.PICKUP_BRANCH_INVALID
    )


def test_pickup_branch_valid_allows_a_pickup_branch():
    assert pickup_branch_valid(hold_ctx(pickup_branch_ok=True)) is None


def test_hold_refusals_lists_every_reason():
    ctx = hold_ctx(
        patron_facts=patron(status="blocked", holds_active=10),
        holdable_items=0,
        already_held=True,
        pickup_branch_ok=False,
    )
    assert codes(hold_refusals(ctx)) == [
        RefusalCode.PATRON_BLOCKED,
        RefusalCode.HOLDS_NOT_ALLOWED,
        RefusalCode.ALREADY_HELD,
        RefusalCode.LIMIT_HOLDS,
        RefusalCode.PICKUP_BRANCH_INVALID,
    ]


# --- the rule table: loan category > patron category > branch > default ------------------


DEFAULT_ROW = LoanRuleRow(None, None, None, LoanTerms(loan_period=14))
AV_ROW = LoanRuleRow(None, "av", None, LoanTerms(loan_period=7, max_items=3))
CHILD_ROW = LoanRuleRow("child", None, None, LoanTerms(loan_period=21))
BOOKMOBILE_ROW = LoanRuleRow(None, None, "bm", LoanTerms(loan_period=28))
CHILD_AV_ROW = LoanRuleRow("child", "av", None, LoanTerms(loan_period=10, max_items=1))
ROWS = (DEFAULT_ROW, AV_ROW, CHILD_ROW, BOOKMOBILE_ROW)


@pytest.mark.parametrize(
    "rows",
    list(itertools.permutations(ROWS)),
    ids=lambda rows: "-".join(str(r.terms.loan_period) for r in rows),
)
def test_loan_category_beats_patron_category_beats_branch_beats_default(rows):
    """The docstring's examples, whatever the order of the rows in the table."""
    table = PolicyTable(loan_rules=rows)
    # (AV, any, any) beats (any, child, any): a child borrowing a DVD at the bookmobile.
    assert table.loan_terms("child", "av", "bm") == AV_ROW.terms
    # (any, child, any) beats (any, any, bookmobile): a child borrowing a book there.
    assert table.loan_terms("child", "book", "bm") == CHILD_ROW.terms
    # (any, any, bookmobile) beats the default: an adult borrowing a book there.
    assert table.loan_terms("adult", "book", "bm") == BOOKMOBILE_ROW.terms
    # The default: an adult borrowing a book at the main library.
    assert table.loan_terms("adult", "book", "main") == DEFAULT_ROW.terms


def test_a_row_naming_two_keys_beats_a_row_naming_the_loan_category_alone():
    table = PolicyTable(loan_rules=(*ROWS, CHILD_AV_ROW))
    assert table.loan_terms("child", "av", "main") == CHILD_AV_ROW.terms
    assert table.loan_terms("adult", "av", "main") == AV_ROW.terms


def test_patron_category_and_branch_beat_loan_category_and_branch_only_when_both_match():
    child_at_bm = LoanRuleRow("child", None, "bm", LoanTerms(loan_period=35))
    av_at_bm = LoanRuleRow(None, "av", "bm", LoanTerms(loan_period=42))
    table = PolicyTable(loan_rules=(DEFAULT_ROW, child_at_bm, av_at_bm))
    assert table.loan_terms("child", "av", "bm") == av_at_bm.terms  # 4 + 1 beats 2 + 1
    assert table.loan_terms("child", "book", "bm") == child_at_bm.terms
    assert table.loan_terms("child", "book", "main") == DEFAULT_ROW.terms


def test_rows_for_other_values_never_match():
    table = PolicyTable(loan_rules=(AV_ROW, CHILD_ROW, BOOKMOBILE_ROW))
    assert table.loan_terms("adult", "book", "main") == DEFAULT_LOAN_TERMS


def test_an_empty_loan_table_gives_the_library_defaults_of_fourteen_days_and_one_renewal():
    terms = PolicyTable().loan_terms("adult", "book", "main")
    assert terms == DEFAULT_LOAN_TERMS
    assert (terms.loan_period, terms.renewals, terms.max_items) == (14, 1, None)


def test_patron_terms_fall_back_from_patron_category_to_branch_to_default():
    default = PatronRuleRow(None, None, PatronTerms(max_loans=10))
    child = PatronRuleRow("child", None, PatronTerms(max_loans=5))
    bookmobile = PatronRuleRow(None, "bm", PatronTerms(max_loans=20))
    for rows in itertools.permutations((default, child, bookmobile)):
        table = PolicyTable(patron_rules=rows)
        assert table.patron_terms("child", "bm") == child.terms
        assert table.patron_terms("adult", "bm") == bookmobile.terms
        assert table.patron_terms("adult", "main") == default.terms


def test_an_empty_patron_table_gives_ten_items_ten_holds_and_no_suspension():
    terms = PolicyTable().patron_terms("adult", "main")
    assert terms == DEFAULT_PATRON_TERMS
    assert (terms.max_loans, terms.max_holds, terms.block_when_overdue, terms.suspension_mode) == (
        10,
        10,
        True,
        SuspensionMode.NONE,
    )


# --- overridable refusals and messages ---------------------------------------------------

# Staff may override (with a reason) what concerns the patron's standing, limits and the
# rules; never what would take an item from someone else or lend what is not there.
OVERRIDABLE_BY_STAFF = {
    RefusalCode.CARD_EXPIRED: True,
    RefusalCode.PATRON_BLOCKED: True,
    RefusalCode.PATRON_SUSPENDED: True,
    RefusalCode.PATRON_HAS_OVERDUE: True,
    RefusalCode.ITEM_NOT_LOANABLE: True,
    RefusalCode.ITEM_UNAVAILABLE: True,
    RefusalCode.LIMIT_TOTAL: True,
    RefusalCode.LIMIT_CATEGORY: True,
    RefusalCode.RENEWALS_EXHAUSTED: True,
    RefusalCode.LIMIT_HOLDS: True,
    RefusalCode.UNKNOWN_CARD: False,
    RefusalCode.UNKNOWN_BARCODE: False,
    RefusalCode.PATRON_WITHDRAWN: False,
    RefusalCode.ITEM_ON_LOAN: False,
    RefusalCode.ALREADY_ON_LOAN_TO_PATRON: False,
    RefusalCode.ITEM_WITHDRAWN: False,
    RefusalCode.ITEM_HELD_FOR_OTHER: False,
    RefusalCode.NOT_ON_LOAN: False,
    RefusalCode.HOLD_WAITING: False,
    RefusalCode.HOLDS_NOT_ALLOWED: False,
    RefusalCode.ALREADY_HELD: False,
    RefusalCode.NO_HOLDABLE_ITEMS: False,
    RefusalCode.PICKUP_BRANCH_INVALID: False,
    RefusalCode.HOLD_NOT_ACTIVE: False,
    RefusalCode.NOT_IN_TRANSIT: False,
}


@pytest.mark.parametrize("code", list(RefusalCode), ids=str)
def test_refusal_is_overridable_only_when_staff_may_override_it(code):
    assert Refusal(code).overridable is OVERRIDABLE_BY_STAFF[code]
    assert (code in OVERRIDABLE) is OVERRIDABLE_BY_STAFF[code]


def test_refused_action_is_overridable_only_when_every_refusal_is():
    assert CirculationRefused(
        [
            Refusal(RefusalCode.LIMIT_TOTAL, {"limit": 10}),
            Refusal(RefusalCode.CARD_EXPIRED, {"expired_on": TODAY}),
        ]
    ).overridable
    assert not CirculationRefused(
        [Refusal(RefusalCode.LIMIT_TOTAL, {"limit": 10}), Refusal(RefusalCode.ITEM_HELD_FOR_OTHER)]
    ).overridable


EXAMPLE_PARAMS: dict[RefusalCode, dict[str, object]] = {
    RefusalCode.UNKNOWN_CARD: {"card": "100001"},
    RefusalCode.UNKNOWN_BARCODE: {"barcode": "200001"},
    RefusalCode.CARD_EXPIRED: {"expired_on": YESTERDAY},
    RefusalCode.PATRON_BLOCKED: {"reason": "住所確認待ち"},
    RefusalCode.PATRON_SUSPENDED: {"until": TOMORROW},
    RefusalCode.PATRON_HAS_OVERDUE: {"count": 2},
    RefusalCode.ITEM_NOT_LOANABLE: {"category": "参考図書"},
    RefusalCode.ITEM_UNAVAILABLE: {"status": "in repair"},
    RefusalCode.LIMIT_TOTAL: {"limit": 10},
    RefusalCode.LIMIT_CATEGORY: {"limit": 2, "category": "紙芝居"},
    RefusalCode.RENEWALS_EXHAUSTED: {"limit": 1},
    RefusalCode.LIMIT_HOLDS: {"limit": 10},
}


def test_every_refusal_code_has_a_message():
    assert set(MESSAGES) == set(RefusalCode)


@pytest.mark.parametrize("code", list(RefusalCode), ids=str)
def test_refusal_message_is_formatted_from_its_parameters(code):
    params = EXAMPLE_PARAMS.get(code, {})
    template = str(MESSAGES[code])
    placeholders = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    assert placeholders == set(params), "the example parameters are the message's fields"
    message = Refusal(code, params).message
    assert message.strip() and "{" not in message and "}" not in message
    for value in params.values():
        assert str(value) in message
    assert str(Refusal(code, params)) == message


def test_refused_action_message_joins_every_reason():
    refused = CirculationRefused(
        [Refusal(RefusalCode.LIMIT_TOTAL, {"limit": 10}), Refusal(RefusalCode.ITEM_HELD_FOR_OTHER)]
    )
    assert str(refused) == (
        "The limit of 10 items on loan is reached.; The item is held for another patron."
    )
    assert refused.codes == [RefusalCode.LIMIT_TOTAL, RefusalCode.ITEM_HELD_FOR_OTHER]


# --- suspension after a late return -----------------------------------------------------

DUE = dt.date(2026, 6, 16)
RETURNED_3_DAYS_LATE = dt.date(2026, 6, 19)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (SuspensionMode.NONE, None),
        (SuspensionMode.DAYS_AFTER_RETURN, dt.date(2026, 6, 26)),  # 7 days after the return
        (SuspensionMode.DAYS_PER_DAY_LATE, dt.date(2026, 7, 10)),  # 3 days late x 7
    ],
    ids=str,
)
def test_suspension_after_a_late_return_follows_the_mode(mode, expected):
    terms = PatronTerms(suspension_mode=mode, suspension_days=7)
    assert suspension_after_return(terms, DUE, RETURNED_3_DAYS_LATE) == expected


@pytest.mark.parametrize("mode", list(SuspensionMode), ids=str)
@pytest.mark.parametrize(
    "returned_on", [DUE - dt.timedelta(days=3), DUE], ids=["early", "on-the-due-day"]
)
def test_no_suspension_for_a_return_on_time(mode, returned_on):
    terms = PatronTerms(suspension_mode=mode, suspension_days=7)
    assert suspension_after_return(terms, DUE, returned_on) is None


@pytest.mark.parametrize("mode", list(SuspensionMode), ids=str)
def test_no_suspension_when_the_rule_counts_zero_days(mode):
    terms = PatronTerms(suspension_mode=mode, suspension_days=0)
    assert suspension_after_return(terms, DUE, RETURNED_3_DAYS_LATE) is None


def test_one_day_late_under_days_per_day_late_suspends_for_the_days_of_one_day():
    terms = PatronTerms(suspension_mode=SuspensionMode.DAYS_PER_DAY_LATE, suspension_days=2)
    assert suspension_after_return(terms, DUE, DUE + dt.timedelta(days=1)) == dt.date(2026, 6, 19)
