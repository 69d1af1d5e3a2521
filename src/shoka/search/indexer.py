"""Keeping the index true to the database: the single index writer.

The database is the source of truth. Every change to a record or to one of its copies
queues the record's id (:mod:`shoka.search.queue`) in the changing transaction. One writer
process (``shoka index run``, started by ``shoka serve``) owns the tantivy writer lock,
consumes the queue in batches, re-indexes those records, commits the index and only then
deletes the queue rows it applied; web processes never write, they only search (tantivy
reloads their searcher when a commit lands). After a crash the rows are still queued, so
the writer catches up on start. ``rebuild`` re-indexes everything; ``check`` compares the
index with the database and reports drift.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings
from django.db import connection
from django.db.models import Max, Min

from shoka.bulk import custom_plans, id_list
from shoka.catalogue.models import Bib, BibIsbn, Contributor, Item

from .engine import IndexRecord, ItemFacts, fingerprint, make_document, open_index
from .models import IndexChange

Progress = Callable[[int, int], None]  # (done, total)

_BIB_FIELDS = (
    "id",
    "title",
    "title_reading",
    "title_romanized",
    "responsibility",
    "publisher",
    "publisher_reading",
    "year",
    "jpno",
    "ndc",
    "subjects",
    "subject_readings",
    "other_titles",
    "series",
    "series_reading",
    "volume",
    "material_type",
    "language",
)
WRITER_HEAP = 200_000_000
# A rebuild writes the whole catalogue in one go: a larger heap and one thread make a few
# large segments instead of many small ones (8 → 2 at 1M records), which every later query
# and facet count pays for (bench/results/search-*.md).
REBUILD_HEAP_PER_RECORD = 1_500
REBUILD_HEAP_MAX = 1_500_000_000


# While a long queue is applied, commit every so many records or seconds (catch_up).
COMMIT_DOCS = 50_000
COMMIT_SECONDS = 10.0


def index_path() -> Path:
    return Path(settings.SHOKA_SEARCH_INDEX_DIR)


def _group(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        grouped[int(row[0])].append(row[1:])
    return grouped


def gather(
    ids: list[int] | None = None, *, id_range: tuple[int, int] | None = None
) -> list[IndexRecord]:
    """IndexRecords for the given bib ids (or the inclusive id range), in id order."""
    if id_range is not None:
        lo, hi = id_range
        bibs = Bib.objects.filter(id__gte=lo, id__lte=hi)
        children: dict[str, object] = {"bib_id__gte": lo, "bib_id__lte": hi}
    else:
        bibs = Bib.objects.filter(id__in=id_list(ids or []))
        children = {"bib_id__in": id_list(ids or [])}
    with custom_plans():  # look-ups by id lists: see shoka.bulk.custom_plans
        rows = list(bibs.order_by("id").values_list(*_BIB_FIELDS))
        people = _group(
            Contributor.objects.filter(**children)
            .order_by("bib_id", "position")
            .values_list("bib_id", "name", "reading")
        )
        isbns = _group(
            BibIsbn.objects.filter(**children).order_by("id").values_list("bib_id", "isbn13")
        )
        items = _group(
            Item.objects.filter(**children).values_list(
                "bib_id", "branch__code", "status", "loan_category__loanable"
            )
        )
    out = []
    for row in rows:
        values = dict(zip(_BIB_FIELDS, row, strict=True))
        bib_id = int(values.pop("id"))
        other = values.pop("other_titles") or []
        out.append(
            IndexRecord(
                id=bib_id,
                authors=tuple((str(n), str(r)) for n, r in people.get(bib_id, [])),
                isbns=tuple(str(i[0]) for i in isbns.get(bib_id, [])),
                other_titles=tuple((str(t[0]), str(t[1])) for t in other),
                items=tuple(
                    ItemFacts(str(b), str(s), bool(lo)) for b, s, lo in items.get(bib_id, [])
                ),
                subjects=tuple(values.pop("subjects") or ()),
                subject_readings=tuple(values.pop("subject_readings") or ()),
                **values,
            )
        )
    return out


def _id_chunks(size: int) -> Iterator[tuple[int, int]]:
    bounds = Bib.objects.aggregate(lo=Min("id"), hi=Max("id"))
    lo, hi = bounds["lo"], bounds["hi"]
    if lo is None or hi is None:
        return
    start = lo
    while start <= hi:
        yield start, start + size - 1
        start += size


@dataclass
class CatchUp:
    records: int = 0  # records re-indexed
    deleted: int = 0  # records removed from the index
    batches: int = 0


def _dequeue(row_ids: list[int]) -> None:
    """Delete applied queue rows (one statement on PostgreSQL, chunks on SQLite)."""
    step = len(row_ids) if connection.vendor == "postgresql" else 900
    for start in range(0, len(row_ids), max(step, 1)):
        IndexChange.objects.filter(id__in=id_list(row_ids[start : start + step])).delete()


class IndexWriter:
    """The one writer. Holding an instance holds tantivy's writer lock on the index
    directory: a second writer, in this process or another, fails with ``LockBusy``."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        heap: int = WRITER_HEAP,
        threads: int = 0,
        replace_incompatible: bool = False,
    ):
        self.path = path or index_path()
        self.index = open_index(self.path, create=True, replace=replace_incompatible)
        try:
            self.writer = self.index.writer(heap, threads)
        except ValueError as exc:
            raise RuntimeError(
                f"another index writer is running on {self.path} ({exc}); the index is kept "
                "up to date by that process"
            ) from exc

    @classmethod
    def for_rebuild(cls, path: Path | None = None) -> IndexWriter:
        """A writer sized for a full rebuild (see REBUILD_HEAP_PER_RECORD); an index of
        another schema version is replaced."""
        records = Bib.objects.count()
        heap = min(REBUILD_HEAP_MAX, max(WRITER_HEAP, records * REBUILD_HEAP_PER_RECORD))
        return cls(path, heap=heap, threads=1, replace_incompatible=True)

    def close(self) -> None:
        self.writer.wait_merging_threads()

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _replace(self, records: list[IndexRecord], gone: Iterable[int]) -> None:
        ids = [*gone, *(rec.id for rec in records)]
        if ids:
            self.writer.delete_documents_by_query(
                tantivy.Query.term_set_query(self.index.schema, "id", ids)
            )
        for rec in records:
            self.writer.add_document(make_document(rec))

    def catch_up(
        self,
        *,
        batch: int = 2000,
        progress: Progress | None = None,
        commit_docs: int = COMMIT_DOCS,
        commit_seconds: float = COMMIT_SECONDS,
    ) -> CatchUp:
        """Apply every queued change; return what was done. Safe to run at any time.

        The index is committed when the queue is drained — so a desk action or an edit is
        searchable after one batch — and, while a long queue is worked through (a big
        import running), every ``commit_docs`` records or ``commit_seconds``: each commit
        makes a segment that tantivy later merges, and committing every 2,000 records of a
        million-record import spent more CPU on merging than on indexing. Queue rows are
        deleted only after the commit that covers them (a crash re-applies them)."""
        result = CatchUp()
        total = IndexChange.objects.count() if progress else 0
        applied: list[int] = []  # queue rows applied since the last commit
        after = 0  # the last queue row taken in this call
        last_commit = time.monotonic()
        while True:
            rows = list(
                IndexChange.objects.filter(id__gt=after)
                .order_by("id")
                .values_list("id", "bib_id")[:batch]
            )
            if rows:
                ids = sorted({bib_id for _, bib_id in rows})
                records = gather(ids)
                gone = set(ids) - {r.id for r in records}
                self._replace(records, gone)
                after = rows[-1][0]
                applied.extend(row_id for row_id, _ in rows)
                result.records += len(records)
                result.deleted += len(gone)
                result.batches += 1
            drained = len(rows) < batch
            due = len(applied) >= commit_docs or time.monotonic() - last_commit >= commit_seconds
            if applied and (drained or due):
                self.writer.commit()
                _dequeue(applied)
                applied = []
                last_commit = time.monotonic()
            if progress and rows:
                progress(min(result.records + result.deleted, total), total)
            if drained:
                # Rows committed by other transactions after we read past their ids (ids are
                # handed out before commit) are still queued: the next call takes them.
                return result

    def rebuild(self, *, chunk: int = 5000, progress: Progress | None = None) -> int:
        """Re-index every record from the database in one commit (searchers keep the old
        index until then). Returns the number of records indexed."""
        # Changes committed before this point are covered by the rebuild; ones in flight now
        # stay queued and are applied by the next catch-up.
        covered = list(IndexChange.objects.values_list("id", flat=True))
        total = Bib.objects.count()
        self.writer.delete_all_documents()
        done = 0
        for lo, hi in _id_chunks(chunk):
            for rec in gather(id_range=(lo, hi)):
                self.writer.add_document(make_document(rec))
                done += 1
            if progress:
                progress(done, total)
        self.writer.commit()
        _dequeue(covered)
        return done

    def run(self, stop: threading.Event, *, interval: float = 0.2) -> None:
        """Catch up, then poll the queue until ``stop`` is set (``shoka index run``)."""
        while not stop.is_set():
            self.catch_up()
            stop.wait(interval)


@dataclass
class Drift:
    indexed: int = 0
    in_database: int = 0
    missing: list[int] = field(default_factory=list)  # in the database, not in the index
    extra: list[int] = field(default_factory=list)  # in the index, not in the database
    stale: list[int] = field(default_factory=list)  # indexed from an older version
    queued: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def _indexed_fingerprints(index: tantivy.Index) -> dict[int, int]:
    index.reload()
    searcher = index.searcher()
    n = searcher.num_docs
    if n == 0:
        return {}
    hits = searcher.search(tantivy.Query.all_query(), n, count=False).hits
    addresses = [address for _, address in hits]
    ids = searcher.fast_field_values("id", addresses)
    fps = searcher.fast_field_values("fp", addresses)
    return {
        int(i): int(f) for i, f in zip(ids, fps, strict=True) if i is not None and f is not None
    }


def check(
    path: Path | None = None, *, chunk: int = 5000, progress: Progress | None = None
) -> Drift:
    """Compare index and database record by record (ids and content fingerprints)."""
    index = open_index(path or index_path())
    indexed = _indexed_fingerprints(index)
    drift = Drift(indexed=len(indexed), queued=IndexChange.objects.count())
    seen: set[int] = set()
    total = Bib.objects.count()
    for lo, hi in _id_chunks(chunk):
        for rec in gather(id_range=(lo, hi)):
            seen.add(rec.id)
            fp = indexed.get(rec.id)
            if fp is None:
                drift.missing.append(rec.id)
            elif fp != fingerprint(rec):
                drift.stale.append(rec.id)
        if progress:
            progress(len(seen), total)
    drift.in_database = len(seen)
    drift.extra = sorted(set(indexed) - seen)
    return drift


def wait_until_indexed(timeout: float = 5.0) -> bool:
    """For tests and scripts: wait until the queue is empty (a writer is running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not IndexChange.objects.exists():
            return True
        time.sleep(0.05)
    return False
