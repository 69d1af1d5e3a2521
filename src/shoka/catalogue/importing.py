"""Importing catalogue records (MARC, CSV) into the database: matching, batching, reporting.

The readers (:mod:`shoka.catalogue.marc`, :mod:`shoka.catalogue.tabular`) turn a file into
:class:`ImportRecord` and :class:`BadRecord` values; this module decides for each good record
whether it is new, an update of a record already in the catalogue, or unchanged, and writes
the result in batches:

* **Matching** — a record matches the catalogue record with the same source control number
  (MARC 003 + 001), else the same JPNO (全国書誌番号), else the same ISBN (any of its ISBNs,
  ISBN-10 and ISBN-13 alike). A record whose ISBNs point to two different catalogue records
  is ambiguous: it is reported and skipped, never guessed. Records of the same file match
  each other too, so a file that lists a book twice adds it once.
* **Batches** — each batch of records is written in one transaction (``audited_atomic``) with
  one audit event listing the ids added and updated; a crash mid-file leaves every record
  either fully written or not at all, and rerunning the same file finds everything
  ``unchanged``. If the database refuses a batch, its records are retried one per
  transaction so that only the offending record is reported.
* **Items** — holdings found beside a record become items when their barcode is new; a
  barcode already on the same record is unchanged; a barcode on another record is reported
  and left where it is (the import never moves copies between records).
* **Index** — every added or updated record is queued for the search index in the same
  transaction (:mod:`shoka.search.queue`).
* ``dry_run`` plans the same decisions and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.db import DatabaseError

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.bulk import (
    analyze,
    custom_plans,
    id_list,
    insert_rows,
    key_list,
)
from shoka.organisation.models import Branch, Library, Location
from shoka.patrons.checkdigits import CheckDigitError, validate
from shoka.search.queue import enqueue

from .models import Bib, BibIsbn, Contributor, Item, ItemStatus, LoanCategory
from .records import BadRecord, BibData, ContributorData, HoldingData, ImportRecord, TitleData
from .services import _SCALAR_BIB_FIELDS, CatalogueError, _check_bib, _list_values

__all__ = ["ImportOptions", "ImportReport", "bib_data", "import_records"]

ANALYZE_AFTER = 10_000  # records written: then refresh PostgreSQL's statistics
_BIB_DATA = (*_SCALAR_BIB_FIELDS, "subjects", "subject_readings", "other_titles")
_BIB_COLUMNS = ("library_id", "created_at", "updated_at", "source_record", *_BIB_DATA)
_ITEM_COLUMNS = (
    "library_id",
    "bib_id",
    "barcode",
    "branch_id",
    "current_branch_id",
    "location_id",
    "loan_category_id",
    "call_number",
    "acquired_on",
    "price",
    "staff_note",
    "status",
    "status_changed_at",
    "created_at",
    "updated_at",
)

Progress = Callable[[int], None]  # records handled so far


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    items: bool = True  # create items from holdings
    branch: str = ""  # branch code for holdings that name none (default: the main library)
    location: str = ""  # location code for holdings that name none (default: the branch's first)
    loan_category: str = "book"
    batch_size: int = 500


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    started_at: dt.datetime | None = None
    seconds: float = 0.0
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    items_added: int = 0
    items_unchanged: int = 0
    items_skipped: int = 0
    bad: list[BadRecord] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (position, message)
    notes: list[str] = field(default_factory=list)  # about the file (encoding …)
    added_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.bad)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        rate = f", {self.read / self.seconds:,.0f} records/s" if self.seconds > 0 else ""
        return (
            f"{self.source}: {self.read} records read in {self.seconds:.1f} s{rate}; "
            f"{self.added} {verb} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped (bad); items: {self.items_added} added, "
            f"{self.items_unchanged} unchanged, {self.items_skipped} skipped; "
            f"{len(self.warnings)} warning(s)"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "seconds": round(self.seconds, 3),
            "read": self.read,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "items_added": self.items_added,
            "items_unchanged": self.items_unchanged,
            "items_skipped": self.items_skipped,
            "notes": self.notes,
            "bad": [
                {"position": b.position, "reason": b.reason, "excerpt": b.excerpt} for b in self.bad
            ],
            "warnings": [{"position": p, "message": m} for p, m in self.warnings],
        }

    def as_text(self) -> str:
        lines = [f"shoka import report — {self.source}", self.summary(), ""]
        lines += [f"note: {n}" for n in self.notes]
        if self.bad:
            lines.append("Skipped records (position: reason):")
            lines += [
                f"  {b.position}: {b.reason}" + (f"  [{b.excerpt}]" if b.excerpt else "")
                for b in self.bad
            ]
        if self.warnings:
            lines.append("Warnings (position: message):")
            lines += [f"  {p}: {m}" for p, m in self.warnings]
        return "\n".join(lines) + "\n"

    def write(self, path: Path) -> tuple[Path, Path]:
        """Write the report as text and JSON (``path`` without suffix → .txt and .json)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text, data = path.with_suffix(".txt"), path.with_suffix(".json")
        text.write_text(self.as_text(), encoding="utf-8")
        data.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        return text, data


# --- comparing with what is stored ----------------------------------------------------------


def bib_data(bib: Bib, contributors: Sequence[Contributor], isbns: Sequence[BibIsbn]) -> BibData:
    """The BibData a stored record corresponds to (for comparison and export)."""
    values = {name: getattr(bib, name) for name in _SCALAR_BIB_FIELDS}
    source = bib.source_record
    return BibData(
        contributors=tuple(ContributorData(c.name, c.reading, c.role) for c in contributors),
        isbns=tuple(i.printed for i in isbns),
        subjects=tuple(bib.subjects or ()),
        subject_readings=tuple(bib.subject_readings or ()),
        other_titles=tuple(TitleData(t[0], t[1]) for t in bib.other_titles or ()),
        source_record=bytes(source) if source is not None else None,
        **values,
    )


def _comparable(data: BibData) -> BibData:
    """Normalise what the services normalise, so an unchanged record compares equal."""
    return replace(
        data,
        title=data.title.strip(),
        contributors=tuple(
            ContributorData(c.name.strip(), c.reading.strip(), c.role.strip())
            for c in data.contributors
        ),
        isbns=tuple(data.isbns),
        subjects=tuple(data.subjects),
        subject_readings=tuple(data.subject_readings),
        other_titles=tuple(TitleData(t.title, t.reading) for t in data.other_titles),
    )


# --- planning ---------------------------------------------------------------------------------


@dataclass
class _Plan:
    rec: ImportRecord
    isbns: list[tuple[str, str, str]]
    match: int | None = None  # existing bib id, or a negative id for one added in this run
    action: str = "add"  # add | update | unchanged


class _Importer:
    def __init__(
        self,
        library: Library,
        options: ImportOptions,
        report: ImportReport,
        actor: Actor,
        at: dt.datetime,
    ) -> None:
        self.library = library
        self.options = options
        self.report = report
        self.actor = actor
        self.at = at
        # keys of records added or matched in this run → bib id (negative: dry-run pseudo ids)
        self.by_source: dict[str, int] = {}
        self.by_jpno: dict[str, int] = {}
        self.by_isbn: dict[str, int] = {}
        self.pseudo = 0
        self.matched: set[int] = set()
        self.real_ids: dict[int, int] = {}  # pseudo id → id of the record written for it
        self._branches: dict[str, Branch] = {}
        self._locations: dict[tuple[int, str], Location] = {}
        self._categories: dict[str, LoanCategory] = {}
        self._load_organisation()

    # organisation lookups: codes and names both accepted
    def _load_organisation(self) -> None:
        for branch in Branch.objects.filter(library=self.library):
            self._branches[branch.code.lower()] = branch
            self._branches.setdefault(branch.name.lower(), branch)
        for loc in Location.objects.filter(branch__library=self.library):
            self._locations[(loc.branch_id, loc.code.lower())] = loc
            self._locations.setdefault((loc.branch_id, loc.name.lower()), loc)
        for cat in LoanCategory.objects.filter(library=self.library):
            self._categories[cat.code.lower()] = cat
            self._categories.setdefault(cat.name.lower(), cat)

    def _default_branch(self) -> Branch | None:
        if self.options.branch:
            return self._branches.get(self.options.branch.lower())
        return next((b for b in self._branches.values() if b.kind == "main"), None)

    def _resolve_holding(self, holding: HoldingData) -> tuple[Branch, Location, LoanCategory] | str:
        branch = (
            self._branches.get(holding.branch.strip().lower())
            if holding.branch.strip()
            else self._default_branch()
        )
        if branch is None:
            return f"unknown branch {holding.branch or self.options.branch!r}"
        wanted = holding.location.strip().lower() or self.options.location.lower()
        location = self._locations.get((branch.pk, wanted)) if wanted else None
        if location is None and not wanted:
            location = next(
                (
                    v
                    for (b, _), v in sorted(self._locations.items(), key=lambda kv: kv[1].pk)
                    if b == branch.pk
                ),
                None,
            )
        if location is None:
            return f"{branch.code} has no location {holding.location or self.options.location!r}"
        cat_name = (holding.loan_category or self.options.loan_category).strip().lower()
        category = self._categories.get(cat_name)
        if category is None:
            return f"unknown loan category {cat_name!r}"
        return branch, location, category

    def plan(self, records: list[ImportRecord]) -> list[_Plan]:
        checked_records: list[tuple[ImportRecord, list[tuple[str, str, str]]]] = []
        for rec in records:
            try:
                checked_records.append((rec, _check_bib(rec.bib)))
            except CatalogueError as exc:
                self.report.bad.append(BadRecord(rec.position, str(exc), rec.bib.title[:120]))
        sources = {r.bib.source_id for r, _ in checked_records if r.bib.source_id}
        jpnos = {r.bib.jpno for r, _ in checked_records if r.bib.jpno}
        isbns = {i13 for _, checked in checked_records for i13, _, _ in checked}
        # Look up by the key alone (its index) and keep this library's rows here: with a
        # library condition in SQL, SQLite's planner may walk the library's foreign-key
        # index instead, which makes every batch a scan of the whole catalogue.
        with custom_plans():  # see shoka.bulk.custom_plans
            lib = self.library.pk
            db_source = {
                key: bib_id
                for key, bib_id, owner in Bib.objects.filter(
                    source_id__in=key_list(sources)
                ).values_list("source_id", "id", "library_id")
                if owner == lib
            }
            db_jpno = {
                key: bib_id
                for key, bib_id, owner in Bib.objects.filter(jpno__in=key_list(jpnos)).values_list(
                    "jpno", "id", "library_id"
                )
                if owner == lib
            }
            pairs = list(
                BibIsbn.objects.filter(isbn13__in=key_list(isbns)).values_list("isbn13", "bib_id")
            )
            ours = set(
                Bib.objects.filter(
                    id__in=id_list({bib_id for _, bib_id in pairs}), library_id=lib
                ).values_list("id", flat=True)
            )
            db_isbn: dict[str, set[int]] = {}
            for isbn13, bib_id in pairs:
                if bib_id in ours:
                    db_isbn.setdefault(isbn13, set()).add(bib_id)
        plans: list[_Plan] = []
        for rec, checked in checked_records:
            data = rec.bib
            match: int | None = None
            how = ""
            if data.source_id:
                match = self.by_source.get(data.source_id) or db_source.get(data.source_id)
                how = "001/003"
            if match is None and data.jpno:
                match = self.by_jpno.get(data.jpno) or db_jpno.get(data.jpno)
                how = "JPNO"
            if match is None:
                candidates: set[int] = set()
                for i13, _, _ in checked:
                    if i13 in self.by_isbn:
                        candidates.add(self.by_isbn[i13])
                    candidates |= db_isbn.get(i13, set())
                if len(candidates) > 1:
                    known = ", ".join(str(c) for c in sorted(candidates) if c > 0)
                    self.report.bad.append(
                        BadRecord(
                            rec.position,
                            "ambiguous: its ISBNs belong to several catalogue records "
                            f"({known or 'in this file'}); merge them first",
                            data.title[:120],
                        )
                    )
                    continue
                match = next(iter(candidates), None)
                how = "ISBN"
            plan = _Plan(rec, checked, match, "add" if match is None else "update")
            if match is not None and (match < 0 or match in self.matched):
                self.report.warnings.append(
                    (
                        rec.position,
                        f"the same record appears earlier in this file (matched by {how})",
                    )
                )
            plans.append(plan)
            self._remember(plan)
        self._mark_unchanged(plans)
        return plans

    def _remember(self, plan: _Plan) -> None:
        if plan.match is None:
            self.pseudo -= 1
            plan.match = self.pseudo  # replaced by the real id when written
        self.matched.add(plan.match)
        data = plan.rec.bib
        if data.source_id:
            self.by_source[data.source_id] = plan.match
        if data.jpno:
            self.by_jpno[data.jpno] = plan.match
        for i13, _, _ in plan.isbns:
            self.by_isbn[i13] = plan.match

    def _mark_unchanged(self, plans: list[_Plan]) -> None:
        ids = [p.match for p in plans if p.action == "update" and p.match and p.match > 0]
        if not ids:
            return
        bibs = {b.pk: b for b in Bib.objects.filter(pk__in=ids)}
        people: dict[int, list[Contributor]] = {}
        for c in Contributor.objects.filter(bib_id__in=ids).order_by("bib_id", "position"):
            people.setdefault(c.bib_id, []).append(c)
        isbns: dict[int, list[BibIsbn]] = {}
        for i in BibIsbn.objects.filter(bib_id__in=ids).order_by("id"):
            isbns.setdefault(i.bib_id, []).append(i)
        for plan in plans:
            bib = bibs.get(plan.match or 0)
            if plan.action != "update" or bib is None:
                continue
            stored = _comparable(bib_data(bib, people.get(bib.pk, []), isbns.get(bib.pk, [])))
            if stored == _comparable(plan.rec.bib):
                plan.action = "unchanged"

    # --- writing --------------------------------------------------------------------------

    def apply(self, plans: list[_Plan]) -> None:
        """Write one batch in one transaction; on a database error, one record at a time."""
        if self.options.dry_run:
            self._count(plans)
            return
        before = self._counters()
        try:
            with audited_atomic():
                ids = self._write(plans)
        except DatabaseError:
            self._restore(before)
            for plan in plans:
                before = self._counters()
                try:
                    with audited_atomic():
                        ids = self._write([plan])
                    self._commit([plan], ids)
                except DatabaseError as exc:
                    self._restore(before)
                    self.report.bad.append(
                        BadRecord(
                            plan.rec.position,
                            f"the database refused it: {exc}",
                            plan.rec.bib.title[:120],
                        )
                    )
                    continue
                self._count([plan])
            return
        self._commit(plans, ids)
        self._count(plans)

    def _counters(self) -> tuple[int, int, int, int]:
        r = self.report
        return r.items_added, r.items_unchanged, r.items_skipped, len(r.warnings)

    def _restore(self, counters: tuple[int, int, int, int]) -> None:
        """Forget what a rolled-back write counted."""
        r = self.report
        r.items_added, r.items_unchanged, r.items_skipped, warnings = counters
        del r.warnings[warnings:]

    def _count(self, plans: list[_Plan]) -> None:
        for plan in plans:
            if plan.action == "add":
                self.report.added += 1
                if plan.match is not None and plan.match > 0:
                    self.report.added_ids.append(plan.match)
            elif plan.action == "update":
                self.report.updated += 1
                if plan.match is not None and plan.match > 0:
                    self.report.updated_ids.append(plan.match)
            else:
                self.report.unchanged += 1
            for message in plan.rec.warnings:
                self.report.warnings.append((plan.rec.position, message))
        if self.options.items and self.options.dry_run:
            for plan in plans:
                self.report.items_added += len(plan.rec.holdings)

    def _write(self, plans: list[_Plan]) -> dict[int, int]:
        """Write a batch; return the ids of the records it created (pseudo id → real id).

        Several plans can target one record (a book listed twice in the file): the record
        is written once, with the last plan's data, and gets every plan's holdings. Nothing
        in ``self`` or the plans changes here, so a batch that the database refuses can be
        retried record by record (see ``_commit``).
        """
        at = self.at
        groups: dict[int, list[_Plan]] = {}
        for p in plans:
            if p.action != "unchanged" and p.match is not None:
                groups.setdefault(p.match, []).append(p)
        creates = [k for k in groups if k < 0 and k not in self.real_ids]
        rows = []
        for key in creates:
            data = groups[key][-1].rec.bib
            fields = {name: getattr(data, name) for name in _SCALAR_BIB_FIELDS}
            fields.update(_list_values(data), title=data.title.strip())
            rows.append(
                (self.library.pk, at, at, data.source_record, *(fields[f] for f in _BIB_DATA))
            )
        new_ids = insert_rows(Bib, _BIB_COLUMNS, rows, returning_ids=True)
        created = dict(zip(creates, new_ids, strict=True))

        def target(key: int) -> int:
            return created.get(key) or self.real_ids.get(key, key)

        updated = [k for k in groups if k not in created]
        for key in updated:
            data = groups[key][-1].rec.bib
            values: dict[str, Any] = {name: getattr(data, name) for name in _SCALAR_BIB_FIELDS}
            values.update(_list_values(data), updated_at=at, title=data.title.strip())
            if data.source_record is not None:
                values["source_record"] = data.source_record
            Bib.objects.filter(pk=target(key)).update(**values)
        Contributor.objects.filter(bib_id__in=[target(k) for k in updated]).delete()
        BibIsbn.objects.filter(bib_id__in=[target(k) for k in updated]).delete()
        insert_rows(
            Contributor,
            ("bib_id", "position", "name", "reading", "role"),
            [
                (target(key), i, c.name.strip(), c.reading.strip(), c.role.strip())
                for key, group in groups.items()
                for i, c in enumerate(group[-1].rec.bib.contributors)
            ],
        )
        insert_rows(
            BibIsbn,
            ("bib_id", "isbn13", "printed", "qualifier"),
            [
                (target(key), i13, printed, qual)
                for key, group in groups.items()
                for i13, printed, qual in group[-1].isbns
            ],
        )
        item_bibs = self._write_items(plans, target) if self.options.items else set()
        enqueue([*(target(k) for k in groups), *item_bibs])
        if groups or item_bibs:
            record(
                "catalogue.imported",
                ("import", Path(self.report.source).name[:64]),
                actor=self.actor,
                at=at,
                data={
                    "source": self.report.source,
                    "added": sorted(created.values()),
                    "updated": sorted(target(k) for k in updated),
                    "items_for": sorted(item_bibs),
                },
            )
        return created

    def _commit(self, plans: list[_Plan], created: dict[int, int]) -> None:
        """After a batch has committed: pseudo ids become real ids everywhere."""
        self.real_ids.update(created)
        for plan in plans:
            if plan.match is not None and plan.match < 0 and plan.match in self.real_ids:
                plan.match = self.real_ids[plan.match]
            data, match = plan.rec.bib, plan.match
            if match is None or match < 0:
                continue
            if data.source_id:
                self.by_source[data.source_id] = match
            if data.jpno:
                self.by_jpno[data.jpno] = match
            for i13, _, _ in plan.isbns:
                self.by_isbn[i13] = match

    def _write_items(self, plans: list[_Plan], target: Callable[[int], int]) -> set[int]:
        barcodes = [h.barcode.strip() for p in plans for h in p.rec.holdings if h.barcode.strip()]
        with custom_plans():
            existing = dict(
                Item.objects.filter(
                    library=self.library, barcode__in=key_list(barcodes)
                ).values_list("barcode", "bib_id")
            )
        new_items: list[tuple[object, ...]] = []
        touched: set[int] = set()
        for plan in plans:
            if plan.match is None:
                continue
            bib_id = target(plan.match)
            for holding in plan.rec.holdings:
                barcode = holding.barcode.strip()
                where = plan.rec.position
                if not barcode:
                    self.report.items_skipped += 1
                    self.report.warnings.append((where, "a holding without a barcode was skipped"))
                    continue
                if barcode in existing:
                    if existing[barcode] == bib_id:
                        self.report.items_unchanged += 1
                    else:
                        self.report.items_skipped += 1
                        self.report.warnings.append(
                            (
                                where,
                                f"barcode {barcode} is on record {existing[barcode]}; left there",
                            )
                        )
                    continue
                try:
                    validate(self.library.item_check_digit, barcode)
                except CheckDigitError as exc:
                    self.report.items_skipped += 1
                    self.report.warnings.append((where, f"barcode {barcode}: {exc}"))
                    continue
                resolved = self._resolve_holding(holding)
                if isinstance(resolved, str):
                    self.report.items_skipped += 1
                    self.report.warnings.append((where, f"barcode {barcode}: {resolved}"))
                    continue
                branch, location, category = resolved
                new_items.append(
                    (
                        self.library.pk,
                        bib_id,
                        barcode,
                        branch.pk,
                        branch.pk,
                        location.pk,
                        category.pk,
                        holding.call_number.strip(),
                        holding.acquired_on,
                        holding.price,
                        holding.note,
                        ItemStatus.AVAILABLE.value,
                        self.at,
                        self.at,
                        self.at,
                    )
                )
                existing[barcode] = bib_id
                touched.add(bib_id)
        insert_rows(Item, _ITEM_COLUMNS, new_items)
        self.report.items_added += len(new_items)
        return touched


def import_records(
    library: Library,
    records: Iterable[ImportRecord | BadRecord],
    *,
    source: str,
    actor: Actor,
    at: dt.datetime,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a stream of records; return the report. Never raises for bad records."""
    options = options or ImportOptions()
    report = ImportReport(source=source, dry_run=options.dry_run, started_at=at)
    importer = _Importer(library, options, report, actor, at)
    started = time.perf_counter()
    batch: list[ImportRecord] = []

    next_analyze = ANALYZE_AFTER

    def flush() -> None:
        nonlocal next_analyze
        if batch:
            importer.apply(importer.plan(batch))
            batch.clear()
        written = report.added + report.updated
        if written >= next_analyze and not options.dry_run:
            # Keep PostgreSQL's statistics close to the growing tables, or its estimates
            # (from an empty catalogue) turn the key look-ups into scans.
            analyze(Bib, Contributor, BibIsbn, Item)
            next_analyze = written * 2

    for item in records:
        report.read += 1
        if isinstance(item, BadRecord):
            report.bad.append(item)
        else:
            batch.append(item)
            if len(batch) >= options.batch_size:
                flush()
        if progress and report.read % 100 == 0:
            progress(report.read)
    flush()
    if progress:
        progress(report.read)
    if report.added + report.updated >= ANALYZE_AFTER and not options.dry_run:
        analyze(Bib, Contributor, BibIsbn, Item)  # and once at the end
    report.seconds = time.perf_counter() - started
    report.bad.sort(key=lambda b: _position_key(b.position))
    return report


def _position_key(position: str) -> tuple[int, str]:
    digits = "".join(ch if ch.isdigit() else " " for ch in position).split()
    return (int(digits[0]) if digits else 0, position)
