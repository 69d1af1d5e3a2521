"""Exporting catalogue records: the shoka CSV layout and JSON Lines."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterable
from typing import Any, TextIO

from shoka.catalogue.records import BibData, ExportRecord, HoldingData
from shoka.catalogue.tabular._layouts import ITEM_COLUMNS, SHOKA_COLUMNS
from shoka.catalogue.tabular._values import join_multi

__all__ = ["write_csv", "write_jsonl"]

_NO_ITEM = dict.fromkeys((*ITEM_COLUMNS, "status"), "")


def _bib_cells(bib_id: int, bib: BibData) -> dict[str, str]:
    return {
        "record_id": str(bib_id),
        "source_id": bib.source_id,
        "title": bib.title,
        "title_reading": bib.title_reading,
        "title_romanized": bib.title_romanized,
        "other_titles": join_multi([(t.title, t.reading) for t in bib.other_titles]),
        "responsibility": bib.responsibility,
        "authors": join_multi([(c.name, c.reading, c.role) for c in bib.contributors]),
        "publisher": bib.publisher,
        "publisher_reading": bib.publisher_reading,
        "publication_place": bib.publication_place,
        "year": "" if bib.year is None else str(bib.year),
        "isbn": join_multi([(isbn,) for isbn in bib.isbns]),
        "jpno": bib.jpno,
        "ndc": bib.ndc,
        "ndc_edition": bib.ndc_edition,
        "ndl_call_number": bib.ndl_call_number,
        "subjects": join_multi([(s,) for s in bib.subjects]),
        "subject_readings": join_multi([(r,) for r in bib.subject_readings]),
        "series": bib.series,
        "series_reading": bib.series_reading,
        "volume": bib.volume,
        "edition": bib.edition,
        "extent": bib.extent,
        "material_type": bib.material_type,
        "language": bib.language,
        "notes": bib.notes,
    }


def _item_cells(holding: HoldingData, status: str) -> dict[str, str]:
    return {
        "barcode": holding.barcode,
        "branch": holding.branch,
        "location": holding.location,
        "call_number": holding.call_number,
        "loan_category": holding.loan_category,
        "price": "" if holding.price is None else str(holding.price),
        "acquired_on": "" if holding.acquired_on is None else holding.acquired_on.isoformat(),
        "item_note": holding.note,
        "status": status,
    }


def write_csv(records: Iterable[ExportRecord], out: TextIO, *, bom: bool = False) -> int:
    """Write ``records`` in the shoka layout; return the number of bibs written.

    One row per holding with the bib columns repeated, one row with empty item columns for a
    bib without holdings. ``out`` should be opened with ``newline=""`` (rows end in CRLF);
    ``bom=True`` starts the file with U+FEFF so that Excel reads it as UTF-8.
    """
    if bom:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=SHOKA_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for record in records:
        bib = _bib_cells(record.bib_id, record.bib)
        if not record.holdings:
            writer.writerow(bib | _NO_ITEM)
        for holding in record.holdings:
            status = record.status.get(holding.barcode, "")
            writer.writerow(bib | _item_cells(holding, status))
        count += 1
    return count


def _json_holding(holding: HoldingData, status: str) -> dict[str, Any]:
    return {
        "barcode": holding.barcode,
        "branch": holding.branch,
        "location": holding.location,
        "call_number": holding.call_number,
        "loan_category": holding.loan_category,
        "price": None if holding.price is None else str(holding.price),
        "acquired_on": None if holding.acquired_on is None else holding.acquired_on.isoformat(),
        "note": holding.note,
        "status": status,
    }


def _json_object(record: ExportRecord) -> dict[str, Any]:
    bib = record.bib
    obj: dict[str, Any] = {"record_id": record.bib_id}
    for f in dataclasses.fields(BibData):
        if f.name == "source_record":
            continue
        value = getattr(bib, f.name)
        if f.name == "contributors":
            value = [{"name": c.name, "reading": c.reading, "role": c.role} for c in value]
        elif f.name == "other_titles":
            value = [{"title": t.title, "reading": t.reading} for t in value]
        elif f.name in ("isbns", "subjects", "subject_readings"):
            value = list(value)
        obj[f.name] = value
    obj["holdings"] = [_json_holding(h, record.status.get(h.barcode, "")) for h in record.holdings]
    return obj


def write_jsonl(records: Iterable[ExportRecord], out: TextIO) -> int:
    """Write one JSON object per bib and line (UTF-8 text, not ASCII-escaped); return the
    number written. The schema is in docs/catalogue-formats.md."""
    count = 0
    for record in records:
        out.write(json.dumps(_json_object(record), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
