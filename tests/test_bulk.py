"""shoka.bulk.insert_rows: what goes in comes back out through the ORM, on both engines
(multi-row INSERT on SQLite, COPY with ids from the identity sequence on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shoka.bulk import insert_rows
from shoka.catalogue.importing import _ITEM_COLUMNS
from shoka.catalogue.models import Bib, Contributor, Item, ItemStatus

AT = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
BIB_FIELDS = tuple(f.attname for f in Bib._meta.concrete_fields if not f.primary_key)


def _bib_rows(world, n: int, start: int = 0) -> list[tuple[object, ...]]:
    """Every column of Bib: the model's defaults, with awkward values where they matter."""
    rows = []
    for i in range(start, start + n):
        values = {f: getattr(Bib(library=world.library), f) for f in BIB_FIELDS}
        values.update(
            created_at=AT,
            updated_at=AT,
            title=f"書名 {i}\ttab\\backslash\nnewline",
            subjects=["日本 -- 歴史", f"件名 {i}", 'quote "x"'],
            source_record=b"\x00\x01raw\\" + bytes([i % 256]),
        )
        rows.append(tuple(values[f] for f in BIB_FIELDS))
    return rows


def test_rows_come_back_as_written_with_ids_in_row_order(world):
    ids = insert_rows(Bib, BIB_FIELDS, _bib_rows(world, 1200), returning_ids=True)
    assert len(ids) == len(set(ids)) == 1200
    stored = {b.pk: b for b in Bib.objects.filter(pk__in=ids)}
    for i, pk in enumerate(ids):
        bib = stored[pk]
        assert bib.title == f"書名 {i}\ttab\\backslash\nnewline"
        assert bib.subjects == ["日本 -- 歴史", f"件名 {i}", 'quote "x"']
        assert bytes(bib.source_record) == b"\x00\x01raw\\" + bytes([i % 256])
        assert bib.created_at == AT


def test_the_orm_goes_on_after_the_bulk_ids(world):
    ids = insert_rows(Bib, BIB_FIELDS, _bib_rows(world, 3), returning_ids=True)
    later = world.bib("後から作った本")
    assert later.pk > max(ids)


def test_foreign_keys_dates_decimals_and_nulls(world):
    bib = world.bib()
    fields = _ITEM_COLUMNS  # the importer's own item columns
    location = world.main.locations.get()
    book = world.loan_categories["book"]
    rows = [
        (
            world.library.pk,
            bib.pk,
            f"30000{i}",
            world.main.pk,
            world.main.pk,
            location.pk,
            book.pk,
            "913.6/ナ",
            dt.date(2026, 4, 1) if i else None,
            Decimal("1980") if i else None,
            "",
            ItemStatus.AVAILABLE.value,
            AT,
            AT,
            AT,
        )
        for i in range(2)
    ]
    assert insert_rows(Item, fields, rows) == []
    items = list(Item.objects.filter(bib=bib).order_by("barcode"))
    assert [(i.acquired_on, i.price) for i in items] == [
        (None, None),
        (dt.date(2026, 4, 1), Decimal("1980")),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_refused_row_refuses_the_whole_call_and_the_transaction_rolls_back(world):
    bib = world.bib()
    rows = [(bib.pk, 1, "山田 太郎", "ヤマダ, タロウ", "著"), (999_999_999, 2, "x", "", "")]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Contributor, ("bib_id", "position", "name", "reading", "role"), rows)
        Contributor.objects.count()  # deferred foreign keys are checked at commit at the latest
    assert not Contributor.objects.filter(bib=bib, name="山田 太郎").exclude(position=0).exists()


def test_nothing_to_insert():
    assert insert_rows(Bib, BIB_FIELDS, [], returning_ids=True) == []


def test_a_constraint_broken_inside_the_statement_is_django_s_integrity_error(world):
    bib = world.bib()
    fields = ("bib_id", "position", "name", "reading", "role")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Contributor, fields, [(bib.pk, 5, None, "", "")])  # name is NOT NULL
    assert not Contributor.objects.filter(bib=bib, position=5).exists()
