"""The lists the holds screens show (circulation.lists): a title's queue, the hold shelf, the
pick list and the transit lists; and the two actions they offer, clearing a branch's expired
holds and receiving an item in transit.

Calendar: every branch closes on Mondays. A hold ready on Tuesday 2 June 2026 may be collected
until Wednesday 10 June (seven opening days)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from shoka.audit.models import AuditEvent
from shoka.catalogue.models import ItemStatus
from shoka.catalogue.services import ItemData, add_item
from shoka.circulation import lists, services
from shoka.circulation.models import Hold, HoldStatus, LoanRule
from shoka.circulation.policy import RefusalCode
from shoka.circulation.services import CirculationRefused, Route
from shoka.organisation.models import Location

TOKYO = ZoneInfo("Asia/Tokyo")
_barcodes = itertools.count(700001)


def june(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, 0, tzinfo=TOKYO)


def copy(world, bib, *, branch=None, call_number="210/ヤ", location="general", category="book"):
    branch = branch or world.main
    data = ItemData(
        barcode=str(next(_barcodes)),
        branch=branch.code,
        location=location,
        loan_category=category,
        call_number=call_number,
    )
    return add_item(bib, data, actor=world.staff, at=june(1))


def place(world, bib, patron, *, pickup=None, at=None) -> Hold:
    return services.place_hold(
        bib, patron, pickup_branch=pickup or world.main, actor=world.staff, at=at or june(2, 9)
    )


def scan_in(world, item, *, branch, at=None):
    return services.checkin(item.barcode, branch=branch, actor=world.staff, at=at or june(2))


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def readers(world, n: int):
    return [world.patron(f"読者 {i}", f"ドクシャ {i}") for i in range(n)]


# --- the queue of a title ------------------------------------------------------------------


def test_the_queue_lists_trapped_holds_first_then_the_waiting_ones_numbered(world):
    bib = world.bib()
    item = copy(world, bib)
    first, second, third, gone = readers(world, 4)
    h1 = place(world, bib, first, at=june(2, 9))
    h2 = place(world, bib, second, at=june(2, 10))
    h3 = place(world, bib, third, at=june(2, 11))
    h4 = place(world, bib, gone, at=june(2, 12))
    services.cancel_hold(h4, actor=world.staff, at=june(2, 13))
    scan_in(world, item, branch=world.main, at=june(2, 14))  # traps the first hold

    queue = lists.hold_queue(bib)

    assert [(line.hold.pk, line.position) for line in queue] == [
        (h1.pk, None),
        (h2.pk, 1),
        (h3.pk, 2),
    ]
    assert queue[0].hold.status == HoldStatus.READY
    assert queue[1].card == "••••" + str(second.card_number)[-4:]
    assert str(second.card_number) not in queue[1].card


def test_a_title_nobody_holds_has_an_empty_queue(world):
    assert lists.hold_queue(world.bib()) == []


def test_a_short_card_number_is_masked_entirely():
    assert lists.masked_card("1234") == "••••"
    assert lists.masked_card(None) == "••••"
    assert lists.masked_card("100001") == "••••0001"


# --- the hold shelf ------------------------------------------------------------------------


def _ready(world, *, pickup=None, at=None):
    pickup = pickup or world.main
    bib = world.bib()
    item = copy(world, bib, branch=pickup)
    hold = place(world, bib, world.patron(), pickup=pickup, at=at)
    scan_in(world, item, branch=pickup, at=at)
    return fresh(hold)


def test_the_hold_shelf_lists_the_branchs_ready_holds_in_pickup_number_order(world):
    holds = [_ready(world) for _ in range(3)]
    _ready(world, pickup=world.east)  # another branch's shelf
    waiting_bib = world.bib()
    copy(world, waiting_bib, branch=world.east)
    place(world, waiting_bib, world.patron())  # waiting: not on any shelf

    shelf = lists.hold_shelf(world.main, dt.date(2026, 6, 2))

    assert [line.hold.pk for line in shelf] == [
        h.pk for h in sorted(holds, key=lambda h: h.pickup_number)
    ]
    line = shelf[0]
    assert line.expires_on == dt.date(2026, 6, 10)
    assert line.ready_on == dt.date(2026, 6, 2)
    assert line.barcode and line.title == "日本の歴史"
    assert line.card.startswith("••••")


@pytest.mark.parametrize(
    ("today", "days_left", "soon", "expired"),
    [
        (dt.date(2026, 6, 7), 3, False, False),
        (dt.date(2026, 6, 8), 2, True, False),  # EXPIRING_SOON_DAYS before
        (dt.date(2026, 6, 10), 0, True, False),  # the last pickup day
        (dt.date(2026, 6, 11), -1, False, True),
    ],
)
def test_a_hold_on_the_shelf_is_flagged_expiring_soon_then_expired(
    world, today, days_left, soon, expired
):
    _ready(world)
    (line,) = lists.hold_shelf(world.main, today)
    assert (line.days_left, line.expiring_soon, line.expired) == (days_left, soon, expired)


def test_how_soon_is_soon_is_a_parameter(world):
    _ready(world)
    (line,) = lists.hold_shelf(world.main, dt.date(2026, 6, 5), soon_days=5)
    assert line.expiring_soon


def test_clearing_expired_holds_clears_only_this_branchs_shelf_and_says_where_items_go(world):
    expired_here = _ready(world)
    kept_here = _ready(world, at=june(9))  # ready later: not expired on 11 June
    expired_east = _ready(world, pickup=world.east)
    next_reader = world.patron("次 の人", "ツギ ノ ヒト")
    place(world, expired_here.bib, next_reader, at=june(3))

    done = services.clear_expired_holds(world.main, actor=world.staff, at=june(11))

    assert [e.hold.pk for e in done] == [expired_here.pk]
    assert fresh(expired_here).status == HoldStatus.EXPIRED
    assert fresh(kept_here).status == HoldStatus.READY
    assert fresh(expired_east).status == HoldStatus.READY  # east clears its own shelf
    (routing,) = [e.routing for e in done]
    assert routing is not None and routing.route == Route.HOLD_SHELF  # the next reader's
    assert routing.hold is not None and routing.hold.patron_id == next_reader.pk
    assert AuditEvent.objects.filter(action="hold.expired").count() == 1
    # Idempotent: nothing left to clear.
    assert services.clear_expired_holds(world.main, actor=world.staff, at=june(11)) == []


def test_the_daily_job_still_expires_every_branchs_holds(world):
    _ready(world)
    _ready(world, pickup=world.east)
    assert (
        len(services.expire_holds(library_id=world.library.pk, actor=world.system, at=june(11)))
        == 2
    )


# --- the pick list -------------------------------------------------------------------------


def test_the_pick_list_asks_for_one_copy_per_waiting_hold_sorted_by_call_number(world):
    bib = world.bib()
    late = copy(world, bib, call_number="913/ナ")
    early = copy(world, bib, call_number="210/ア")
    copy(world, bib, call_number="100/イ", category="reference")  # not lent: never pulled
    place(world, bib, world.patron())

    (group,) = lists.pick_list(world.library.pk, branch=world.main)

    assert (group.branch, group.location.code) == (world.main, "general")
    assert [line.item.pk for line in group.lines] == [early.pk]
    assert group.lines[0].pickup_branch == world.main
    assert group.lines[0].waiting == 1

    place(world, bib, world.patron("二 番目", "ニ バンメ"))
    (group,) = lists.pick_list(world.library.pk, branch=world.main)
    assert [line.item.pk for line in group.lines] == [early.pk, late.pk]


def test_the_pick_list_groups_by_branch_then_location(world):
    Location.objects.create(branch=world.main, code="children", name="児童書架")
    a, b, c = world.bib("本 A", "ホン A"), world.bib("本 B", "ホン B"), world.bib("本 C", "ホン C")
    in_children = copy(world, a, location="children", call_number="E/ア")
    in_general = copy(world, b, call_number="001/ア")
    at_east = copy(world, c, branch=world.east, call_number="001/ア")
    for bib in (a, b, c):
        place(world, bib, world.patron())

    groups = lists.pick_list(world.library.pk)

    assert [(g.branch.code, g.location.code, [x.item.pk for x in g.lines]) for g in groups] == [
        ("main", "general", [in_general.pk]),
        ("main", "children", [in_children.pk]),
        ("east", "general", [at_east.pk]),
    ]
    assert [g.location.code for g in lists.pick_list(world.library.pk, branch=world.east)] == [
        "general"
    ]


def test_the_pick_list_leaves_out_titles_whose_holds_have_an_item_and_copies_not_on_the_shelf(
    world,
):
    trapped_bib, on_loan_bib = world.bib(), world.bib()
    trapped_copy = copy(world, trapped_bib)
    copy(world, trapped_bib)  # another copy on the shelf: the only hold has its item
    place(world, trapped_bib, world.patron())
    scan_in(world, trapped_copy, branch=world.main)
    lent = copy(world, on_loan_bib)
    services.checkout(
        lent.barcode, world.patron(), branch=world.main, actor=world.staff, at=june(2)
    )
    place(world, on_loan_bib, world.patron())

    assert lists.pick_list(world.library.pk) == []


def test_the_pick_list_follows_the_rules_on_which_copies_may_fill_a_hold(world):
    LoanRule.objects.create(
        library=world.library,
        loan_category=world.loan_categories["av"],
        branch=world.east,
        loan_period=14,
        holds_allowed=False,
    )
    bib = world.bib()
    copy(world, bib, category="av")
    lent = copy(world, bib, branch=world.east)  # a book copy, on loan: the hold is allowed
    services.checkout(
        lent.barcode, world.patron(), branch=world.east, actor=world.staff, at=june(2)
    )
    for_east = place(world, bib, world.patron("予約 する人", "ヨヤク スル ヒト"), pickup=world.east)
    assert lists.pick_list(world.library.pk) == []

    services.cancel_hold(for_east, actor=world.staff, at=june(2))
    place(world, bib, world.patron("別 の人", "ベツ ノ ヒト"), pickup=world.main)
    assert len(lists.pick_list(world.library.pk)) == 1


def test_a_pulled_copy_scanned_in_fills_the_hold_and_leaves_the_pick_list(world):
    bib = world.bib()
    item = copy(world, bib)
    hold = place(world, bib, world.patron(), pickup=world.east)
    ((line,),) = [g.lines for g in lists.pick_list(world.library.pk, branch=world.main)]
    assert line.pickup_branch == world.east

    routing = scan_in(world, line.item, branch=world.main).routing

    assert routing.route == Route.TRANSIT and routing.destination == world.east
    assert fresh(hold).item_id == item.pk
    assert lists.pick_list(world.library.pk) == []


# --- transit lists and receiving -----------------------------------------------------------


def test_an_item_sent_for_a_hold_is_outgoing_here_and_incoming_at_the_pickup_branch(world):
    bib = world.bib()
    item = copy(world, bib, branch=world.east)
    hold = place(world, bib, world.patron(), pickup=world.main)
    scan_in(world, item, branch=world.east)  # pulled at east, sent to main

    (out,) = lists.transits_outgoing(world.east)
    (inc,) = lists.transits_incoming(world.main)
    assert out.item.pk == inc.item.pk == item.pk
    assert (inc.origin, inc.destination) == (world.east, world.main)
    assert inc.hold is not None and inc.hold.pk == hold.pk and inc.hold.pickup_number
    assert inc.sent_at == june(2)
    assert lists.transits_incoming(world.east) == []
    assert lists.transits_outgoing(world.main) == []


def test_an_item_returned_away_from_home_is_incoming_at_its_home_branch(world):
    item = copy(world, world.bib(), branch=world.east)
    services.checkout(
        item.barcode, world.patron(), branch=world.east, actor=world.staff, at=june(2)
    )
    scan_in(world, item, branch=world.main, at=june(3))

    (out,) = lists.transits_outgoing(world.main)
    (inc,) = lists.transits_incoming(world.east)
    assert out.item.pk == inc.item.pk == item.pk
    assert inc.hold is None and inc.destination == world.east


def test_incoming_items_are_listed_in_the_order_they_were_sent(world):
    first = copy(world, world.bib(), branch=world.east)
    second = copy(world, world.bib(), branch=world.east)
    for item, day in ((second, 4), (first, 3)):
        services.checkout(
            item.barcode, world.patron(), branch=world.east, actor=world.staff, at=june(2)
        )
        scan_in(world, item, branch=world.main, at=june(day))
    assert [line.item.pk for line in lists.transits_incoming(world.east)] == [first.pk, second.pk]


def test_receiving_an_item_for_a_hold_puts_it_on_the_hold_shelf(world):
    bib = world.bib()
    item = copy(world, bib, branch=world.east)
    hold = place(world, bib, world.patron(), pickup=world.main)
    scan_in(world, item, branch=world.east)

    done = services.receive_transit(item.barcode, branch=world.main, actor=world.staff, at=june(3))

    assert done.routing.route == Route.HOLD_SHELF
    assert fresh(hold).status == HoldStatus.READY
    assert fresh(item).status == ItemStatus.ON_HOLD_SHELF
    assert lists.transits_incoming(world.main) == []
    assert [line.hold.pk for line in lists.hold_shelf(world.main, dt.date(2026, 6, 3))] == [hold.pk]
    scanned = AuditEvent.objects.filter(action="item.scanned_in").latest("id")
    assert scanned.data["branch"] == "main"


def test_receiving_an_item_twice_is_refused(world):
    item = copy(world, world.bib(), branch=world.east)
    services.checkout(
        item.barcode, world.patron(), branch=world.east, actor=world.staff, at=june(2)
    )
    scan_in(world, item, branch=world.main, at=june(3))
    services.receive_transit(item.barcode, branch=world.east, actor=world.staff, at=june(4))
    assert fresh(item).status == ItemStatus.AVAILABLE

    with pytest.raises(CirculationRefused) as refused:
        services.receive_transit(item.barcode, branch=world.east, actor=world.staff, at=june(4))
    assert refused.value.codes == [RefusalCode.NOT_IN_TRANSIT]


# --- finding a title -----------------------------------------------------------------------


def test_a_title_is_found_by_isbn_by_an_items_barcode_or_by_words(world):
    from shoka.catalogue.services import BibData, create_bib

    wanted = create_bib(
        world.library,
        BibData(title="こころ", title_reading="ココロ", isbns=["978-4-10-101013-7"]),
        actor=world.staff,
        at=june(1),
    )
    other = world.bib("吾輩は猫である", "ワガハイ ワ ネコ デ アル")
    item = copy(world, other)

    assert lists.find_titles(world.library.pk, "9784101010137") == [wanted]
    assert lists.find_titles(world.library.pk, "4-10-101013-7") == [wanted]  # ISBN-10
    assert lists.find_titles(world.library.pk, item.barcode) == [other]
    assert lists.find_titles(world.library.pk, "猫") == [other]
    assert lists.find_titles(world.library.pk, "   ") == []
    assert lists.find_titles(world.library.pk, "存在しない本") == []
