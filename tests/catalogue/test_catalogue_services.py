"""Creating and editing bibliographic records and items through the catalogue services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shoka.audit.models import AuditEvent
from shoka.catalogue.models import Bib, BibIsbn, Item, ItemStatus
from shoka.catalogue.services import (
    BibData,
    CatalogueError,
    ContributorData,
    ItemData,
    add_item,
    create_bib,
    update_bib,
    update_item,
)

AT = dt.datetime(2026, 6, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))

KOKORO = BibData(
    title="こゝろ",
    title_reading="ココロ",
    responsibility="夏目漱石 著",
    contributors=[ContributorData("夏目 漱石", "ナツメ, ソウセキ", "著")],
    publisher="架空書房",
    publisher_reading="カクウ ショボウ",
    year=2014,
    isbns=["4-8399-1236-X (pbk.)", "ISBN978-4-8399-1236-9"],
    ndc="913.6",
    ndc_edition="10",
    subjects=["小説"],
    material_type="book",
    language="jpn",
    source_format="marc21",
    source_record=b"00000nam a2200000 i 4500\x1e",
    source_id="JP123",
)


def test_create_bib_keeps_the_printed_isbn_and_normalises_it_to_isbn13(world):
    bib = create_bib(world.library, KOKORO, actor=world.staff, at=AT)
    isbns = list(BibIsbn.objects.filter(bib=bib))
    assert [(i.isbn13, i.printed, i.qualifier) for i in isbns] == [
        ("9784839912369", "4-8399-1236-X (pbk.)", "(pbk.)")
    ]  # the second is the same book
    assert bib.contributors.get().reading == "ナツメ, ソウセキ"
    assert bytes(Bib.objects.get(pk=bib.pk).source_record) == KOKORO.source_record
    event = AuditEvent.objects.get(action="bib.created")
    assert event.object_id == str(bib.pk)


def test_create_bib_refuses_a_bad_isbn_and_an_empty_title_and_writes_nothing(world):
    bad = BibData(title=" ", isbns=["978-4-8399-1236-0"], material_type="scroll", year=0)
    with pytest.raises(CatalogueError) as refused:
        create_bib(world.library, bad, actor=world.staff, at=AT)
    assert set(refused.value.errors) == {"title", "isbns", "material_type", "year"}
    assert not Bib.objects.filter(library=world.library, title=" ").exists()
    assert not AuditEvent.objects.filter(action="bib.created").exists()


def test_update_bib_records_which_fields_changed(world):
    bib = create_bib(world.library, KOKORO, actor=world.staff, at=AT)
    changed = BibData(
        **{
            **KOKORO.__dict__,
            "title": "こころ",
            "year": 2015,
            "isbns": ["9784839912369"],
            "contributors": [],
        }
    )
    update_bib(bib, changed, actor=world.staff, at=AT)
    bib.refresh_from_db()
    assert bib.title == "こころ" and bib.year == 2015 and not bib.contributors.exists()
    event = AuditEvent.objects.get(action="bib.updated")
    assert event.data["fields"] == ["title", "year"]


def test_add_item_puts_a_copy_on_the_shelf_and_audits_it(world):
    bib = create_bib(world.library, KOKORO, actor=world.staff, at=AT)
    item = add_item(
        bib,
        ItemData(
            barcode="0001234",
            branch="main",
            location="general",
            loan_category="book",
            call_number="913.6/ナ",
            acquired_on=dt.date(2026, 5, 1),
            price=Decimal(1320),
            staff_note="寄贈",
        ),
        actor=world.staff,
        at=AT,
    )
    item.refresh_from_db()
    assert item.barcode == "0001234"  # text: leading zeros kept
    assert item.status == ItemStatus.AVAILABLE and item.current_branch_id == world.main.pk
    assert AuditEvent.objects.get(action="item.added").data == {"bib": bib.pk, "branch": "main"}


def test_add_item_refuses_unknown_references_and_duplicate_barcodes(world):
    bib = world.bib()
    with pytest.raises(CatalogueError) as refused:
        add_item(
            bib,
            ItemData(barcode="", branch="nowhere", location="x", loan_category="scrolls"),
            actor=world.staff,
            at=AT,
        )
    assert set(refused.value.errors) == {"barcode", "branch", "loan_category"}
    world.item(bib, barcode="555")
    with pytest.raises(CatalogueError, match="already in use"):
        world.item(bib, barcode="555")
    assert Item.objects.filter(barcode="555").count() == 1


def test_item_barcodes_follow_the_librarys_check_digit_scheme(world):
    world.library.item_check_digit = "7dr"
    world.library.save()
    bib = world.bib()
    with pytest.raises(CatalogueError, match="check digit"):
        world.item(bib, barcode="1234560")  # 123456 mod 7 = 4, so …4 is right
    assert world.item(bib, barcode="1234564").barcode == "1234564"


def test_update_item_records_the_fields_but_not_its_status(world):
    item = world.item()
    update_item(
        item,
        ItemData(
            barcode=item.barcode,
            branch="main",
            location="general",
            loan_category="av",
            call_number="780/ヤ",
        ),
        actor=world.staff,
        at=AT,
    )
    item.refresh_from_db()
    assert item.branch_id == world.main.pk and item.loan_category.code == "av"
    assert item.status == ItemStatus.AVAILABLE
    fields = AuditEvent.objects.get(action="item.updated").data["fields"]
    assert fields == ["call_number", "loan_category"]


def test_update_item_refuses_another_home_branch_which_is_a_transfer(world):
    item = world.item()
    data = ItemData(barcode=item.barcode, branch="east", location="general", loan_category="book")
    with pytest.raises(CatalogueError) as refused:
        update_item(item, data, actor=world.staff, at=AT)
    assert "transfer" in refused.value.errors["branch"]
    item.refresh_from_db()
    assert item.branch_id == world.main.pk
    assert not AuditEvent.objects.filter(action="item.updated").exists()


def test_the_plain_material_type_codes_match_the_model():
    from shoka.catalogue.models import MaterialType
    from shoka.catalogue.records import MATERIAL_TYPE_CODES

    assert tuple(MaterialType.values) == MATERIAL_TYPE_CODES
