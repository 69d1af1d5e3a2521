"""Items from the catalogue screens: add, edit, withdraw (refused while lent or held),
transfer to another branch and receive it there."""

from __future__ import annotations

import pytest

from shoka.audit.models import AuditEvent
from shoka.catalogue.models import Item, ItemStatus
from shoka.organisation.models import Location

pytestmark = pytest.mark.django_db


def _location(branch) -> Location:
    return Location.objects.get(branch=branch, code="general")


def _item_form(world, **changes):
    form = {
        "barcode": "400001",
        "location": str(_location(world.main).pk),
        "loan_category": str(world.loan_categories["book"].pk),
        "call_number": "913.6/ナ/2",
        "acquired_on": "2026-05-01",
        "price": "1200",
        "staff_note": "",
    }
    form.update(changes)
    return form


def test_a_cataloguer_adds_an_item(staff, shelf, world):
    response = staff.post(f"/catalogue/bib/{shelf.kokoro.pk}/items/add/", _item_form(world))
    assert response.status_code == 303
    item = Item.objects.get(barcode="400001")
    assert (item.bib, item.branch, item.status) == (shelf.kokoro, world.main, "available")
    assert item.call_number == "913.6/ナ/2" and item.price == 1200
    assert AuditEvent.objects.filter(action="item.added", object_id=str(item.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"barcode": "300002"}, "barcode", "already in use"),
        ({"barcode": ""}, "barcode", "This field is required"),
        ({"barcode": "30 01"}, "barcode", "A barcode is digits only"),
        ({"location": "999999"}, "location", "Select a valid choice"),
        ({"loan_category": ""}, "loan_category", "This field is required"),
        ({"price": "-5"}, "price", "greater than or equal to 0"),
        ({"acquired_on": "yesterday"}, "acquired_on", "Enter a valid date"),
    ],
)
def test_broken_item_input_is_explained_and_kept(staff, shelf, world, changes, field, message):
    form = _item_form(world, **changes)
    response = staff.post(f"/catalogue/bib/{shelf.kokoro.pk}/items/add/", form)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-errors" role="alert"' in html and message in html
    assert 'value="913.6/ナ/2"' in html  # nothing typed is lost
    assert not Item.objects.filter(call_number="913.6/ナ/2").exists()


def test_a_cataloguer_edits_an_item_within_its_branch(staff, shelf, world):
    item = shelf.kokoro_copy
    page = staff.get(f"/catalogue/item/{item.pk}/edit/").content.decode()
    assert "東分館" not in page  # another branch is a transfer
    form = _item_form(world, barcode="300001", call_number="913.6/ナ", staff_note="帯あり")
    assert staff.post(f"/catalogue/item/{item.pk}/edit/", form).status_code == 303
    item.refresh_from_db()
    assert (item.call_number, item.staff_note) == ("913.6/ナ", "帯あり")
    other_branch = _item_form(world, barcode="300001", location=str(_location(world.east).pk))
    response = staff.post(f"/catalogue/item/{item.pk}/edit/", other_branch)
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_an_item_on_the_shelf_is_withdrawn_with_a_reason(staff, shelf):
    item = shelf.kokoro_copy
    page = staff.get(f"/catalogue/item/{item.pk}/withdraw/").content.decode()
    assert "worn out or damaged" in page
    response = staff.post(f"/catalogue/item/{item.pk}/withdraw/", {"reason": "worn", "note": ""})
    assert response.status_code == 303
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN
    event = AuditEvent.objects.filter(action="item.withdrawn").latest("seq")
    assert event.data == {"from": "available", "reason": "worn"}


def test_an_item_on_loan_cannot_be_withdrawn(staff, shelf):
    item = shelf.kokoro_copy
    shelf.lend(item)
    response = staff.post(f"/catalogue/item/{item.pk}/withdraw/", {"reason": "lost", "note": ""})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'role="alert"' in html and "The item is on loan" in html
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_LOAN


def test_an_item_held_for_a_patron_cannot_be_withdrawn(staff, shelf):
    item = shelf.trap_for_hold(shelf.kokoro_copy)
    assert item.status == ItemStatus.ON_HOLD_SHELF
    response = staff.post(f"/catalogue/item/{item.pk}/withdraw/", {"reason": "worn"})
    assert response.status_code == 409
    assert "set aside for a hold" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_HOLD_SHELF


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({}, "reason", "This field is required"),
        ({"reason": "stolen"}, "reason", "Select a valid choice"),
        ({"reason": "other", "note": " "}, "note", "Say why the item is withdrawn"),
    ],
)
def test_broken_withdrawal_input_is_explained(staff, shelf, form, field, message):
    item = shelf.kokoro_copy
    response = staff.post(f"/catalogue/item/{item.pk}/withdraw/", form)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-errors" role="alert"' in html and message in html
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE


def test_an_item_is_transferred_in_transit_and_received_at_its_new_branch(staff, shelf, world):
    item = shelf.kokoro_copy
    page = staff.get(f"/catalogue/item/{item.pk}/transfer/").content.decode()
    assert "東分館 — 一般書架" in page and "本館 — 一般書架" not in page
    response = staff.post(
        f"/catalogue/item/{item.pk}/transfer/",
        {"location": _location(world.east).pk, "note": "児童室へ"},
        follow=True,
    )
    assert "now belongs to 東分館 and is in transit there" in response.content.decode()
    item.refresh_from_db()
    assert (item.branch, item.current_branch, item.status) == (world.east, world.main, "in_transit")
    event = AuditEvent.objects.filter(action="item.transferred").latest("seq")
    assert event.data == {
        "from": "main",
        "to": "east",
        "location": "general",
        "in_transit": True,
        "note": "児童室へ",
    }
    page = staff.get(f"/catalogue/bib/{shelf.kokoro.pk}/").content.decode()
    assert "Received at 東分館" in page and "from 本館" in page
    response = staff.post(f"/catalogue/item/{item.pk}/receive/", follow=True)
    assert "was received at 東分館: available" in response.content.decode()
    item.refresh_from_db()
    assert (item.current_branch, item.status) == (world.east, "available")


def test_a_transferred_item_shows_under_its_new_branch_in_search(staff, shelf, world, index):
    staff.post(
        f"/catalogue/item/{shelf.kokoro_copy.pk}/transfer/", {"location": _location(world.east).pk}
    )
    index.catch_up()
    html = staff.get("/catalogue/", {"f": "branch:east"}).content.decode()
    assert "2 records" in html and "こころ" in html


def test_an_item_on_loan_cannot_be_transferred(staff, shelf, world):
    item = shelf.kokoro_copy
    shelf.lend(item)
    response = staff.post(
        f"/catalogue/item/{item.pk}/transfer/", {"location": _location(world.east).pk}
    )
    assert response.status_code == 409
    assert "The item is on loan" in response.content.decode()
    item.refresh_from_db()
    assert item.branch == world.main


def test_transfer_to_its_own_branch_or_nowhere_is_refused(staff, shelf, world):
    item = shelf.kokoro_copy
    for form in ({"location": _location(world.main).pk}, {"location": "x"}, {}):
        response = staff.post(f"/catalogue/item/{item.pk}/transfer/", form)
        assert response.status_code == 400
        assert 'id="id_location-errors" role="alert"' in response.content.decode()
    item.refresh_from_db()
    assert (item.branch, item.status) == (world.main, "available")


def test_receiving_an_item_that_is_not_in_transit_changes_nothing(staff, shelf):
    item = shelf.kokoro_copy
    response = staff.post(f"/catalogue/item/{item.pk}/receive/", follow=True)
    assert "is not in transit" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "available"


def test_a_librarian_may_not_change_items(librarian, shelf, world):
    item = shelf.kokoro_copy
    for url in (
        f"/catalogue/bib/{shelf.kokoro.pk}/items/add/",
        f"/catalogue/item/{item.pk}/edit/",
        f"/catalogue/item/{item.pk}/withdraw/",
        f"/catalogue/item/{item.pk}/transfer/",
    ):
        assert librarian.post(url, {"reason": "worn"}).status_code == 403
    item.refresh_from_db()
    assert (item.status, item.branch) == ("available", world.main)
