"""Holds (予約): a title-level queue in request order, the refusals, cancellation, the hold
shelf counted in opening days, and the daily job that expires uncollected holds.

Calendar: every branch closes on Mondays. June 2026: Mon 1, 8, 15, 22 are closed days.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from shoka.audit.models import AuditEvent
from shoka.catalogue.models import ItemStatus
from shoka.circulation import services
from shoka.circulation.models import Hold, HoldStatus, PatronRule, SuspensionMode
from shoka.circulation.policy import RefusalCode
from shoka.circulation.services import CirculationRefused, Route

TOKYO = ZoneInfo("Asia/Tokyo")


def june(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=TOKYO)


def lend(world, item, patron, *, at: dt.datetime):
    return services.checkout(item.barcode, patron, branch=world.main, actor=world.staff, at=at)


def scan_in(world, item, *, branch, at: dt.datetime) -> services.CheckinResult:
    return services.checkin(item.barcode, branch=branch, actor=world.staff, at=at)


def place(world, bib, patron, *, at: dt.datetime, pickup=None) -> Hold:
    return services.place_hold(
        bib, patron, pickup_branch=pickup or world.main, actor=world.staff, at=at
    )


def refusal_codes(world, bib, patron, *, at: dt.datetime, pickup=None) -> list[RefusalCode]:
    with pytest.raises(CirculationRefused) as refused:
        place(world, bib, patron, at=at, pickup=pickup)
    return refused.value.codes


def fresh(hold: Hold) -> Hold:
    return Hold.objects.get(pk=hold.pk)


def audit_counts() -> Counter[str]:
    return Counter(AuditEvent.objects.values_list("action", flat=True))


def readers(world, n: int) -> list:
    names = [
        ("佐藤 一郎", "サトウ イチロウ"),
        ("鈴木 二郎", "スズキ ジロウ"),
        ("高橋 三郎", "タカハシ サブロウ"),
        ("田中 四郎", "タナカ シロウ"),
    ]
    return [world.patron(name, kana) for name, kana in names[:n]]


def ready_on_the_shelf(world, *, at: dt.datetime, pickup=None):
    """A title with one copy at the main library, ready on the hold shelf for a reader."""
    reader, item = world.patron(), world.item(branch=world.main)
    hold = place(world, item.bib, reader, at=at, pickup=pickup)
    scan_in(world, item, branch=pickup or world.main, at=at)
    return fresh(hold), item, reader


# --- the queue ---------------------------------------------------------------------------


def test_the_queue_is_served_in_request_order(world):
    borrower, item = world.patron(), world.item()
    lend(world, item, borrower, at=june(2))
    first, second, third = readers(world, 3)
    # Placed out of registration order, so that only the request time decides.
    h2 = place(world, item.bib, second, at=june(2, 11, 0))
    h3 = place(world, item.bib, third, at=june(2, 11, 5))
    h1 = place(world, item.bib, first, at=june(2, 10, 55))

    scan_in(world, item, branch=world.main, at=june(3))
    assert [fresh(h).status for h in (h1, h2, h3)] == ["ready", "waiting", "waiting"]

    lend(world, item, first, at=june(4))
    scan_in(world, item, branch=world.main, at=june(5))
    assert [fresh(h).status for h in (h1, h2, h3)] == ["fulfilled", "ready", "waiting"]

    lend(world, item, second, at=june(6))
    scan_in(world, item, branch=world.main, at=june(7))
    assert [fresh(h).status for h in (h1, h2, h3)] == ["fulfilled", "fulfilled", "ready"]


# --- refusals ----------------------------------------------------------------------------


def test_a_patron_at_the_hold_limit_is_refused(world):
    PatronRule.objects.filter(library=world.library).update(max_holds=2)
    reader = world.patron()
    for title, reading in (("一", "イチ"), ("二", "ニ")):
        place(world, world.item(world.bib(title, reading)).bib, reader, at=june(2))

    third = world.item(world.bib("三", "サン")).bib

    assert refusal_codes(world, third, reader, at=june(2)) == [RefusalCode.LIMIT_HOLDS]


def test_a_second_hold_on_the_same_title_is_refused(world):
    reader, item = world.patron(), world.item()
    place(world, item.bib, reader, at=june(2))

    assert refusal_codes(world, item.bib, reader, at=june(3)) == [RefusalCode.ALREADY_HELD]
    assert Hold.objects.filter(patron=reader).count() == 1


def test_a_hold_on_a_title_the_patron_has_on_loan_is_refused(world):
    reader, item = world.patron(), world.item()
    world.item(item.bib)  # another copy, so the title itself could be held
    lend(world, item, reader, at=june(2))

    assert refusal_codes(world, item.bib, reader, at=june(3)) == [
        RefusalCode.ALREADY_ON_LOAN_TO_PATRON
    ]


def test_a_title_with_only_reference_copies_cannot_be_held(world):
    item = world.item(loan_category="reference")

    assert refusal_codes(world, item.bib, world.patron(), at=june(2)) == [
        RefusalCode.HOLDS_NOT_ALLOWED
    ]


def test_a_title_without_items_cannot_be_held(world):
    bib = world.bib("まだ届かない本", "マダ トドカナイ ホン")

    assert refusal_codes(world, bib, world.patron(), at=june(2)) == [RefusalCode.NO_HOLDABLE_ITEMS]


def test_a_title_without_items_is_named_as_such_alongside_the_patrons_own_refusals(world):
    reader = world.patron(at=dt.datetime(2023, 6, 1, 10, 0, tzinfo=TOKYO))  # expired 1 June
    bib = world.bib("まだ届かない本", "マダ トドカナイ ホン")

    assert refusal_codes(world, bib, reader, at=june(2)) == [
        RefusalCode.CARD_EXPIRED,
        RefusalCode.NO_HOLDABLE_ITEMS,
    ]


def test_the_bookmobile_is_not_a_pickup_branch(world):
    item = world.item()

    assert refusal_codes(world, item.bib, world.patron(), at=june(2), pickup=world.bookmobile) == [
        RefusalCode.PICKUP_BRANCH_INVALID
    ]


def test_an_expired_card_cannot_place_holds(world):
    # Registered for three years on 1 June 2023: the card expired on 1 June 2026.
    reader = world.patron(at=dt.datetime(2023, 6, 1, 10, 0, tzinfo=TOKYO))
    item = world.item()

    assert refusal_codes(world, item.bib, reader, at=june(2)) == [RefusalCode.CARD_EXPIRED]


def test_a_suspended_patron_cannot_place_holds(world):
    PatronRule.objects.filter(library=world.library).update(
        suspension_mode=SuspensionMode.DAYS_AFTER_RETURN, suspension_days=7
    )
    reader, late = world.patron(), world.item()
    lend(world, late, reader, at=june(2))
    scan_in(world, late, branch=world.main, at=june(17))  # one day late: until 24 June

    wanted = world.item(world.bib("次の本", "ツギ ノ ホン"))

    assert refusal_codes(world, wanted.bib, reader, at=june(24)) == [RefusalCode.PATRON_SUSPENDED]
    assert place(world, wanted.bib, reader, at=june(25)).status == HoldStatus.WAITING


# --- cancelling ----------------------------------------------------------------------------


def test_a_patron_cancels_a_waiting_hold(world):
    reader, item = world.patron(), world.item()
    lend(world, item, world.patron("佐藤 一郎", "サトウ イチロウ"), at=june(2))
    hold = place(world, item.bib, reader, at=june(2))

    routing = services.cancel_hold(hold, actor=world.staff, at=june(3), by="patron")

    assert routing is None
    hold = fresh(hold)
    assert (hold.status, hold.closed_by, hold.closed_at) == (
        HoldStatus.CANCELLED,
        "patron",
        june(3),
    )
    cancelled = AuditEvent.objects.get(action="hold.cancelled", object_id=str(hold.pk))
    assert cancelled.data == {"by": "patron", "was": "waiting"}


def test_staff_cancel_a_hold_in_transit_and_the_item_goes_home_when_it_arrives(world):
    reader, item = world.patron(), world.item(branch=world.main)
    hold = place(world, item.bib, reader, at=june(2), pickup=world.east)
    scan_in(world, item, branch=world.main, at=june(2))  # sent to the east branch

    assert services.cancel_hold(hold, actor=world.staff, at=june(3), by="staff") is None
    assert fresh(hold).status == HoldStatus.CANCELLED
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_TRANSIT  # still on the van

    arrival = scan_in(world, item, branch=world.east, at=june(4))

    assert (arrival.routing.route, arrival.routing.destination) == (Route.TRANSIT, world.main)


def test_an_item_travelling_for_a_cancelled_hold_goes_to_the_next_in_the_queue(world):
    first, second = readers(world, 2)
    item = world.item(branch=world.main)
    h1 = place(world, item.bib, first, at=june(2, 10), pickup=world.east)
    h2 = place(world, item.bib, second, at=june(2, 11), pickup=world.east)
    scan_in(world, item, branch=world.main, at=june(2, 12))
    services.cancel_hold(h1, actor=world.staff, at=june(3), by="patron")

    arrival = scan_in(world, item, branch=world.east, at=june(4))

    assert arrival.routing.route == Route.HOLD_SHELF
    assert (fresh(h2).status, fresh(h2).item) == (HoldStatus.READY, item)


def test_cancelling_a_ready_hold_passes_the_item_to_the_next_in_the_queue(world):
    hold, item, _ = ready_on_the_shelf(world, at=june(2))
    [second] = readers(world, 1)
    h2 = place(world, item.bib, second, at=june(3))

    routing = services.cancel_hold(hold, actor=world.staff, at=june(4), by="staff")

    assert routing is not None and routing.route == Route.HOLD_SHELF
    assert routing.hold == h2
    h2 = fresh(h2)
    assert (h2.status, h2.item, h2.ready_at) == (HoldStatus.READY, item, june(4))
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_HOLD_SHELF


def test_cancelling_a_ready_hold_with_nobody_waiting_puts_the_item_back_on_the_shelf(world):
    hold, item, _ = ready_on_the_shelf(world, at=june(2))

    routing = services.cancel_hold(hold, actor=world.staff, at=june(4), by="patron")

    assert routing is not None and routing.route == Route.SHELVE
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE


def test_cancelling_a_ready_hold_away_from_home_sends_the_item_home(world):
    hold, item, _ = ready_on_the_shelf(world, at=june(2), pickup=world.east)

    routing = services.cancel_hold(hold, actor=world.staff, at=june(4), by="patron")

    assert routing is not None
    assert (routing.route, routing.destination) == (Route.TRANSIT, world.main)
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_TRANSIT


def test_cancelling_twice_is_refused(world):
    hold = place(world, world.item().bib, world.patron(), at=june(2))
    services.cancel_hold(hold, actor=world.staff, at=june(3), by="patron")

    with pytest.raises(CirculationRefused) as refused:
        services.cancel_hold(hold, actor=world.staff, at=june(3, 11), by="staff")

    assert refused.value.codes == [RefusalCode.HOLD_NOT_ACTIVE]
    assert AuditEvent.objects.filter(action="hold.cancelled").count() == 1


# --- the hold shelf and the daily job --------------------------------------------------------


def test_the_hold_shelf_counts_opening_days_only(world):
    # Ready on Tuesday 2 June: seven opening days, skipping closed Monday 8 June, end on
    # Wednesday 10 June (seven calendar days would end on Tuesday 9 June).
    hold, _, _ = ready_on_the_shelf(world, at=june(2))
    assert hold.expires_on == dt.date(2026, 6, 10)

    services.run_daily(world.library, at=june(10, 23))
    assert fresh(hold).status == HoldStatus.READY  # the last pickup day is not over

    report = services.run_daily(world.library, at=june(11, 6))
    assert report.holds_expired == 1
    assert fresh(hold).status == HoldStatus.EXPIRED


def test_the_daily_job_expires_an_uncollected_hold_and_readies_the_item_for_the_next_patron(
    world,
):
    hold, item, _ = ready_on_the_shelf(world, at=june(2))
    [second] = readers(world, 1)
    h2 = place(world, item.bib, second, at=june(3))

    report = services.run_daily(world.library, at=june(11, 6))

    assert report.holds_expired == 1
    hold = fresh(hold)
    assert (hold.status, hold.closed_by, hold.closed_at) == (
        HoldStatus.EXPIRED,
        "system",
        june(11, 6),
    )
    h2 = fresh(h2)
    assert (h2.status, h2.item, h2.ready_at) == (HoldStatus.READY, item, june(11, 6))
    assert h2.expires_on == dt.date(2026, 6, 19)  # seven opening days after Thursday 11 June
    item.refresh_from_db()
    assert (item.status, item.current_branch) == (ItemStatus.ON_HOLD_SHELF, world.main)
    assert AuditEvent.objects.filter(action="hold.expired", object_id=str(hold.pk)).exists()


def test_the_daily_job_sends_an_expired_holds_item_to_the_next_patrons_pickup_branch(world):
    hold, item, _ = ready_on_the_shelf(world, at=june(2))
    [second] = readers(world, 1)
    h2 = place(world, item.bib, second, at=june(3), pickup=world.east)

    services.run_daily(world.library, at=june(11, 6))

    assert fresh(hold).status == HoldStatus.EXPIRED
    assert (fresh(h2).status, fresh(h2).item) == (HoldStatus.IN_TRANSIT, item)
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_TRANSIT


def test_running_the_daily_job_twice_changes_nothing_the_second_time(world):
    PatronRule.objects.filter(library=world.library).update(
        suspension_mode=SuspensionMode.DAYS_AFTER_RETURN, suspension_days=1
    )
    _, item, _ = ready_on_the_shelf(world, at=june(2))
    [second] = readers(world, 1)
    place(world, item.bib, second, at=june(3))
    late, other = world.item(), world.patron("鈴木 二郎", "スズキ ジロウ")
    lend(world, late, other, at=june(2))
    scan_in(world, late, branch=world.main, at=june(17))  # suspended until 18 June

    first = services.run_daily(world.library, at=june(19, 6))
    assert (first.holds_expired, first.suspensions_lifted) == (1, 1)
    counts = audit_counts()
    states = sorted(Hold.objects.values_list("id", "status", "expires_on", "patron_id"))

    again = services.run_daily(world.library, at=june(19, 6))

    assert (again.holds_expired, again.suspensions_lifted) == (0, 0)
    assert audit_counts() == counts
    assert sorted(Hold.objects.values_list("id", "status", "expires_on", "patron_id")) == states


def test_the_daily_job_lifts_only_suspensions_that_have_ended(world):
    PatronRule.objects.filter(library=world.library).update(
        suspension_mode=SuspensionMode.DAYS_AFTER_RETURN, suspension_days=7
    )
    ended, ends_today, later = readers(world, 3)
    for patron, returned in ((ended, june(17)), (ends_today, june(18)), (later, june(20))):
        item = world.item()
        lend(world, item, patron, at=june(2))  # due 16 June
        scan_in(world, item, branch=world.main, at=returned)
    # Suspended until 24, 25 and 27 June; the job runs on the morning of 25 June.

    report = services.run_daily(world.library, at=june(25, 6))

    assert report.suspensions_lifted == 1
    for patron in (ended, ends_today, later):
        patron.refresh_from_db()
    assert ended.suspended_until is None
    assert ends_today.suspended_until == dt.date(2026, 6, 25)  # still suspended today
    assert later.suspended_until == dt.date(2026, 6, 27)
    lifted = AuditEvent.objects.filter(action="patron.suspension_ended")
    assert list(lifted.values_list("object_id", flat=True)) == [str(ended.pk)]


# --- finished holds and the reading history --------------------------------------------------


def _finish(world, how: str, reader, *, at: dt.datetime) -> Hold:
    item = world.item()
    hold = place(world, item.bib, reader, at=at)
    if how == "cancelled":
        services.cancel_hold(hold, actor=world.staff, at=at, by="patron")
        return fresh(hold)
    scan_in(world, item, branch=world.main, at=at)
    if how == "collected":
        lend(world, item, reader, at=at + dt.timedelta(days=1))
    else:
        services.run_daily(world.library, at=at + dt.timedelta(days=14))
    return fresh(hold)


@pytest.mark.parametrize(
    ("how", "status"),
    [
        ("collected", HoldStatus.FULFILLED),
        ("cancelled", HoldStatus.CANCELLED),
        ("expired", HoldStatus.EXPIRED),
    ],
)
def test_a_finished_hold_loses_the_patron_link(world, how, status):
    reader = world.patron()

    hold = _finish(world, how, reader, at=june(2))

    assert hold.status == status
    assert hold.patron_id is None
    assert hold.patron_category == "adult"  # the statistics stay


@pytest.mark.parametrize(
    ("how", "status"),
    [
        ("collected", HoldStatus.FULFILLED),
        ("cancelled", HoldStatus.CANCELLED),
        ("expired", HoldStatus.EXPIRED),
    ],
)
def test_a_finished_hold_keeps_the_patron_link_for_a_patron_who_keeps_a_reading_history(
    world,
    how,
    status,
):
    reader = world.patron(keeps_reading_history=True)

    hold = _finish(world, how, reader, at=june(2))

    assert hold.status == status
    assert hold.patron_id == reader.pk
