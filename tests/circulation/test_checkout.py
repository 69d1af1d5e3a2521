"""Checkout at the desk, end to end: what a loan records, every reason to refuse one (each
refusal changes nothing), staff overrides, and collecting a hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from shoka.audit.actors import Actor
from shoka.audit.models import AuditEvent
from shoka.catalogue.models import Item, ItemStatus
from shoka.circulation import services
from shoka.circulation.models import Hold, HoldStatus, Loan, PatronRule
from shoka.circulation.policy import RefusalCode
from shoka.patrons.models import Patron, PatronStatus
from shoka.patrons.services import block_patron

TOKYO = ZoneInfo("Asia/Tokyo")
AT = dt.datetime(2026, 6, 2, 10, 0, tzinfo=TOKYO)  # a Tuesday; branches close on Mondays
C = RefusalCode


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- helpers -----------------------------------------------------------------------------


def state() -> dict[str, Any]:
    """Everything a checkout could change."""
    return {
        "loans": list(
            Loan.objects.order_by("pk").values_list(
                "pk", "item_id", "patron_id", "due_on", "renewals", "returned_at", "overridden"
            )
        ),
        "items": list(
            Item.objects.order_by("pk").values_list(
                "pk", "status", "current_branch_id", "status_changed_at"
            )
        ),
        "holds": list(
            Hold.objects.order_by("pk").values_list(
                "pk", "status", "patron_id", "item_id", "closed_at"
            )
        ),
        "patrons": list(
            Patron.objects.order_by("pk").values_list(
                "pk", "status", "suspended_until", "expires_on"
            )
        ),
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


def lend(
    world,
    item,
    patron,
    *,
    at: dt.datetime = AT,
    actor: Actor | None = None,
    override_reason: str = "",
    branch=None,
) -> services.CheckoutResult:
    return services.checkout(
        item.barcode if isinstance(item, Item) else item,
        patron,
        branch=branch or world.main,
        actor=actor or world.staff,
        at=at,
        override_reason=override_reason,
    )


def status_of(item: Item) -> str:
    return Item.objects.get(pk=item.pk).status


@pytest.fixture
def hanako(world):
    """An adult patron registered a month before AT."""
    return world.patron(at=AT - days(30), area_code="M01")


@pytest.fixture
def taro(world):
    return world.patron(
        "佐藤 太郎", "サトウ タロウ", at=AT - days(30), birth_date=dt.date(1975, 1, 1)
    )


@pytest.fixture
def book(world):
    return world.item()


def user_with_roles(django_user_model, username: str, *roles: str) -> Actor:
    user = django_user_model.objects.create_user(username, password="x")
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return Actor.for_user(user)


@pytest.fixture
def administrator(world, django_user_model) -> Actor:
    return user_with_roles(django_user_model, "admin1", "administrator")


def hold_on_the_shelf_for(world, patron, item) -> Hold:
    """`patron` places a hold on the item's title and the item is trapped for them at main."""
    hold = services.place_hold(
        item.bib, patron, pickup_branch=world.main, actor=world.staff, at=AT - days(1)
    )
    services.checkin(item.barcode, branch=world.main, actor=world.staff, at=AT - days(1))
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY
    assert status_of(item) == ItemStatus.ON_HOLD_SHELF
    return hold


# --- a successful checkout ---------------------------------------------------------------


def test_checkout_lends_the_item_until_fourteen_days_later(world, hanako, book):
    result = lend(world, book, hanako)

    loan = Loan.objects.get()
    assert result.loan == loan and result.overridden == [] and result.hold_collected is None
    assert loan.due_on == dt.date(2026, 6, 16)  # a Tuesday: the branch is open
    assert (loan.item, loan.patron, loan.branch) == (book, hanako, world.main)
    assert loan.checked_out_at == AT and loan.returned_at is None and loan.renewals == 0
    assert not loan.overridden
    item = Item.objects.get(pk=book.pk)
    assert item.status == ItemStatus.ON_LOAN
    assert item.current_branch == world.main and item.status_changed_at == AT


def test_checkout_accepts_card_number_and_barcode_as_scanned(world, hanako, book):
    result = services.checkout(
        f" {book.barcode} ", hanako.card_number, branch=world.main, actor=world.staff, at=AT
    )
    assert result.loan.patron == hanako and result.loan.item == book


def test_checkout_keeps_statistics_that_survive_the_unlinking(world, book):
    child = world.patron(
        "山田 ゆい",
        "ヤマダ ユイ",
        category="child",
        birth_date=dt.date(2017, 9, 1),
        area_code="E02",
    )
    loan = lend(world, book, child).loan
    loan.refresh_from_db()
    assert (loan.patron_category, loan.age_band, loan.area_code) == ("child", "6-12", "E02")


def test_checkout_keeps_the_age_band_of_an_adult(world, hanako, book):
    loan = lend(world, book, hanako).loan
    loan.refresh_from_db()
    assert (loan.patron_category, loan.age_band, loan.area_code) == ("adult", "40-49", "M01")


def test_checkout_is_audited_without_naming_the_patron(world, hanako, book):
    loan = lend(world, book, hanako).loan

    [event] = events("loan.checked_out")
    assert (event.object_type, event.object_id) == ("circulation.loan", str(loan.pk))
    assert event.actor == world.staff.code and event.at == AT
    assert event.data == {"item": book.pk, "branch": "main", "due_on": "2026-06-16"}
    assert "patron" not in str(event.data)
    assert not events("loan.refusal_overridden")


# --- refusals: who and what cannot be found -----------------------------------------------


def test_checkout_refused_for_an_unknown_barcode(world, hanako):
    refusal = refused(lambda: lend(world, "999999", hanako))
    assert refusal.codes == [C.UNKNOWN_BARCODE]
    assert str(refusal) == "No item has barcode 999999."


def test_checkout_refused_for_an_unknown_card(world, book):
    refusal = refused(lambda: lend(world, book, "999999"))
    assert refusal.codes == [C.UNKNOWN_CARD]
    assert str(refusal) == "No patron has card number 999999."
    assert status_of(book) == ItemStatus.AVAILABLE


def test_unknown_card_cannot_be_overridden(world, book, administrator):
    refusal = refused(
        lambda: lend(world, book, "999999", actor=administrator, override_reason="知っている人")
    )
    assert refusal.codes == [C.UNKNOWN_CARD]


# --- refusals: the patron --------------------------------------------------------------------


def test_checkout_refused_when_card_expired(world, book):
    expired = world.patron(at=dt.datetime(2023, 5, 1, 10, tzinfo=TOKYO))  # until 2026-05-01
    refusal = refused(lambda: lend(world, book, expired))
    assert refusal.codes == [C.CARD_EXPIRED]
    assert "2026-05-01" in str(refusal)


def test_checkout_allowed_on_the_last_day_of_the_registration(world, book):
    last_day = world.patron(at=dt.datetime(2023, 6, 2, 10, tzinfo=TOKYO))  # until today
    assert lend(world, book, last_day).loan.patron == last_day


def test_checkout_refused_when_blocked_by_staff(world, hanako, book):
    block_patron(hanako, "カード紛失届", actor=world.staff, at=AT - days(1))
    refusal = refused(lambda: lend(world, book, hanako))
    assert refusal.codes == [C.PATRON_BLOCKED]
    assert "カード紛失届" in str(refusal)


def test_checkout_refused_when_patron_withdrew(world, hanako, book):
    Patron.objects.filter(pk=hanako.pk).update(status=PatronStatus.WITHDRAWN)
    assert refused(lambda: lend(world, book, hanako)).codes == [C.PATRON_WITHDRAWN]


def test_checkout_refused_while_suspended(world, hanako, book):
    Patron.objects.filter(pk=hanako.pk).update(suspended_until=AT.date() + days(3))
    refusal = refused(lambda: lend(world, book, hanako))
    assert refusal.codes == [C.PATRON_SUSPENDED]
    assert "2026-06-05" in str(refusal)


def test_checkout_refused_on_the_last_day_of_a_suspension(world, hanako, book):
    Patron.objects.filter(pk=hanako.pk).update(suspended_until=AT.date())
    assert refused(lambda: lend(world, book, hanako)).codes == [C.PATRON_SUSPENDED]


def test_checkout_allowed_the_day_after_a_suspension_ends(world, hanako, book):
    Patron.objects.filter(pk=hanako.pk).update(suspended_until=AT.date() - days(1))
    assert lend(world, book, hanako).loan.patron == hanako


def test_checkout_refused_while_suspended_for_a_late_return(world, hanako, book):
    PatronRule.objects.filter(library=world.library).update(
        suspension_mode="days_after_return", suspension_days=7
    )
    late = world.item()
    lend(world, late, hanako, at=AT - days(20))  # due 2026-05-27
    back = services.checkin(late.barcode, branch=world.main, actor=world.staff, at=AT)
    assert back.days_late == 6 and back.suspended_until == dt.date(2026, 6, 9)

    refusal = refused(lambda: lend(world, book, hanako, at=AT + days(1)))
    assert refusal.codes == [C.PATRON_SUSPENDED]


def test_checkout_refused_when_patron_has_overdue_items(world, hanako, book):
    lend(world, world.item(), hanako, at=AT - days(20))  # due 2026-05-27
    lend(world, world.item(), hanako, at=AT - days(20))
    refusal = refused(lambda: lend(world, book, hanako))
    assert refusal.codes == [C.PATRON_HAS_OVERDUE]
    assert "2 overdue item(s)" in str(refusal)


def test_checkout_allowed_with_overdue_items_when_the_rule_does_not_block(world, hanako, book):
    PatronRule.objects.filter(library=world.library).update(block_when_overdue=False)
    lend(world, world.item(), hanako, at=AT - days(20))
    assert lend(world, book, hanako).loan.patron == hanako


def test_checkout_not_refused_for_an_item_due_today(world, hanako, book):
    lend(world, world.item(), hanako, at=AT - days(14))  # due today
    assert lend(world, book, hanako).loan.patron == hanako


def test_checkout_refused_when_the_total_limit_of_ten_is_reached(world, hanako, book):
    for _ in range(10):
        lend(world, world.item(), hanako)
    refusal = refused(lambda: lend(world, book, hanako))
    assert refusal.codes == [C.LIMIT_TOTAL]
    assert str(refusal) == "The limit of 10 items on loan is reached."


@pytest.mark.parametrize(
    ("category", "name", "limit"),
    [
        ("av", "視聴覚", 3),
        ("kamishibai", "紙芝居", 2),
    ],
)
def test_checkout_refused_at_the_category_limit_naming_it(world, hanako, category, name, limit):
    for _ in range(limit):
        lend(world, world.item(loan_category=category), hanako)
    one_more = world.item(loan_category=category)
    refusal = refused(lambda: lend(world, one_more, hanako))
    assert refusal.codes == [C.LIMIT_CATEGORY]
    assert str(refusal) == f"The limit of {limit} items of “{name}” is reached."


def test_category_limit_counts_only_its_own_category(world, hanako):
    for _ in range(3):
        lend(world, world.item(loan_category="av"), hanako)
    lend(world, world.item(loan_category="kamishibai"), hanako)
    assert lend(world, world.item(), hanako).loan.patron == hanako


def test_returned_loans_do_not_count_towards_the_limits(world, hanako):
    for _ in range(3):
        dvd = world.item(loan_category="av")
        lend(world, dvd, hanako)
        services.checkin(dvd.barcode, branch=world.main, actor=world.staff, at=AT)
    assert lend(world, world.item(loan_category="av"), hanako).loan.patron == hanako


# --- refusals: the item ----------------------------------------------------------------------


def test_checkout_refused_for_reference_material(world, hanako):
    reference = world.item(loan_category="reference")
    refusal = refused(lambda: lend(world, reference, hanako))
    assert refusal.codes == [C.ITEM_NOT_LOANABLE]
    assert "参考図書" in str(refusal)


def test_checkout_refused_when_item_on_loan_to_someone_else(world, hanako, taro, book):
    first = lend(world, book, taro).loan
    refusal = refused(lambda: lend(world, book, hanako))
    assert refusal.codes == [C.ITEM_ON_LOAN]
    assert Loan.objects.get().pk == first.pk and first.patron == taro


def test_checkout_refused_when_item_already_on_loan_to_this_patron(world, hanako, book):
    lend(world, book, hanako)
    refusal = refused(lambda: lend(world, book, hanako, at=AT + days(1)))
    assert refusal.codes == [C.ALREADY_ON_LOAN_TO_PATRON]
    assert "renew it instead" in str(refusal)


def test_checkout_refused_when_item_held_for_another_patron(world, hanako, taro, book):
    hold = hold_on_the_shelf_for(world, taro, book)
    refusal = refused(lambda: lend(world, book, hanako))
    assert refusal.codes == [C.ITEM_HELD_FOR_OTHER]
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY and hold.patron == taro


@pytest.mark.parametrize(
    ("trigger", "status", "shown"),
    [
        ("mark_missing", ItemStatus.MISSING, "missing"),
        ("send_to_repair", ItemStatus.IN_REPAIR, "in repair"),
    ],
)
def test_checkout_refused_for_an_item_missing_or_in_repair(
    world, hanako, book, trigger, status, shown
):
    services.change_item_status(
        book.barcode, trigger, library_id=world.library.pk, actor=world.staff, at=AT - days(1)
    )
    refusal = refused(lambda: lend(world, book, hanako))
    assert refusal.codes == [C.ITEM_UNAVAILABLE]
    assert str(refusal) == f"The item is {shown}."
    assert status_of(book) == status


def test_checkout_refused_for_an_item_in_transit_to_its_home_branch(world, hanako, book):
    services.checkin(book.barcode, branch=world.east, actor=world.staff, at=AT - days(1))
    assert status_of(book) == ItemStatus.IN_TRANSIT
    refusal = refused(lambda: lend(world, book, hanako, branch=world.east))
    assert refusal.codes == [C.ITEM_UNAVAILABLE]
    assert str(refusal) == "The item is in transit."


def test_checkout_refused_for_a_withdrawn_item(world, hanako, book):
    services.change_item_status(
        book.barcode, "withdraw", library_id=world.library.pk, actor=world.staff, at=AT - days(1)
    )
    refusal = refused(lambda: lend(world, book, hanako))
    assert refusal.codes == [C.ITEM_WITHDRAWN]
    assert status_of(book) == ItemStatus.WITHDRAWN


# --- all reasons at once -------------------------------------------------------------------


def test_refusal_lists_every_reason_at_once(world, hanako):
    for _ in range(3):
        lend(world, world.item(loan_category="av"), hanako, at=AT - days(20))
    block_patron(hanako, "督促中", actor=world.staff, at=AT - days(1))
    Patron.objects.filter(pk=hanako.pk).update(
        expires_on=AT.date() - days(1), suspended_until=AT.date() + days(1)
    )
    dvd = world.item(loan_category="av")
    services.change_item_status(
        dvd.barcode,
        "send_to_repair",
        library_id=world.library.pk,
        actor=world.staff,
        at=AT - days(1),
    )

    refusal = refused(lambda: lend(world, dvd, hanako))
    assert refusal.codes == [
        C.PATRON_BLOCKED,
        C.CARD_EXPIRED,
        C.PATRON_SUSPENDED,
        C.PATRON_HAS_OVERDUE,
        C.ITEM_UNAVAILABLE,
        C.LIMIT_CATEGORY,
    ]
    assert len(str(refusal).split("; ")) == 6


# --- staff override --------------------------------------------------------------------------


def test_librarian_overrides_refusals_with_a_reason(world, hanako):
    for _ in range(3):
        lend(world, world.item(loan_category="av"), hanako)
    Patron.objects.filter(pk=hanako.pk).update(expires_on=AT.date() - days(1))
    dvd = world.item(loan_category="av")

    result = lend(world, dvd, hanako, override_reason="  更新手続き中・館長了承  ")

    assert [r.code for r in result.overridden] == [C.CARD_EXPIRED, C.LIMIT_CATEGORY]
    loan = Loan.objects.get(item=dvd)
    assert loan.overridden and loan.patron == hanako
    assert status_of(dvd) == ItemStatus.ON_LOAN
    [event] = events("loan.refusal_overridden")
    assert (event.object_id, event.actor) == (str(loan.pk), world.staff.code)
    assert event.data == {
        "codes": ["card_expired", "limit_category"],
        "reason": "更新手続き中・館長了承",
    }
    assert events("loan.checked_out")[-1].object_id == str(loan.pk)


def test_librarian_may_lend_a_missing_item_found_at_the_desk(world, hanako, book):
    services.change_item_status(
        book.barcode,
        "mark_missing",
        library_id=world.library.pk,
        actor=world.staff,
        at=AT - days(10),
    )
    result = lend(world, book, hanako, override_reason="カウンターで発見")
    assert [r.code for r in result.overridden] == [C.ITEM_UNAVAILABLE]
    assert status_of(book) == ItemStatus.ON_LOAN


def test_override_without_a_reason_is_refused(world, hanako, book):
    Patron.objects.filter(pk=hanako.pk).update(suspended_until=AT.date() + days(3))
    refusal = refused(lambda: lend(world, book, hanako, override_reason="   "))
    assert refusal.codes == [C.PATRON_SUSPENDED]
    assert refusal.overridable


def test_override_by_a_scheduled_job_is_refused(world, hanako, book):
    Patron.objects.filter(pk=hanako.pk).update(suspended_until=AT.date() + days(3))
    refusal = refused(
        lambda: lend(
            world, book, hanako, actor=Actor.system("sip2"), override_reason="self-service"
        )
    )
    assert refusal.codes == [C.PATRON_SUSPENDED]


def test_override_by_a_user_without_a_role_is_refused(world, hanako, book, django_user_model):
    nobody = user_with_roles(django_user_model, "volunteer")
    Patron.objects.filter(pk=hanako.pk).update(suspended_until=AT.date() + days(3))
    refusal = refused(lambda: lend(world, book, hanako, actor=nobody, override_reason="急ぎ"))
    assert refusal.codes == [C.PATRON_SUSPENDED]


def test_override_by_a_cataloguer_is_refused(world, hanako, book, django_user_model):
    cataloguer = user_with_roles(django_user_model, "cataloguer1", "cataloguer")
    Patron.objects.filter(pk=hanako.pk).update(suspended_until=AT.date() + days(3))
    refused(lambda: lend(world, book, hanako, actor=cataloguer, override_reason="急ぎ"))


def test_override_by_a_job_granted_the_permission(world, hanako, book):
    job = Actor.system("sip2", granted=frozenset({services.OVERRIDE_PERMISSION}))
    Patron.objects.filter(pk=hanako.pk).update(suspended_until=AT.date() + days(3))
    result = lend(world, book, hanako, actor=job, override_reason="desk PC offline")
    assert [r.code for r in result.overridden] == [C.PATRON_SUSPENDED]
    assert events("loan.refusal_overridden")[0].actor == "system:sip2"


def _held_for_other(world, item, patron, other) -> None:
    hold_on_the_shelf_for(world, other, item)


def _on_loan_to_other(world, item, patron, other) -> None:
    lend(world, item, other)


def _already_on_loan(world, item, patron, other) -> None:
    lend(world, item, patron, at=AT - days(1))


def _withdrawn(world, item, patron, other) -> None:
    services.change_item_status(
        item.barcode, "withdraw", library_id=world.library.pk, actor=world.staff, at=AT - days(1)
    )


def _withdrawn_patron(world, item, patron, other) -> None:
    Patron.objects.filter(pk=patron.pk).update(status=PatronStatus.WITHDRAWN)


@pytest.mark.parametrize(
    ("arrange", "code"),
    [
        (_held_for_other, C.ITEM_HELD_FOR_OTHER),
        (_on_loan_to_other, C.ITEM_ON_LOAN),
        (_already_on_loan, C.ALREADY_ON_LOAN_TO_PATRON),
        (_withdrawn, C.ITEM_WITHDRAWN),
        (_withdrawn_patron, C.PATRON_WITHDRAWN),
    ],
    ids=["held-for-other", "on-loan", "already-on-loan", "withdrawn-item", "withdrawn-patron"],
)
def test_administrator_cannot_override_what_is_not_overridable(
    world, hanako, taro, book, administrator, arrange, code
):
    arrange(world, book, hanako, taro)
    refusal = refused(
        lambda: lend(world, book, hanako, actor=administrator, override_reason="館長判断")
    )
    assert refusal.codes == [code]
    assert not refusal.overridable


def test_an_unoverridable_reason_blocks_the_override_of_the_others(
    world, hanako, taro, book, administrator
):
    hold_on_the_shelf_for(world, taro, book)
    Patron.objects.filter(pk=hanako.pk).update(expires_on=AT.date() - days(1))
    refusal = refused(
        lambda: lend(world, book, hanako, actor=administrator, override_reason="館長判断")
    )
    assert refusal.codes == [C.CARD_EXPIRED, C.ITEM_HELD_FOR_OTHER]


# --- collecting a hold ----------------------------------------------------------------------


def test_checkout_collects_the_patrons_ready_hold_and_unlinks_it(world, hanako, book):
    hold = hold_on_the_shelf_for(world, hanako, book)

    result = lend(world, book, hanako)

    hold.refresh_from_db()
    assert result.hold_collected is not None and result.hold_collected.pk == hold.pk
    assert hold.status == HoldStatus.FULFILLED
    assert (hold.item_id, hold.closed_at, hold.closed_by) == (book.pk, AT, "patron")
    assert hold.patron is None  # 図書館の自由に関する宣言: no record of who read what
    assert status_of(book) == ItemStatus.ON_LOAN
    [event] = events("hold.collected")
    assert event.object_id == str(hold.pk) and event.data == {"item": book.pk}


def test_collected_hold_stays_linked_when_the_patron_keeps_a_reading_history(world, book):
    reader = world.patron("読書 好子", "ドクショ ヨシコ", keeps_reading_history=True)
    hold = hold_on_the_shelf_for(world, reader, book)
    lend(world, book, reader)
    hold.refresh_from_db()
    assert hold.status == HoldStatus.FULFILLED and hold.patron == reader


def test_checkout_collects_a_hold_in_transit_handed_over_on_arrival(world, hanako):
    item = world.item(branch=world.east)
    hold = services.place_hold(
        item.bib, hanako, pickup_branch=world.main, actor=world.staff, at=AT - days(1)
    )
    services.checkin(item.barcode, branch=world.east, actor=world.staff, at=AT - days(1))
    hold.refresh_from_db()
    assert hold.status == HoldStatus.IN_TRANSIT

    lend(world, item, hanako)

    hold.refresh_from_db()
    assert hold.status == HoldStatus.FULFILLED and hold.patron is None


def test_checkout_from_the_open_shelf_fulfils_the_patrons_waiting_hold(world, hanako, book):
    hold = services.place_hold(
        book.bib, hanako, pickup_branch=world.main, actor=world.staff, at=AT - days(1)
    )
    assert hold.status == HoldStatus.WAITING  # the copy is still on the open shelf

    result = lend(world, book, hanako)

    hold.refresh_from_db()
    assert result.hold_collected is not None and result.hold_collected.pk == hold.pk
    assert hold.status == HoldStatus.FULFILLED and hold.item_id == book.pk
    assert hold.patron is None
    assert status_of(book) == ItemStatus.ON_LOAN


def test_a_hold_for_another_title_is_not_collected(world, hanako, book):
    other = world.item(world.bib("雪国", "ユキグニ"))
    lend(world, other, world.patron("他人 一郎", "タニン イチロウ"))
    hold = services.place_hold(
        other.bib, hanako, pickup_branch=world.main, actor=world.staff, at=AT - days(1)
    )
    result = lend(world, book, hanako)
    hold.refresh_from_db()
    assert result.hold_collected is None and hold.status == HoldStatus.WAITING


def test_taking_another_copy_collects_the_ready_hold_and_frees_the_trapped_copy(world, hanako):
    bib = world.bib("こころ", "ココロ")
    trapped_copy, shelf_copy = world.item(bib), world.item(bib)
    hold = services.place_hold(
        bib, hanako, pickup_branch=world.main, actor=world.staff, at=AT - days(2)
    )
    services.checkin(
        trapped_copy.barcode, branch=world.main, actor=world.staff, at=AT - days(1)
    )  # pulled from the shelf: now on the hold shelf
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY and hold.item_id == trapped_copy.pk

    result = lend(world, shelf_copy, hanako)

    hold.refresh_from_db()
    assert result.hold_collected.pk == hold.pk
    assert hold.status == HoldStatus.FULFILLED and hold.item_id == shelf_copy.pk
    assert status_of(trapped_copy) == ItemStatus.AVAILABLE  # back on the shelf, not stuck


def test_a_freed_hold_shelf_copy_passes_to_the_next_patron_in_the_queue(world, hanako):
    bib = world.bib("こころ", "ココロ")
    trapped_copy, shelf_copy = world.item(bib), world.item(bib)
    services.place_hold(bib, hanako, pickup_branch=world.main, actor=world.staff, at=AT - days(3))
    taro = world.patron("鈴木 太郎", "スズキ タロウ")
    second = services.place_hold(
        bib, taro, pickup_branch=world.main, actor=world.staff, at=AT - days(2)
    )
    services.checkin(trapped_copy.barcode, branch=world.main, actor=world.staff, at=AT - days(1))

    lend(world, shelf_copy, hanako)

    second.refresh_from_db()
    assert second.status == HoldStatus.READY and second.item_id == trapped_copy.pk
    assert status_of(trapped_copy) == ItemStatus.ON_HOLD_SHELF
