"""The holds screens' actions: placing a hold for the patron at the desk (and its refusals),
cancelling a hold, clearing expired holds from the shelf, receiving an item in transit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from shoka.audit.models import AuditEvent
from shoka.catalogue.models import ItemStatus
from shoka.circulation.models import Hold, HoldStatus, PatronRule

TOKYO = ZoneInfo("Asia/Tokyo")


def test_a_hold_is_placed_for_the_patron_at_the_desk(staff, world):
    patron, item = world.patron(), staff.copy()
    staff.serve(patron)

    page = staff.get(f"/holds/title/{item.bib.pk}/place/").content.decode()
    assert "••••" + str(patron.card_number)[-4:] in page
    assert f'<option value="{world.main.pk}" selected>' in page  # the desk's branch
    assert "移動図書館" not in page  # not a pickup branch

    response = staff.post(
        f"/holds/title/{item.bib.pk}/place/", {"pickup_branch": world.east.pk}, follow=True
    )

    assert response.redirect_chain == [(f"/holds/title/{item.bib.pk}/", 303)]
    hold = Hold.objects.get(patron=patron)
    assert (hold.bib_id, hold.pickup_branch, hold.status) == (
        item.bib.pk,
        world.east,
        HoldStatus.WAITING,
    )
    html = response.content.decode()
    assert "Hold placed: number 1 in the queue, to be collected at 東分館." in html
    assert AuditEvent.objects.filter(action="hold.placed").count() == 1
    # The outcome is said once.
    assert "Hold placed" not in staff.get(f"/holds/title/{item.bib.pk}/").content.decode()


def test_a_refused_hold_says_why_and_places_nothing(staff, world):
    patron, item = world.patron(), staff.copy()
    staff.hold(item.bib, patron)
    staff.serve(patron)

    response = staff.post(f"/holds/title/{item.bib.pk}/place/", {"pickup_branch": world.main.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "The patron already has a hold on this title." in html
    assert Hold.objects.filter(patron=patron).count() == 1
    assert "Reason for the override" not in html  # not a refusal staff may override


def test_a_hold_over_the_limit_may_be_placed_with_a_reason(staff, world):
    PatronRule.objects.filter(library=world.library).update(max_holds=1)
    patron = world.patron()
    staff.hold(staff.copy().bib, patron)
    item = staff.copy()
    staff.serve(patron)
    url = f"/holds/title/{item.bib.pk}/place/"

    refused = staff.post(url, {"pickup_branch": world.main.pk}).content.decode()
    assert "The limit of 1 holds is reached." in refused
    assert "Reason for the override" in refused and "Place the hold anyway" in refused

    staff.post(url, {"pickup_branch": world.main.pk, "override_reason": "学校の課題"})
    assert Hold.objects.filter(patron=patron, bib=item.bib).exists()
    event = AuditEvent.objects.get(action="hold.refusal_overridden")
    assert event.data["reason"] == "学校の課題"


def test_a_tampered_pickup_branch_is_a_clear_error(staff, world):
    patron, item = world.patron(), staff.copy()
    staff.serve(patron)
    url = f"/holds/title/{item.bib.pk}/place/"
    for bad in (world.bookmobile.pk, "999999", "", "東"):
        response = staff.post(url, {"pickup_branch": bad})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert not Hold.objects.exists()


def test_without_a_patron_at_the_desk_the_place_page_says_to_scan_a_card(staff, world):
    item = staff.copy()
    html = staff.get(f"/holds/title/{item.bib.pk}/place/").content.decode()
    assert "Scan the patron's card at the desk first" in html
    assert staff.post(f"/holds/title/{item.bib.pk}/place/", {"pickup_branch": world.main.pk})
    assert not Hold.objects.exists()


def test_the_search_offers_to_place_a_hold_while_a_patron_is_served(staff, world):
    bib = world.bib("銀河鉄道の夜", "ギンガ テツドウ ノ ヨル")
    staff.copy(bib)
    staff.serve(world.patron())
    html = staff.post("/holds/", {"q": "銀河鉄道"}).content.decode()
    assert f"/holds/title/{bib.pk}/place/" in html


def test_the_desk_links_to_placing_a_hold(staff, world):
    html = staff.serve(world.patron()).content.decode()
    assert 'href="/holds/"' in html


# --- cancelling --------------------------------------------------------------------------


def test_cancelling_a_waiting_hold_from_the_queue(staff, world):
    item = staff.copy()
    hold = staff.hold(item.bib, world.patron())

    response = staff.post(f"/holds/{hold.pk}/cancel/", {"next": "queue"}, follow=True)

    assert response.redirect_chain == [(f"/holds/title/{item.bib.pk}/", 303)]
    hold.refresh_from_db()
    assert (hold.status, hold.closed_by) == (HoldStatus.CANCELLED, "staff")
    html = response.content.decode()
    assert "Hold cancelled." in html and "Nobody holds this title." in html
    assert AuditEvent.objects.filter(action="hold.cancelled").count() == 1


def test_cancelling_a_ready_hold_says_where_the_item_goes_next(staff, world):
    hold = staff.ready()
    next_patron = world.patron("次 の人", "ツギ ノ ヒト")
    staff.hold(hold.bib, next_patron)

    html = staff.post(f"/holds/{hold.pk}/cancel/", {"next": "shelf"}, follow=True).content.decode()

    following = Hold.objects.get(patron=next_patron)
    assert following.status == HoldStatus.READY
    assert f"Put it on the hold shelf: pickup number {following.pickup_number}" in html
    assert f"/desk/slips/hold/{following.pk}/" in html


def test_cancelling_twice_says_the_hold_is_no_longer_active(staff, world):
    hold = staff.hold(staff.copy().bib, world.patron())
    staff.post(f"/holds/{hold.pk}/cancel/")
    html = staff.post(f"/holds/{hold.pk}/cancel/", follow=True).content.decode()
    assert "The hold is no longer active." in html and 'role="alert"' in html


def test_a_hold_of_another_library_cannot_be_cancelled(staff):
    assert staff.post("/holds/999999/cancel/").status_code == 404


def test_cancel_is_post_only(staff, world):
    hold = staff.hold(staff.copy().bib, world.patron())
    assert staff.get(f"/holds/{hold.pk}/cancel/").status_code == 405
    hold.refresh_from_db()
    assert hold.status == HoldStatus.WAITING


# --- clearing the hold shelf -----------------------------------------------------------------


def test_clearing_expired_holds_puts_their_items_back_and_keeps_the_others(staff, world):
    expired = staff.ready(at=dt.datetime(2026, 5, 19, 10, tzinfo=TOKYO))
    kept = staff.ready()
    on_east = staff.ready(pickup=world.east, at=dt.datetime(2026, 5, 19, 10, tzinfo=TOKYO))

    response = staff.post("/holds/shelf/clear/", follow=True)

    assert response.redirect_chain == [("/holds/shelf/", 303)]
    html = response.content.decode()
    assert "1 expired hold(s) cleared from the hold shelf." in html
    assert f"{expired.item.barcode}</span>: <strong>Put it back on the shelf" in html
    for hold, status in (
        (expired, HoldStatus.EXPIRED),
        (kept, HoldStatus.READY),
        (on_east, HoldStatus.READY),
    ):
        hold.refresh_from_db()
        assert hold.status == status
    expired.item.refresh_from_db()
    assert expired.item.status == ItemStatus.AVAILABLE
    assert AuditEvent.objects.filter(action="hold.expired").count() == 1


def test_clearing_with_nothing_expired_changes_nothing(staff):
    staff.ready()
    html = staff.post("/holds/shelf/clear/", follow=True).content.decode()
    assert "0 expired hold(s) cleared" in html
    assert not Hold.objects.filter(status=HoldStatus.EXPIRED).exists()


# --- receiving a transit -----------------------------------------------------------------------


def test_receiving_an_item_for_a_hold_puts_it_on_the_hold_shelf(staff, world):
    item = staff.copy(branch=world.east)
    hold = staff.hold(item.bib, world.patron())
    staff.scan_in(item, branch=world.east)

    response = staff.post(f"/holds/transit/{item.pk}/receive/", follow=True)

    assert response.redirect_chain == [("/holds/transit/", 303)]
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY
    html = response.content.decode()
    assert f"Put it on the hold shelf: pickup number {hold.pickup_number}" in html
    assert "Nothing is on its way here." in html
    assert AuditEvent.objects.filter(action="item.scanned_in").exists()


def test_receiving_an_item_twice_is_refused_with_the_reason(staff, world):
    item = staff.copy(branch=world.east)
    staff.hold(item.bib, world.patron())
    staff.scan_in(item, branch=world.east)
    staff.post(f"/holds/transit/{item.pk}/receive/")

    html = staff.post(f"/holds/transit/{item.pk}/receive/", follow=True).content.decode()

    assert "The item is not in transit (already received?)." in html
    assert 'role="alert"' in html


def test_receiving_an_unknown_item_is_404(staff):
    assert staff.post("/holds/transit/999999/receive/").status_code == 404
