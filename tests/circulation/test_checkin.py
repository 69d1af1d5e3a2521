"""Check-in (返却): where a scanned item goes — back on the shelf, in transit, or onto the hold
shelf (取置) — and what a late return costs (a suspension, never a fine).

Calendar: every branch closes on Mondays. June 2026: Mon 1, 8, 15, 22 are closed days.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from shoka.audit.models import AuditEvent
from shoka.catalogue.models import ItemStatus
from shoka.circulation import services
from shoka.circulation.models import Hold, HoldStatus, LoanRule, PatronRule, SuspensionMode
from shoka.circulation.services import Route

TOKYO = ZoneInfo("Asia/Tokyo")


def june(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, 0, tzinfo=TOKYO)


def lend(world, item, patron, *, at: dt.datetime, branch=None):
    branch = branch or world.main
    return services.checkout(item.barcode, patron, branch=branch, actor=world.staff, at=at)


def scan_in(world, item, *, branch, at: dt.datetime) -> services.CheckinResult:
    return services.checkin(item.barcode, branch=branch, actor=world.staff, at=at)


def hold_for(world, item, patron, *, pickup, at: dt.datetime) -> Hold:
    return services.place_hold(item.bib, patron, pickup_branch=pickup, actor=world.staff, at=at)


def events(action: str, obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
    )


def set_suspension_rule(world, mode: str, days: int) -> None:
    PatronRule.objects.filter(library=world.library).update(
        suspension_mode=mode, suspension_days=days
    )


# --- back to the shelf, or home in transit ---------------------------------------------


def test_return_at_the_home_branch_puts_the_item_back_on_the_shelf(world):
    borrower, item = world.patron(), world.item(branch=world.main)
    lend(world, item, borrower, at=june(2))

    result = scan_in(world, item, branch=world.main, at=june(5))

    assert result.routing.route == Route.SHELVE
    assert result.routing.destination == world.main
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
    assert item.current_branch == world.main
    assert result.loan is not None
    result.loan.refresh_from_db()
    assert result.loan.returned_at == june(5)
    assert result.loan.return_branch == world.main


def test_return_at_another_branch_sends_the_item_home_in_transit(world):
    borrower, item = world.patron(), world.item(branch=world.main)
    lend(world, item, borrower, at=june(2))

    result = scan_in(world, item, branch=world.east, at=june(5))

    assert result.routing.route == Route.TRANSIT
    assert result.routing.destination == world.main
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_TRANSIT
    assert result.loan is not None and result.loan.return_branch == world.east


def test_an_item_in_transit_scanned_in_at_home_is_shelved(world):
    borrower, item = world.patron(), world.item(branch=world.main)
    lend(world, item, borrower, at=june(2))
    scan_in(world, item, branch=world.east, at=june(5))

    arrival = scan_in(world, item, branch=world.main, at=june(6))

    assert arrival.routing.route == Route.SHELVE
    assert arrival.loan is None
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
    assert item.current_branch == world.main
    assert [e.data["route"] for e in events("item.scanned_in", item)] == ["shelve"]


def test_an_item_passing_through_another_branch_stays_in_transit_home(world):
    borrower, item = world.patron(), world.item(branch=world.main)
    lend(world, item, borrower, at=june(2))
    scan_in(world, item, branch=world.east, at=june(5))

    stopover = scan_in(world, item, branch=world.bookmobile, at=june(6))

    assert stopover.routing.route == Route.TRANSIT
    assert stopover.routing.destination == world.main
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_TRANSIT


# --- the hold shelf --------------------------------------------------------------------


def test_return_with_a_hold_for_pickup_here_goes_to_the_hold_shelf(world):
    borrower, reader = world.patron(), world.patron("佐藤 一郎", "サトウ イチロウ")
    item = world.item(branch=world.main)
    lend(world, item, borrower, at=june(2))
    hold = hold_for(world, item, reader, pickup=world.main, at=june(3))

    # Friday 5 June; seven opening days after it (Monday 8 is closed): Saturday 13 June.
    result = scan_in(world, item, branch=world.main, at=june(5))

    assert result.routing.route == Route.HOLD_SHELF
    assert result.routing.destination == world.main
    assert result.routing.hold == hold
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY
    assert hold.item == item
    assert hold.ready_at == june(5)
    assert hold.expires_on == dt.date(2026, 6, 13)
    assert re.fullmatch(r"\d{4}", hold.pickup_number)
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_HOLD_SHELF
    assert item.current_branch == world.main
    [ready] = events("hold.ready", hold)
    assert ready.data == {"item": item.pk, "branch": "main", "expires_on": "2026-06-13"}


def test_return_with_a_hold_for_pickup_elsewhere_goes_in_transit_to_the_pickup_branch(world):
    borrower, reader = world.patron(), world.patron("佐藤 一郎", "サトウ イチロウ")
    item = world.item(branch=world.main)
    lend(world, item, borrower, at=june(2))
    hold = hold_for(world, item, reader, pickup=world.east, at=june(3))

    result = scan_in(world, item, branch=world.main, at=june(5))

    assert result.routing.route == Route.TRANSIT
    assert result.routing.destination == world.east
    hold.refresh_from_db()
    assert hold.status == HoldStatus.IN_TRANSIT
    assert hold.item == item
    assert hold.trapped_at == june(5)
    assert re.fullmatch(r"\d{4}", hold.pickup_number)
    assert events("hold.trapped", hold) and not events("hold.ready", hold)
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_TRANSIT


def test_an_item_in_transit_for_a_hold_becomes_ready_when_scanned_in_at_the_pickup_branch(world):
    borrower, reader = world.patron(), world.patron("佐藤 一郎", "サトウ イチロウ")
    item = world.item(branch=world.main)
    lend(world, item, borrower, at=june(2))
    hold = hold_for(world, item, reader, pickup=world.east, at=june(3))
    scan_in(world, item, branch=world.main, at=june(5))
    number = Hold.objects.get(pk=hold.pk).pickup_number

    # Tuesday 9 June; seven opening days after it (Monday 15 is closed): Wednesday 17 June.
    arrival = scan_in(world, item, branch=world.east, at=june(9))

    assert arrival.routing.route == Route.HOLD_SHELF
    assert arrival.routing.destination == world.east
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY
    assert hold.trapped_at == june(5)
    assert hold.ready_at == june(9)
    assert hold.expires_on == dt.date(2026, 6, 17)
    assert hold.pickup_number == number  # the slip printed at dispatch stays valid
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_HOLD_SHELF
    assert item.current_branch == world.east
    assert len(events("hold.ready", hold)) == 1


def test_scanning_an_available_item_pulled_from_the_shelf_for_a_hold_traps_it(world):
    reader, item = world.patron(), world.item(branch=world.main)
    hold = hold_for(world, item, reader, pickup=world.main, at=june(2))

    result = scan_in(world, item, branch=world.main, at=june(3))

    assert result.loan is None
    assert result.routing.route == Route.HOLD_SHELF
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY
    assert hold.item == item
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_HOLD_SHELF


def test_trapping_skips_holds_whose_loan_rule_disallows_holds_on_that_copy(world):
    # Children may not hold audio-visual copies; the title also has a book copy they may.
    LoanRule.objects.create(
        library=world.library,
        patron_category=world.categories["child"],
        loan_category=world.loan_categories["av"],
        holds_allowed=False,
    )
    bib = world.bib("はらぺこあおむし", "ハラペコ アオムシ")
    book, dvd = world.item(bib), world.item(bib, loan_category="av")
    lend(world, book, world.patron(), at=june(2))
    child = world.patron(
        "山田 太郎", "ヤマダ タロウ", category="child", birth_date=dt.date(2016, 5, 1)
    )
    adult = world.patron("佐藤 一郎", "サトウ イチロウ")
    child_hold = hold_for(world, book, child, pickup=world.main, at=june(2, 11))
    adult_hold = hold_for(world, book, adult, pickup=world.main, at=june(2, 12))

    dvd_result = scan_in(world, dvd, branch=world.main, at=june(3))

    assert dvd_result.routing.hold == adult_hold
    child_hold.refresh_from_db()
    adult_hold.refresh_from_db()
    assert child_hold.status == HoldStatus.WAITING
    assert (adult_hold.status, adult_hold.item) == (HoldStatus.READY, dvd)

    book_result = scan_in(world, book, branch=world.main, at=june(4))  # the book may go to her

    assert book_result.routing.hold == child_hold
    child_hold.refresh_from_db()
    assert (child_hold.status, child_hold.item) == (HoldStatus.READY, book)


def test_an_item_no_waiting_hold_may_take_goes_back_on_the_shelf(world):
    LoanRule.objects.create(
        library=world.library,
        patron_category=world.categories["child"],
        loan_category=world.loan_categories["av"],
        holds_allowed=False,
    )
    bib = world.bib("はらぺこあおむし", "ハラペコ アオムシ")
    book, dvd = world.item(bib), world.item(bib, loan_category="av")
    lend(world, book, world.patron(), at=june(2))
    child = world.patron(
        "山田 太郎", "ヤマダ タロウ", category="child", birth_date=dt.date(2016, 5, 1)
    )
    child_hold = hold_for(world, book, child, pickup=world.main, at=june(2, 11))

    result = scan_in(world, dvd, branch=world.main, at=june(3))

    assert result.routing.route == Route.SHELVE
    child_hold.refresh_from_db()
    assert child_hold.status == HoldStatus.WAITING and child_hold.item is None
    dvd.refresh_from_db()
    assert dvd.status == ItemStatus.AVAILABLE


def test_scanning_an_item_already_on_the_hold_shelf_changes_nothing(world):
    reader, item = world.patron(), world.item(branch=world.main)
    hold = hold_for(world, item, reader, pickup=world.main, at=june(2))
    scan_in(world, item, branch=world.main, at=june(3))
    hold.refresh_from_db()
    item.refresh_from_db()
    before = (
        hold.status,
        hold.item_id,
        hold.ready_at,
        hold.expires_on,
        hold.pickup_number,
        item.status,
        item.current_branch_id,
        item.status_changed_at,
    )

    again = scan_in(world, item, branch=world.main, at=june(5))

    assert again.routing.route == Route.HOLD_SHELF
    assert again.routing.hold == hold
    hold.refresh_from_db()
    item.refresh_from_db()
    after = (
        hold.status,
        hold.item_id,
        hold.ready_at,
        hold.expires_on,
        hold.pickup_number,
        item.status,
        item.current_branch_id,
        item.status_changed_at,
    )
    assert after == before
    assert len(events("hold.ready", hold)) == 1


# --- late returns ------------------------------------------------------------------------


def test_late_return_suspends_the_patron_for_n_days_after_the_return(world):
    set_suspension_rule(world, SuspensionMode.DAYS_AFTER_RETURN, 7)
    borrower, item = world.patron(), world.item()
    loan = lend(world, item, borrower, at=june(2)).loan
    assert loan.due_on == dt.date(2026, 6, 16)

    result = scan_in(world, item, branch=world.main, at=june(19))  # three days late

    assert result.days_late == 3
    assert result.suspended_until == dt.date(2026, 6, 26)
    borrower.refresh_from_db()
    assert borrower.suspended_until == dt.date(2026, 6, 26)
    [returned] = events("loan.returned", loan)
    assert returned.data["days_late"] == 3
    assert returned.data["suspension_applied"] is True


def test_late_return_suspends_the_patron_n_days_per_day_late(world):
    set_suspension_rule(world, SuspensionMode.DAYS_PER_DAY_LATE, 2)
    borrower, item = world.patron(), world.item()
    lend(world, item, borrower, at=june(2))

    result = scan_in(world, item, branch=world.main, at=june(19))  # three days late

    assert result.days_late == 3
    assert result.suspended_until == dt.date(2026, 6, 25)  # 19 June + 3 × 2 days
    borrower.refresh_from_db()
    assert borrower.suspended_until == dt.date(2026, 6, 25)


def test_a_shorter_suspension_never_shortens_a_longer_one(world):
    set_suspension_rule(world, SuspensionMode.DAYS_PER_DAY_LATE, 2)
    borrower, first, second = world.patron(), world.item(), world.item()
    lend(world, first, borrower, at=june(2))  # due 16 June
    lend(world, second, borrower, at=june(9))  # due 23 June
    scan_in(world, first, branch=world.main, at=june(26))  # 10 days late: until 16 July

    result = scan_in(world, second, branch=world.main, at=june(26, 11))  # 3 days late

    assert result.suspended_until == dt.date(2026, 7, 2)
    borrower.refresh_from_db()
    assert borrower.suspended_until == dt.date(2026, 7, 16)


def test_on_time_return_applies_no_suspension(world):
    set_suspension_rule(world, SuspensionMode.DAYS_AFTER_RETURN, 7)
    borrower, item = world.patron(), world.item()
    loan = lend(world, item, borrower, at=june(2)).loan

    result = scan_in(world, item, branch=world.main, at=june(16, 19))  # on the due date

    assert result.days_late == 0
    assert result.suspended_until is None
    borrower.refresh_from_db()
    assert borrower.suspended_until is None
    [returned] = events("loan.returned", loan)
    assert returned.data["days_late"] == 0
    assert returned.data["suspension_applied"] is False
