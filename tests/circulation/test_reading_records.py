"""The privacy acceptance test (図書館の自由に関する宣言, article 3): after a return, nothing in
the database links that loan to the patron — unless the patron opted in to a reading history.

`links` looks at every row of every table (every concrete field) for a row that refers both
to the patron and to the loan or its item: a foreign key, an audit or access event's object
reference, or a value inside an event's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

from shoka.audit.models import AccessEvent, AuditEvent
from shoka.catalogue.models import Item
from shoka.circulation import services
from shoka.circulation.models import Hold, Loan, PatronRule, SuspensionMode
from shoka.patrons.models import Patron
from shoka.patrons.services import set_reading_history, view_patron

TOKYO = ZoneInfo("Asia/Tokyo")
BORROWED = dt.datetime(2026, 6, 2, 10, 0, tzinfo=TOKYO)
RETURNED = dt.datetime(2026, 6, 9, 15, 30, tzinfo=TOKYO)  # due 16 June
RETURNED_LATE = dt.datetime(2026, 6, 19, 15, 30, tzinfo=TOKYO)  # three days late

# Keys in event data that name another object by its primary key.
_OBJECT_KEYS = {"item": Item, "loan": Loan, "hold": Hold}


@dataclass(frozen=True)
class Subject:
    patron: Patron
    loan: Loan
    item: Item


def _walk(value: object, key: str = "") -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, str(k))
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _walk(v, key)
    else:
        yield key, value


def _same(value: object, pk: int) -> bool:
    return value == pk or value == str(pk)


def _refers(row: models.Model, s: Subject) -> tuple[set[str], set[str]]:
    """What in `row` points at the patron, and what points at the loan or its item."""
    to_patron: set[str] = set()
    to_loan: set[str] = set()
    if isinstance(row, Patron) and row.pk == s.patron.pk:
        to_patron.add("pk")  # the patron's own row: any loan or item field on it links
    if (isinstance(row, Loan) and row.pk == s.loan.pk) or (
        isinstance(row, Item) and row.pk == s.item.pk
    ):
        to_loan.add("pk")
    for f in row._meta.concrete_fields:
        if f.primary_key:
            continue
        value = getattr(row, f.attname)
        if value is None:
            continue
        if f.is_relation:
            if f.related_model is Patron and _same(value, s.patron.pk):
                to_patron.add(f.name)
            elif f.related_model is Loan and _same(value, s.loan.pk):
                to_loan.add(f.name)
            elif f.related_model is Item and _same(value, s.item.pk):
                to_loan.add(f.name)
            continue
        if (
            "patron" in f.name
            and not isinstance(f, models.BooleanField)
            and _same(value, s.patron.pk)
        ):
            to_patron.add(f.name)
        if value in (s.patron.card_number, f"patrons.patron:{s.patron.pk}"):
            to_patron.add(f.name)
        if value == s.item.barcode:
            to_loan.add(f.name)
        if isinstance(f, models.JSONField):
            for key, v in _walk(value):
                if v == s.patron.card_number or (
                    ("patron" in key or "card" in key) and _same(v, s.patron.pk)
                ):
                    to_patron.add(f"{f.name}[{key}]")
                if (
                    v == s.item.barcode
                    or (key == "item" and _same(v, s.item.pk))
                    or (key == "loan" and _same(v, s.loan.pk))
                ):
                    to_loan.add(f"{f.name}[{key}]")
    object_type, object_id = getattr(row, "object_type", None), getattr(row, "object_id", None)
    if object_type == "patrons.patron" and object_id == str(s.patron.pk):
        to_patron.add("object_id")
    if (object_type, object_id) in {
        ("circulation.loan", str(s.loan.pk)),
        ("catalogue.item", str(s.item.pk)),
    }:
        to_loan.add("object_id")
    return to_patron, to_loan


def links(s: Subject) -> list[tuple[str, object, str]]:
    """Every row, in any table, that refers both to the patron and to the loan or item."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        for row in model._base_manager.all().iterator():
            to_patron, to_loan = _refers(row, s)
            if to_patron and to_loan:
                found.append(
                    (model._meta.label_lower, row.pk, f"{sorted(to_patron)} + {sorted(to_loan)}")
                )
    return found


def borrow_and_return(world, *, returned: dt.datetime = RETURNED, **patron_extra) -> Subject:
    """A patron with a full life around one loan: a hold placed and collected, a staff look-up,
    a return at another branch."""
    patron = world.patron("木村 花子", "キムラ ハナコ", area_code="A07", **patron_extra)
    item = world.item(branch=world.main)
    services.place_hold(
        item.bib,
        patron,
        pickup_branch=world.main,
        actor=world.staff,
        at=BORROWED - dt.timedelta(days=1),
    )
    services.checkin(
        item.barcode, branch=world.main, actor=world.staff, at=BORROWED - dt.timedelta(hours=20)
    )  # pulled from the shelf: ready
    view_patron(patron, actor=world.staff, at=BORROWED, context="desk")
    loan = services.checkout(
        item.barcode, patron.card_number, branch=world.main, actor=world.staff, at=BORROWED
    ).loan
    services.checkin(item.barcode, branch=world.east, actor=world.staff, at=returned)
    return Subject(patron=patron, loan=Loan.objects.get(pk=loan.pk), item=item)


# --- unlinked by default -------------------------------------------------------------------


def test_a_returned_loan_no_longer_names_its_patron(world):
    s = borrow_and_return(world)

    assert s.loan.patron_id is None
    assert s.loan.history_kept is False
    assert not Loan.objects.filter(patron=s.patron).exists()


@pytest.mark.parametrize("returned", [RETURNED, RETURNED_LATE], ids=["on_time", "late"])
def test_after_a_return_no_row_in_any_table_links_the_patron_to_the_loan_or_item(world, returned):
    # A late return also suspends the patron: that must not leave a trail to the loan either.
    PatronRule.objects.filter(library=world.library).update(
        suspension_mode=SuspensionMode.DAYS_AFTER_RETURN, suspension_days=7
    )
    s = borrow_and_return(world, returned=returned)
    s.patron.refresh_from_db()
    assert (s.patron.suspended_until is not None) == (returned == RETURNED_LATE)

    assert links(s) == []


def test_the_audit_events_about_the_loan_do_not_name_the_patron(world):
    s = borrow_and_return(world)

    about_loan = AuditEvent.objects.filter(object_type="circulation.loan", object_id=str(s.loan.pk))
    assert sorted(about_loan.values_list("action", flat=True)) == [
        "loan.checked_out",
        "loan.returned",
    ]
    for event in about_loan:
        assert event.data["item"] == s.item.pk
        for key, value in _walk(event.data):
            assert "patron" not in key and "card" not in key, (event.action, key)
            assert value != s.patron.card_number, event.action
            if key != "item":
                assert not _same(value, s.patron.pk), (event.action, key)


def test_the_returned_loan_keeps_its_statistics(world):
    s = borrow_and_return(world)

    loan = s.loan
    assert (loan.patron_category, loan.age_band, loan.area_code) == ("adult", "40-49", "A07")
    assert (loan.checked_out_at, loan.returned_at) == (BORROWED, RETURNED)
    assert loan.due_on == dt.date(2026, 6, 16)
    assert (loan.branch, loan.return_branch, loan.item) == (world.main, world.east, s.item)


def test_the_collected_hold_for_the_loan_no_longer_names_the_patron(world):
    s = borrow_and_return(world)

    [hold] = Hold.objects.filter(item=s.item)
    assert hold.patron_id is None
    assert hold.patron_category == "adult"


def test_the_database_refuses_to_relink_a_returned_loan(world):
    s = borrow_and_return(world)
    table = Loan._meta.db_table

    with (
        pytest.raises(IntegrityError, match="returned_loan_unlinked_unless_history_kept"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET patron_id = %s WHERE id = %s", [s.patron.pk, s.loan.pk])

    assert Loan.objects.get(pk=s.loan.pk).patron_id is None


# --- the opt-in reading history -------------------------------------------------------------


def test_a_patron_who_keeps_a_reading_history_stays_linked_to_the_returned_loan(world):
    s = borrow_and_return(world, keeps_reading_history=True)

    assert s.loan.patron_id == s.patron.pk
    assert s.loan.history_kept is True
    # The same scan that finds nothing for other patrons sees the kept links.
    hold = Hold.objects.get(item=s.item)
    assert {(label, pk) for label, pk, _ in links(s)} == {
        ("circulation.loan", s.loan.pk),
        ("circulation.hold", hold.pk),
    }


def test_turning_the_reading_history_off_erases_the_existing_links(world):
    s = borrow_and_return(world, keeps_reading_history=True)
    assert links(s)

    set_reading_history(s.patron, False, actor=world.staff, at=RETURNED + dt.timedelta(days=1))

    loan = Loan.objects.get(pk=s.loan.pk)
    assert (loan.patron_id, loan.history_kept) == (None, False)
    assert Hold.objects.get(item=s.item).patron_id is None
    assert links(s) == []
    assert AccessEvent.objects.filter(object_id=str(s.patron.pk)).exists()  # reads stay logged
