"""The holds screens' lists as pages: the hold shelf, the pick list, the transit lists and a
title's queue. What goes in each list is tested in tests/circulation/test_lists.py; these
tests check what the page shows and in which order."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import time_machine

from shoka.catalogue.services import ItemData, add_item
from shoka.circulation import services
from shoka.organisation.models import Location

TOKYO = ZoneInfo("Asia/Tokyo")
SATURDAY_BEFORE = dt.datetime(2026, 5, 30, 10, tzinfo=TOKYO)


def rows(html: str, table_index: int = 0) -> list[str]:
    tables = re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r"<tr.*?</tr>", tables[table_index], re.S) if tables else []


def test_the_hold_shelf_shows_pickup_numbers_dates_and_flags(staff, world):
    fresh = staff.ready()
    old = staff.ready(at=dt.datetime(2026, 5, 26, 10, tzinfo=TOKYO))  # last day 3 June
    older = staff.ready(at=dt.datetime(2026, 5, 19, 10, tzinfo=TOKYO))  # past its last day
    staff.ready(pickup=world.east)  # another branch's shelf

    html = staff.get("/holds/shelf/").content.decode()

    lines = rows(html)
    assert len(lines) == 3
    numbers = [re.search(r'class="number">(\d+)<', line).group(1) for line in lines]
    assert numbers == sorted(numbers)
    by_hold = {h.pickup_number: h for h in (fresh, old, older)}
    for line, number in zip(lines, numbers, strict=True):
        hold = by_hold[number]
        assert hold.expires_on.isoformat() in line
        if hold == older:
            assert "✕ Expired" in line and 'class="expired"' in line
        elif hold == old:
            assert "⚠ Expiring soon" in line and "(1 day left)" in line
        else:
            assert "Waiting for collection" in line
    assert "1 expired" in html and "1 expiring soon" in html
    assert "Clear expired holds" in html


def test_an_empty_hold_shelf_says_so_and_offers_nothing_to_clear(staff):
    html = staff.get("/holds/shelf/").content.decode()
    assert "The hold shelf is empty." in html
    assert "Clear expired holds" not in html


def test_the_hold_shelf_is_the_desk_branchs(staff, world):
    on_east = staff.ready(pickup=world.east)
    staff.at_branch(world.east)
    html = staff.get("/holds/shelf/").content.decode()
    assert f'class="number">{on_east.pickup_number}<' in html
    assert "東分館" in html


def test_the_pick_list_is_grouped_by_location_and_sorted_by_call_number(staff, world):
    Location.objects.create(branch=world.main, code="children", name="児童書架")
    bib = world.bib("ぐりとぐら", "グリ ト グラ")
    second = staff.copy(bib, call_number="913/ナ")
    first = staff.copy(bib, call_number="210/ア")
    for patron in (world.patron(), world.patron("佐藤 一", "サトウ ハジメ")):
        staff.hold(bib, patron)
    other = world.bib("はらぺこあおむし", "ハラペコ アオムシ")
    in_children = add_item(
        other,
        ItemData(
            barcode="900001",
            branch="main",
            location="children",
            loan_category="book",
            call_number="E/カ",
        ),
        actor=world.staff,
        at=SATURDAY_BEFORE,
    )
    staff.hold(other, world.patron("鈴木 二", "スズキ ニ"), pickup=world.east)

    html = staff.get("/holds/pick/").content.decode()

    headings = re.findall(r"<h2 id=\"pick-\d+\">(.*?)</h2>", html)
    assert headings == ["本館 — 一般書架", "本館 — 児童書架"]
    general = rows(html, 0)
    assert [first.barcode in general[0], second.barcode in general[1]] == [True, True]
    (child,) = rows(html, 1)
    assert in_children.barcode in child and "東分館" in child


def test_the_pick_list_of_all_branches_adds_the_other_branches(staff, world):
    bib = world.bib()
    at_east = staff.copy(bib, branch=world.east)
    staff.hold(bib, world.patron())
    assert "Nothing to pull" in staff.get("/holds/pick/").content.decode()

    html = staff.get("/holds/pick/all/").content.decode()
    assert at_east.barcode in html and "東分館 — 一般書架" in html


def test_the_transit_page_lists_incoming_and_outgoing_items(staff, world):
    bib = world.bib()
    from_east = staff.copy(bib, branch=world.east)
    hold = staff.hold(bib, world.patron())
    staff.scan_in(from_east, branch=world.east)  # east sends it to main for the hold
    going_home = staff.copy(branch=world.east)
    lender = world.patron()
    services.checkout(
        going_home.barcode, lender, branch=world.east, actor=world.staff, at=SATURDAY_BEFORE
    )
    staff.scan_in(going_home, branch=world.main)

    html = staff.get("/holds/transit/").content.decode()

    (incoming,) = rows(html, 0)
    (outgoing,) = rows(html, 1)
    hold.refresh_from_db()
    assert from_east.barcode in incoming and hold.pickup_number in incoming
    assert "東分館" in incoming and "Received" in incoming
    assert going_home.barcode in outgoing and "Going home" in outgoing
    assert f"/desk/slips/transit/{going_home.pk}/" in outgoing


def test_nothing_in_transit_says_so(staff):
    html = staff.get("/holds/transit/").content.decode()
    assert "Nothing is on its way here." in html
    assert "Nothing sent from here is on its way." in html


def test_the_queue_shows_position_status_pickup_branch_date_and_masked_card(staff, world):
    bib = world.bib()
    item = staff.copy(bib)
    first, second = world.patron(), world.patron("佐藤 一", "サトウ ハジメ")
    staff.hold(bib, first)
    staff.hold(bib, second, pickup=world.east)
    staff.scan_in(item)

    response = staff.get(f"/holds/title/{bib.pk}/")

    html = response.content.decode()
    trapped, waiting = rows(html)
    assert "ready on the hold shelf" in trapped and "—" in trapped
    assert "<td>1</td>" in waiting and "東分館" in waiting and "waiting" in waiting
    assert "2026-06-02" in waiting
    assert "••••" + str(second.card_number)[-4:] in waiting
    assert str(second.card_number) not in html
    assert "佐藤" not in html


def test_an_unknown_title_is_not_found(staff):
    assert staff.get("/holds/title/999999/").status_code == 404


def test_a_title_is_found_by_words_and_offers_its_queue(staff, world):
    bib = world.bib("銀河鉄道の夜", "ギンガ テツドウ ノ ヨル")
    html = staff.post("/holds/", {"q": "銀河"}).content.decode()
    assert "1 title found" in html
    assert f"/holds/title/{bib.pk}/" in html
    assert f"/holds/title/{bib.pk}/place/" not in html  # nobody is being served


def test_an_empty_search_is_refused_with_a_clear_error(staff):
    response = staff.post("/holds/", {"q": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "Type an ISBN, a barcode or words of the title." in html
    assert 'aria-invalid="true"' in html


def test_a_search_without_a_match_says_so(staff):
    html = staff.post("/holds/", {"q": "存在しない"}).content.decode()
    assert "No title matches." in html


def test_the_flags_move_with_the_days(staff):
    hold = staff.ready()
    with time_machine.travel(dt.datetime(2026, 6, 11, 9, tzinfo=TOKYO), tick=False):
        staff.client.force_login(staff.world.staff_user)  # a new working day, a new session
        html = staff.get("/holds/shelf/").content.decode()
    assert "✕ Expired" in html and hold.pickup_number in html
