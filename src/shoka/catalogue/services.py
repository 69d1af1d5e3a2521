"""Creating and editing bibliographic records and items (named, audited actions).
Import and search build on these (issue "catalogue import and Japanese search")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.organisation.models import Branch, Library, Location
from shoka.patrons.checkdigits import CheckDigitError, validate
from shoka.search.queue import enqueue

from .isbn import parse_isbn
from .models import Bib, BibIsbn, Contributor, Item, ItemStatus, LoanCategory, MaterialType
from .records import BibData, ContributorData, TitleData

__all__ = [
    "BibData",
    "CatalogueError",
    "ContributorData",
    "ItemData",
    "TitleData",
    "add_item",
    "create_bib",
    "update_bib",
    "update_item",
]


class CatalogueError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


_SCALAR_BIB_FIELDS = (
    "title",
    "title_reading",
    "title_romanized",
    "responsibility",
    "publisher",
    "publisher_reading",
    "publication_place",
    "year",
    "jpno",
    "ndc",
    "ndc_edition",
    "ndl_call_number",
    "material_type",
    "language",
    "series",
    "series_reading",
    "volume",
    "edition",
    "extent",
    "notes",
    "source_format",
    "source_id",
)


def _list_values(data: BibData) -> dict[str, list[object]]:
    return {
        "subjects": list(data.subjects),
        "subject_readings": list(data.subject_readings),
        "other_titles": [[t.title, t.reading] for t in data.other_titles],
    }


_MATERIAL_TYPES = frozenset(MaterialType.values)


def _check_bib(data: BibData) -> list[tuple[str, str, str]]:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "a title is required"
    if data.material_type not in _MATERIAL_TYPES:
        errors["material_type"] = f"unknown material type {data.material_type!r}"
    if data.year is not None and not 1 <= data.year <= 9999:
        errors["year"] = f"{data.year} is not a year"
    isbns: list[tuple[str, str, str]] = []
    for printed in data.isbns:
        parsed = parse_isbn(printed)
        if not parsed.valid or parsed.isbn13 is None:
            errors["isbns"] = f"{printed!r}: {parsed.error or 'not a valid ISBN'}"
            continue
        if parsed.isbn13 not in {i[0] for i in isbns}:
            isbns.append((parsed.isbn13, parsed.printed, parsed.qualifier or ""))
    if errors:
        raise CatalogueError(errors)
    return isbns


def _write_children(bib: Bib, data: BibData, isbns: list[tuple[str, str, str]]) -> None:
    Contributor.objects.filter(bib=bib).delete()
    Contributor.objects.bulk_create(
        Contributor(
            bib=bib, position=i, name=c.name.strip(), reading=c.reading.strip(), role=c.role.strip()
        )
        for i, c in enumerate(data.contributors)
    )
    BibIsbn.objects.filter(bib=bib).delete()
    BibIsbn.objects.bulk_create(
        BibIsbn(bib=bib, isbn13=i13, printed=printed, qualifier=qual)
        for i13, printed, qual in isbns
    )


def create_bib(library: Library, data: BibData, *, actor: Actor, at: dt.datetime) -> Bib:
    isbns = _check_bib(data)
    with audited_atomic():
        bib = Bib(
            library=library,
            created_at=at,
            updated_at=at,
            source_record=data.source_record,
            **_list_values(data),
            **{name: getattr(data, name) for name in _SCALAR_BIB_FIELDS},
        )
        bib.title = bib.title.strip()
        bib.save()
        _write_children(bib, data, isbns)
        enqueue([bib.pk])
        record("bib.created", bib, actor=actor, at=at)
        return bib


def update_bib(bib: Bib, data: BibData, *, actor: Actor, at: dt.datetime) -> Bib:
    isbns = _check_bib(data)
    with audited_atomic():
        bib = Bib.objects.select_for_update().get(pk=bib.pk)
        changed = [name for name in _SCALAR_BIB_FIELDS if getattr(bib, name) != getattr(data, name)]
        for name in _SCALAR_BIB_FIELDS:
            setattr(bib, name, getattr(data, name))
        for name, value in _list_values(data).items():
            if getattr(bib, name) != value:
                changed.append(name)
            setattr(bib, name, value)
        if data.source_record is not None:
            bib.source_record = data.source_record
        bib.updated_at = at
        bib.save()
        _write_children(bib, data, isbns)
        enqueue([bib.pk])
        record("bib.updated", bib, actor=actor, at=at, data={"fields": sorted(changed)})
        return bib


@dataclass(frozen=True)
class ItemData:
    barcode: str
    branch: str  # Branch code (home branch)
    location: str  # Location code within that branch
    loan_category: str  # LoanCategory code
    call_number: str = ""
    acquired_on: dt.date | None = None
    price: Decimal | None = None
    staff_note: str = ""


def _resolve_item(library: Library, data: ItemData) -> tuple[Branch, Location, LoanCategory]:
    errors: dict[str, str] = {}
    barcode = data.barcode.strip()
    if not barcode:
        errors["barcode"] = "a barcode is required"
    else:
        try:
            validate(library.item_check_digit, barcode)
        except CheckDigitError as exc:
            errors["barcode"] = str(exc)
    branch = Branch.objects.filter(library=library, code=data.branch).first()
    location = (
        Location.objects.filter(branch=branch, code=data.location).first() if branch else None
    )
    category = LoanCategory.objects.filter(library=library, code=data.loan_category).first()
    if branch is None:
        errors["branch"] = f"unknown branch {data.branch!r}"
    elif location is None:
        errors["location"] = f"{branch.code} has no location {data.location!r}"
    if category is None:
        errors["loan_category"] = f"unknown loan category {data.loan_category!r}"
    if data.price is not None and data.price < 0:
        errors["price"] = "a price cannot be negative"
    if errors:
        raise CatalogueError(errors)
    assert branch and location and category  # noqa: S101 — narrowed by the checks above
    return branch, location, category


def add_item(bib: Bib, data: ItemData, *, actor: Actor, at: dt.datetime) -> Item:
    branch, location, category = _resolve_item(bib.library, data)
    with audited_atomic():
        item = Item(
            library=bib.library,
            bib=bib,
            barcode=data.barcode.strip(),
            branch=branch,
            current_branch=branch,
            location=location,
            loan_category=category,
            call_number=data.call_number.strip(),
            acquired_on=data.acquired_on,
            price=data.price,
            staff_note=data.staff_note,
            status=ItemStatus.AVAILABLE,
            status_changed_at=at,
            created_at=at,
            updated_at=at,
        )
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as exc:
            raise CatalogueError({"barcode": f"barcode {item.barcode} is already in use"}) from exc
        enqueue([bib.pk])
        record("item.added", item, actor=actor, at=at, data={"bib": bib.pk, "branch": branch.code})
        return item


def update_item(item: Item, data: ItemData, *, actor: Actor, at: dt.datetime) -> Item:
    """Edit an item's descriptive fields. Its status changes only through circulation, and
    its home branch only by a transfer (circulation's ``transfer_item``: the copy travels
    in transit and is received at the new branch)."""
    branch, location, category = _resolve_item(item.library, data)
    with audited_atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if branch.pk != item.branch_id:
            raise CatalogueError(
                {"branch": "another home branch is a transfer, not an edit: transfer the item"}
            )
        new = {
            "barcode": data.barcode.strip(),
            "branch": branch,
            "location": location,
            "loan_category": category,
            "call_number": data.call_number.strip(),
            "acquired_on": data.acquired_on,
            "price": data.price,
            "staff_note": data.staff_note,
        }
        changed = sorted(k for k, v in new.items() if getattr(item, k) != v)
        for key, value in new.items():
            setattr(item, key, value)
        item.updated_at = at
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as exc:
            raise CatalogueError({"barcode": f"barcode {item.barcode} is already in use"}) from exc
        enqueue([item.bib_id])
        record("item.updated", item, actor=actor, at=at, data={"fields": changed})
        return item
