"""Renewal (貸出延長): counted from today, once under the default rule, never while someone
waits for the title or while anything is overdue. A refused renewal changes nothing.

Calendar: every branch closes on Mondays. June 2026: Mon 1, 8, 15, 22, 29 are closed days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shoka.audit.actors import Actor
from shoka.audit.models import AuditEvent
from shoka.catalogue.models import Item
from shoka.circulation import services
from shoka.circulation.models import Hold, Loan, LoanRule, PatronRule
from shoka.circulation.policy import RefusalCode
from shoka.patrons.models import Patron
from shoka.patrons.services import block_patron

TOKYO = ZoneInfo("Asia/Tokyo")
C = RefusalCode


def june(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, tzinfo=TOKYO)


AT = june(2)  # Tuesday: the loans in these tests start here and are due Tuesday 16 June


def state() -> dict[str, Any]:
    return {
        "loans": list(
            Loan.objects.order_by("pk").values_list(
                "pk", "patron_id", "due_on", "renewals", "returned_at", "overridden"
            )
        ),
        "items": list(Item.objects.order_by("pk").values_list("pk", "status")),
        "holds": list(Hold.objects.order_by("pk").values_list("pk", "status")),
        "audit": list(AuditEvent.objects.order_by("seq").values_list("seq", "action")),
    }


def refused(action: Callable[[], object]) -> services.CirculationRefused:
    """Run `action`, expect a refusal, and check that nothing changed."""
    before = state()
    with pytest.raises(services.CirculationRefused) as caught:
        action()
    assert state() == before
    return caught.value


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def lend(world, item, patron, *, at: dt.datetime = AT, branch=None) -> Loan:
    return services.checkout(
        item.barcode, patron, branch=branch or world.main, actor=world.staff, at=at
    ).loan


def renew(
    world,
    item,
    *,
    at: dt.datetime,
    actor: Actor | None = None,
    override_reason: str = "",
    branch=None,
) -> services.RenewResult:
    return services.renew(
        item, actor=actor or world.staff, at=at, branch=branch, override_reason=override_reason
    )


@pytest.fixture
def hanako(world):
    return world.patron(at=june(1) - dt.timedelta(days=30))


@pytest.fixture
def book(world):
    return world.item()


@pytest.fixture
def loan(world, hanako, book) -> Loan:
    return lend(world, book, hanako)


# --- renewing -------------------------------------------------------------------------------


def test_renewal_extends_the_loan_fourteen_days_from_today(world, book, loan):
    result = renew(world, book, at=june(9))

    loan.refresh_from_db()
    assert result.previous_due_on == dt.date(2026, 6, 16)
    assert loan.due_on == dt.date(2026, 6, 23) and loan.renewals == 1
    assert result.loan.pk == loan.pk and result.overridden == []
    [event] = events("loan.renewed")
    assert (event.object_id, event.actor, event.at) == (str(loan.pk), world.staff.code, june(9))
    assert event.data == {"item": book.pk, "due_on": "2026-06-23", "renewals": 1}
    assert not events("loan.refusal_overridden")


def test_renewal_on_the_due_day_is_not_overdue(world, book, loan):
    renew(world, book, at=june(16))
    loan.refresh_from_db()
    assert loan.due_on == dt.date(2026, 6, 30)


def test_renewal_by_barcode_at_a_branch(world, book, loan):
    renew(world, book.barcode, at=june(10), branch=world.east)
    loan.refresh_from_db()
    assert loan.due_on == dt.date(2026, 6, 24) and loan.renewals == 1


def test_renewal_by_barcode_needs_the_branch(world, book, loan):
    before = state()
    with pytest.raises(ValueError, match="needs the branch"):
        renew(world, book.barcode, at=june(9))
    assert state() == before


def test_renewal_due_date_avoids_closed_days(world, book, loan):
    renew(world, book, at=june(7))  # Sunday + 14 = Sunday 21; open on Sundays
    loan.refresh_from_db()
    assert loan.due_on == dt.date(2026, 6, 21)
    rule = LoanRule.objects.get(library=world.library, loan_category=None)
    rule.renewals = 2
    rule.save()  # as the configuration screen does (a save clears the rule cache)
    renew(world, book, at=june(8))  # a Monday renewal (online): Monday 22 is closed
    loan.refresh_from_db()
    assert loan.due_on == dt.date(2026, 6, 23) and loan.renewals == 2


def test_renewal_never_shortens_a_loan(world, hanako):
    LoanRule.objects.create(library=world.library, branch=world.bookmobile, loan_period=28)
    item = world.item()
    loan = lend(world, item, hanako, branch=world.bookmobile)
    assert loan.due_on == dt.date(2026, 6, 30)

    result = renew(world, item, at=june(3), branch=world.main)  # main lends for 14 days

    loan.refresh_from_db()
    assert loan.due_on == dt.date(2026, 6, 30) == result.previous_due_on
    assert loan.renewals == 1


# --- refusals -------------------------------------------------------------------------------


def test_renewal_refused_when_a_hold_waits_for_the_title(world, book, loan):
    other = world.patron("佐藤 次郎", "サトウ ジロウ")
    services.place_hold(book.bib, other, pickup_branch=world.main, actor=world.staff, at=june(5))
    refusal = refused(lambda: renew(world, book, at=june(9)))
    assert refusal.codes == [C.HOLD_WAITING]
    assert str(refusal) == "Another patron is waiting for this title."


def test_renewal_refused_when_a_hold_waits_even_for_an_administrator(
    world, book, loan, django_user_model
):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("admin1", password="x")
    user.groups.add(Group.objects.get(name="administrator"))
    other = world.patron("佐藤 次郎", "サトウ ジロウ")
    services.place_hold(book.bib, other, pickup_branch=world.main, actor=world.staff, at=june(5))
    refusal = refused(
        lambda: renew(
            world, book, at=june(9), actor=Actor.for_user(user), override_reason="館長判断"
        )
    )
    assert refusal.codes == [C.HOLD_WAITING] and not refusal.overridable


def test_renewal_allowed_once_the_waiting_hold_is_cancelled(world, book, loan):
    other = world.patron("佐藤 次郎", "サトウ ジロウ")
    hold = services.place_hold(
        book.bib, other, pickup_branch=world.main, actor=world.staff, at=june(5)
    )
    services.cancel_hold(hold, actor=world.staff, at=june(6), by="patron")
    assert renew(world, book, at=june(9)).loan.renewals == 1


def test_renewal_refused_when_the_item_itself_is_overdue(world, book, loan):
    refusal = refused(lambda: renew(world, book, at=june(17)))
    assert refusal.codes == [C.PATRON_HAS_OVERDUE]
    assert "1 overdue item(s)" in str(refusal)


def test_renewal_refused_when_another_item_is_overdue(world, hanako, book):
    lend(world, world.item(), hanako, at=june(2) - dt.timedelta(days=20))  # due 27 May
    lend(world, book, hanako, at=june(2) - dt.timedelta(days=7))  # due 9 June
    refusal = refused(lambda: renew(world, book, at=june(2)))
    assert refusal.codes == [C.PATRON_HAS_OVERDUE]


def test_renewal_refused_for_overdue_items_even_when_loans_are_not_blocked(world, book, loan):
    PatronRule.objects.filter(library=world.library).update(block_when_overdue=False)
    assert refused(lambda: renew(world, book, at=june(17))).codes == [C.PATRON_HAS_OVERDUE]


def test_renewal_refused_when_renewals_are_used_up(world, book, loan):
    renew(world, book, at=june(9))
    refusal = refused(lambda: renew(world, book, at=june(16)))
    assert refusal.codes == [C.RENEWALS_EXHAUSTED]
    assert str(refusal) == "The item has been renewed 1 time(s) already."


def test_renewal_refused_when_the_rule_allows_no_renewal(world, hanako):
    LoanRule.objects.filter(
        library=world.library, loan_category=world.loan_categories["av"]
    ).update(renewals=0)
    dvd = world.item(loan_category="av")
    lend(world, dvd, hanako)
    assert refused(lambda: renew(world, dvd, at=june(9))).codes == [C.RENEWALS_EXHAUSTED]


def test_renewal_refused_when_card_expired(world, book):
    expiring = world.patron(at=dt.datetime(2023, 6, 5, 10, tzinfo=TOKYO))  # until 5 June
    lend(world, book, expiring)
    refusal = refused(lambda: renew(world, book, at=june(9)))
    assert refusal.codes == [C.CARD_EXPIRED]
    assert "2026-06-05" in str(refusal)


def test_renewal_refused_while_suspended(world, hanako, book, loan):
    Patron.objects.filter(pk=hanako.pk).update(suspended_until=dt.date(2026, 6, 12))
    refusal = refused(lambda: renew(world, book, at=june(9)))
    assert refusal.codes == [C.PATRON_SUSPENDED]


def test_renewal_refused_when_blocked_by_staff(world, hanako, book, loan):
    block_patron(hanako, "住所不明", actor=world.staff, at=june(3))
    refusal = refused(lambda: renew(world, book, at=june(9)))
    assert refusal.codes == [C.PATRON_BLOCKED]
    assert "住所不明" in str(refusal)


def test_renewal_refused_for_an_item_on_the_shelf(world, book):
    refusal = refused(lambda: renew(world, book, at=june(9)))
    assert refusal.codes == [C.NOT_ON_LOAN]
    assert str(refusal) == "The item is not on loan."


def test_renewal_refused_for_an_item_already_returned(world, book, loan):
    services.checkin(book.barcode, branch=world.main, actor=world.staff, at=june(5))
    assert refused(lambda: renew(world, book, at=june(9))).codes == [C.NOT_ON_LOAN]


def test_renewal_refused_for_an_unknown_barcode(world):
    refusal = refused(lambda: renew(world, "999999", at=june(9), branch=world.main))
    assert refusal.codes == [C.UNKNOWN_BARCODE]


def test_renewal_refusal_lists_every_reason(world, hanako, book, loan):
    renew(world, book, at=june(9))
    services.place_hold(
        book.bib,
        world.patron("佐藤 次郎", "サトウ ジロウ"),
        pickup_branch=world.main,
        actor=world.staff,
        at=june(10),
    )
    refusal = refused(lambda: renew(world, book, at=june(24)))
    assert refusal.codes == [C.PATRON_HAS_OVERDUE, C.HOLD_WAITING, C.RENEWALS_EXHAUSTED]


# --- override -------------------------------------------------------------------------------


def test_librarian_overrides_exhausted_renewals_with_a_reason(world, book, loan):
    renew(world, book, at=june(9))

    result = renew(world, book, at=june(16), override_reason=" 入院中のため ")

    loan.refresh_from_db()
    assert [r.code for r in result.overridden] == [C.RENEWALS_EXHAUSTED]
    assert loan.renewals == 2 and loan.due_on == dt.date(2026, 6, 30)
    assert [e.data["renewals"] for e in events("loan.renewed")] == [1, 2]
    [event] = events("loan.refusal_overridden")
    assert (event.object_id, event.actor) == (str(loan.pk), world.staff.code)
    assert event.data == {"codes": ["renewals_exhausted"], "reason": "入院中のため"}


def test_override_of_exhausted_renewals_needs_a_reason(world, book, loan):
    renew(world, book, at=june(9))
    refusal = refused(lambda: renew(world, book, at=june(16), override_reason=""))
    assert refusal.codes == [C.RENEWALS_EXHAUSTED] and refusal.overridable


def test_override_of_exhausted_renewals_needs_the_permission(world, book, loan):
    renew(world, book, at=june(9))
    refusal = refused(
        lambda: renew(world, book, at=june(16), actor=Actor.system("opac"), override_reason="web")
    )
    assert refusal.codes == [C.RENEWALS_EXHAUSTED]
