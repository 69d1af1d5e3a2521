"""The OPAC's own search index, applied from the same changesets as its database.

DESIGN.md: "Each public node keeps its own index, applied from the same changesets as its
database". The tantivy schema, documents and Japanese analysis are shoka.search's
(``engine``/``analysis`` import no model, so the OPAC uses them without the staff apps);
only the source differs: published records instead of the staff catalogue.

The receiver calls :func:`apply_to_index` inside its database transaction, under the row
lock on ``ReceiverState``, so one changeset at a time holds tantivy's writer lock. If the
index cannot be written the transaction rolls back and the publisher re-sends the
changeset; indexing a record twice is harmless.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings

from shoka.search.engine import IndexRecord, ItemFacts, make_document, open_index

WRITER_HEAP = 50_000_000


def index_path() -> Path:
    return Path(settings.SHOKA_SEARCH_INDEX_DIR)


def index_record(record: dict[str, Any]) -> IndexRecord:
    """The search engine's view of a published record (allowlisted fields only)."""
    return IndexRecord(
        id=int(record["id"]),
        title=record["title"],
        title_reading=record["title_reading"],
        title_romanized=record["title_romanized"],
        responsibility=record["responsibility"],
        authors=tuple((a["name"], a["reading"]) for a in record["authors"]),
        publisher=record["publisher"],
        publisher_reading=record["publisher_reading"],
        year=record["year"],
        isbns=tuple(record["isbns"]),
        jpno=record["jpno"],
        ndc=record["ndc"],
        subjects=tuple(record["subjects"]),
        subject_readings=tuple(record["subject_readings"]),
        series=record["series"],
        series_reading=record["series_reading"],
        volume=record["volume"],
        material_type=record["material_type"],
        language=record["language"],
        items=tuple(ItemFacts(i["branch"], i["status"], i["loanable"]) for i in record["items"]),
    )


def apply_to_index(records: list[dict[str, Any]], deleted: list[int]) -> None:
    """Replace the given records in the index and remove the deleted ones; commit."""
    index = open_index(index_path(), create=True)
    writer = index.writer(WRITER_HEAP, 1)
    try:
        ids = [*deleted, *(int(r["id"]) for r in records)]
        if ids:
            writer.delete_documents_by_query(tantivy.Query.term_set_query(index.schema, "id", ids))
        for record in records:
            writer.add_document(make_document(index_record(record)))
        writer.commit()
    finally:
        writer.wait_merging_threads()
