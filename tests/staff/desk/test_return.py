"""Return mode: each scan checks the item in at the desk's branch and says what to do with
it — shelve, hold shelf (hold slip), or transit (transit slip)."""

from __future__ import annotations

from shoka.catalogue.models import ItemStatus
from shoka.circulation.models import HoldStatus, Loan


def test_the_desk_works_for_the_main_library_by_default(desk, world):
    page = desk.get("/desk/return/").content.decode()
    assert "本館" in page
    assert desk.client.session["desk.branch"] == world.main.pk


def test_a_return_at_the_home_branch_goes_back_on_the_shelf(desk, world):
    patron, item = world.patron(), world.item(branch=world.main)
    desk.loan(item, patron)

    html = desk.check_in(item.barcode, htmx=True).content.decode()

    assert 'data-cue="ok"' in html
    assert "Put it back on the shelf" in html
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
    assert Loan.objects.get(item=item).returned_at is not None


def test_a_return_that_fills_a_hold_here_goes_to_the_hold_shelf(desk, world, pdf_text):
    borrower, waiting = world.patron(), world.patron("中村 陽子", "ナカムラ ヨウコ")
    item = world.item(world.bib("秘密の花園 Secret Garden", "ヒミツ ノ ハナゾノ"))
    desk.loan(item, borrower)
    hold = desk.hold(item.bib, waiting, pickup=world.main)

    html = desk.check_in(item.barcode, htmx=True).content.decode()

    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY
    assert 'data-cue="action"' in html
    assert f"Put it on the hold shelf: pickup number {hold.pickup_number}" in html
    slip_url = f"/desk/slips/hold/{hold.pk}/"
    assert slip_url in html
    # Nothing about who is waiting appears in the return result.
    assert "中村" not in html

    slip = desk.get(slip_url)
    assert slip.status_code == 200
    assert slip["Content-Type"] == "application/pdf"
    text = pdf_text(slip.content)
    assert hold.pickup_number in text
    assert "2026-06-02" in text
    assert "Secret Garden" not in text and "秘密" not in text
    assert "中村" not in text and "ナカムラ" not in text
    assert str(waiting.card_number) not in text
    assert b"Secret Garden" not in slip.content


def test_a_return_that_fills_a_hold_elsewhere_goes_in_transit(desk, world, pdf_text):
    borrower, waiting = world.patron(), world.patron("中村 陽子", "ナカムラ ヨウコ")
    item = world.item(branch=world.main)
    desk.loan(item, borrower)
    hold = desk.hold(item.bib, waiting, pickup=world.east)

    html = desk.check_in(item.barcode, htmx=True).content.decode()

    hold.refresh_from_db()
    assert hold.status == HoldStatus.IN_TRANSIT
    assert 'data-cue="action"' in html
    assert "Send it in transit to 東分館" in html
    slip_url = f"/desk/slips/transit/{item.pk}/"
    assert slip_url in html

    slip = desk.get(slip_url)
    assert slip["Content-Type"] == "application/pdf"
    text = pdf_text(slip.content)
    assert item.barcode in text and "2026-06-02" in text
    # The hold's slip goes into the item too: its pickup number and the date, no title.
    hold_slip_url = f"/desk/slips/hold/{hold.pk}/"
    assert hold_slip_url in html
    hold_text = pdf_text(desk.get(hold_slip_url).content)
    assert hold.pickup_number in hold_text and item.bib.title not in hold_text


def test_a_return_that_goes_home_offers_no_hold_slip(desk, world):
    patron, item = world.patron(), world.item(branch=world.east)
    desk.loan(item, patron, branch=world.east)
    html = desk.check_in(item.barcode, htmx=True).content.decode()
    assert "/desk/slips/transit/" in html and "/desk/slips/hold/" not in html


def test_the_hold_becomes_ready_when_the_item_arrives_at_the_pickup_branch(desk, world):
    borrower, waiting = world.patron(), world.patron()
    item = world.item(branch=world.main)
    desk.loan(item, borrower)
    hold = desk.hold(item.bib, waiting, pickup=world.east)
    desk.check_in(item.barcode)

    desk.at_branch(world.east)
    html = desk.check_in(item.barcode, htmx=True).content.decode()

    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY
    assert f"pickup number {hold.pickup_number}" in html


def test_an_item_returned_at_another_branch_goes_home_in_transit(desk, world, pdf_text):
    patron, item = world.patron(), world.item(branch=world.east)
    desk.loan(item, patron, branch=world.east)

    html = desk.check_in(item.barcode, htmx=True).content.decode()

    assert "Send it in transit to 東分館" in html
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_TRANSIT
    text = pdf_text(desk.get(f"/desk/slips/transit/{item.pk}/").content)
    assert item.barcode in text


def test_choosing_the_branch_changes_where_items_are_checked_in(desk, world):
    page = desk.at_branch(world.east).content.decode()
    assert desk.client.session["desk.branch"] == world.east.pk
    assert f'<option value="{world.east.pk}" selected>東分館</option>' in page


def test_an_unknown_barcode_is_refused(desk, world):
    html = desk.check_in("X-404", htmx=True).content.decode()
    assert 'data-cue="refused"' in html
    assert "No item has barcode X-404." in html


def test_a_late_return_says_how_late(desk, world):
    import datetime as dt

    from shoka.circulation import services

    patron, item = world.patron(), world.item()
    services.checkout(
        item.barcode,
        patron,
        branch=world.main,
        actor=world.staff,
        at=desk.now - dt.timedelta(days=20),
    )
    html = desk.check_in(item.barcode, htmx=True).content.decode()
    assert "day(s) late" in html


def test_slips_of_items_not_in_transit_are_not_found(desk, world):
    item = world.item()
    assert desk.get(f"/desk/slips/transit/{item.pk}/").status_code == 404
    assert desk.get("/desk/slips/hold/999999/").status_code == 404
