"""What the public site can ask of the published catalogue: the query layer that the pages,
the open API and the feeds share (docs/opac.md).

Everything here reads the OPAC's own database and index — filled only from signed
changesets (shoka.publish.public) — so it knows records, copies, branches and calendars,
and nothing about who borrowed or reserved anything. Every query is bounded: lists take a
limit, searches go through the search service's own caps, and the database answers under
the OPAC's statement timeout (shoka.admission.dbtimeout).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shoka.publish.public.models import PublicBranch, PublicCalendarDay, PublicItem, PublicRecord
from shoka.search.engine import SearchIndexError
from shoka.search.service import SearchRequest, SearchResponse, SearchService, get_service

__all__ = [
    "CATEGORIES",
    "STATUS_LABELS",
    "Arrival",
    "BranchCopies",
    "BranchHoldings",
    "RecordPage",
    "branches",
    "calendar",
    "copies_by_branch",
    "count_new_arrivals",
    "get_branch",
    "get_record",
    "hold_queues",
    "new_arrivals",
    "open_today",
    "popular",
    "search",
]

#: NDC (日本十進分類法) first-level classes: the categories of new arrivals and popular items.
CATEGORIES: list[tuple[str, Promise]] = [
    ("0", _("General works (総記)")),
    ("1", _("Philosophy (哲学)")),
    ("2", _("History (歴史)")),
    ("3", _("Social sciences (社会科学)")),
    ("4", _("Natural sciences (自然科学)")),
    ("5", _("Technology (技術)")),
    ("6", _("Industry (産業)")),
    ("7", _("Arts (芸術)")),
    ("8", _("Language (言語)")),
    ("9", _("Literature (文学)")),
]
CATEGORY_CODES = frozenset(code for code, _label in CATEGORIES)

#: Item statuses as the public reads them (the values of shoka.catalogue's ItemStatus, which
#: this process cannot import: the staff apps are not installed here).
STATUS_LABELS: dict[str, Promise] = {
    "available": _("available"),
    "on_loan": _("on loan"),
    "in_transit": _("in transit"),
    "on_hold_shelf": _("on the hold shelf"),
    "missing": _("missing"),
    "withdrawn": _("withdrawn"),
    "in_repair": _("in repair"),
}

#: A branch code as the staff side allows it (a slug); anything else cannot name a branch.
#: Checked before a query: PostgreSQL refuses a NUL in a parameter with an error.
BRANCH_CODE = re.compile(r"[A-Za-z0-9_.-]{1,32}\Z")
MAX_LIST = 200  # the longest list page any caller may ask for
NEW_ARRIVAL_MAX_DAYS = 366


# -- search -------------------------------------------------------------------------------


def index_path() -> Path:
    return Path(settings.SHOKA_SEARCH_INDEX_DIR)


def _service() -> SearchService | None:
    """The OPAC index's search service; None until the first changeset created the index."""
    path = index_path()
    if not (path / "meta.json").exists():
        return None
    try:
        return get_service(path)
    except (SearchIndexError, ValueError, OSError):
        return None


def search(request: SearchRequest) -> SearchResponse:
    """Search the published catalogue (the same Japanese analysis and ranking as the staff
    search). Raises shoka.search.query.QueryError on a query it cannot read."""
    service = _service()
    if service is None:
        return SearchResponse(
            total=0, page=max(1, request.page), per_page=request.per_page, hits=[], facets={},
            took_ms=0.0,
        )  # fmt: skip
    _follow_version(service)
    return service.search(request)


_index_version = [-1]  # the catalogue version this process's searcher was last reloaded at


def _follow_version(service: SearchService) -> None:
    """Reload the searcher when the catalogue version moved on. tantivy picks up a commit
    by itself only after a moment, and a page must not carry the new version's ETag with
    the old index's answers (its per-branch availability among them): a client would keep
    that page, revalidated as unchanged, until the next changeset. The receiver commits the
    index before the version row, so a process that reads version N finds N in the index."""
    from .caching import catalogue_version

    sequence, _applied = catalogue_version()
    if sequence != _index_version[0]:
        service.index.reload()
        _index_version[0] = sequence


# -- records and holdings -------------------------------------------------------------------


@dataclass
class BranchHoldings:
    """The copies of one title at one branch."""

    branch_code: str
    branch_name: str
    branch: PublicBranch | None
    items: list[PublicItem] = field(default_factory=list)

    @property
    def available(self) -> int:
        return sum(1 for i in self.items if i.status == "available")


@dataclass
class RecordPage:
    record: PublicRecord
    holdings: list[BranchHoldings]
    available: int  # copies on the shelf now (館内のみ included)
    total: int  # copies held


def get_record(record_id: int) -> RecordPage | None:
    """A record with its copies grouped by branch (branches in their public order)."""
    record = PublicRecord.objects.filter(id=record_id).first()
    if record is None:
        return None
    items = list(PublicItem.objects.filter(record=record).order_by("branch", "location", "id"))
    known = {b.code: b for b in PublicBranch.objects.filter(code__in={i.branch for i in items})}
    groups: dict[str, BranchHoldings] = {}
    for item in items:
        group = groups.get(item.branch)
        if group is None:
            branch = known.get(item.branch)
            group = groups[item.branch] = BranchHoldings(item.branch, item.branch_name, branch)
        group.items.append(item)
    holdings = sorted(
        groups.values(),
        key=lambda g: (g.branch.position if g.branch else 1_000_000, g.branch_code),
    )
    return RecordPage(
        record=record,
        holdings=holdings,
        available=sum(1 for i in items if i.status == "available"),
        total=len(items),
    )


@dataclass
class BranchCopies:
    """A title's copies at one branch: the branch name published on them, and (status,
    loanable) per copy."""

    name: str
    copies: list[tuple[str, bool]] = field(default_factory=list)


def _copies_sql(count: int) -> str:
    meta, quote = PublicItem._meta, connection.ops.quote_name
    column = {f.name: quote(f.column) for f in meta.concrete_fields}
    selected = ", ".join(
        column[name] for name in ("record", "branch", "branch_name", "status", "loanable")
    )
    # Quoted names from the model and placeholders only: nothing from a request.
    table, placeholders = quote(meta.db_table), ", ".join(["%s"] * count)
    record = column["record"]
    return (
        f"SELECT {selected} FROM {table} WHERE {record} IN ({placeholders})"  # noqa: S608
        f" AND {column['status']} <> %s ORDER BY {record}, {column['id']}"
    )


def copies_by_branch(record_ids: Iterable[int]) -> dict[int, dict[str, BranchCopies]]:
    """{record id: {branch code: BranchCopies}} for many titles in one query (a result page's,
    or the titles of up to 100 ISBNs); withdrawn copies left out.

    Written in SQL rather than through the ORM: every search page asks, and building the
    query took longer than running it (bench/load (d))."""
    ids = [int(i) for i in record_ids]
    out: dict[int, dict[str, BranchCopies]] = {}
    if not ids:
        return out
    with connection.cursor() as cursor:
        cursor.execute(_copies_sql(len(ids)), [*ids, "withdrawn"])
        rows = cursor.fetchall()
    for record_id, branch, branch_name, status, loanable in rows:
        at = out.setdefault(record_id, {})
        at.setdefault(branch, BranchCopies(branch_name)).copies.append((status, bool(loanable)))
    return out


def hold_queues(record_ids: Iterable[int]) -> dict[int, int]:
    """{record id: 予約件数} of the given titles that exist."""
    return dict(
        PublicRecord.objects.filter(id__in=list(record_ids)).values_list("id", "hold_queue")
    )


# -- new arrivals (新着) and popular items ----------------------------------------------------


@dataclass
class Arrival:
    record: PublicRecord
    acquired_on: dt.date  # the newest copy's arrival (受入日) among the filtered ones
    branches: list[str]  # branch codes where copies arrived in the period


def _arrival_items(branch: str | None, category: str | None, days: int) -> Q:
    days = max(1, min(days, NEW_ARRIVAL_MAX_DAYS))
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    where = Q(acquired_on__gte=since, acquired_on__lte=timezone.localdate())
    if branch:
        _check_branch(branch)
        where &= Q(branch=branch)
    if category:
        if category not in CATEGORY_CODES:
            raise ValueError(f"unknown category {category!r} (NDC class 0–9)")
        where &= Q(record__ndc__startswith=category)
    return where


def new_arrivals(
    *,
    branch: str | None = None,
    category: str | None = None,
    days: int = 30,
    limit: int = 50,
    offset: int = 0,
) -> list[Arrival]:
    """Titles whose copies arrived in the last ``days`` days, newest arrival first (then the
    newest record id), with the arrival date. Raises ValueError on an unknown category."""
    limit = max(0, min(limit, MAX_LIST))
    rows = list(
        PublicItem.objects.filter(_arrival_items(branch, category, days))
        .values("record_id")
        .annotate(latest=Max("acquired_on"))
        .order_by("-latest", "-record_id")[max(0, offset) : max(0, offset) + limit]
    )
    ids = [r["record_id"] for r in rows]
    records = PublicRecord.objects.in_bulk(ids)
    where = _arrival_items(branch, category, days) & Q(record_id__in=ids)
    places: dict[int, set[str]] = {}
    for record_id, code in PublicItem.objects.filter(where).values_list("record_id", "branch"):
        places.setdefault(record_id, set()).add(code)
    return [
        Arrival(records[r["record_id"]], r["latest"], sorted(places.get(r["record_id"], ())))
        for r in rows
        if r["record_id"] in records
    ]


# {(branch, category, days, today): count} of the catalogue version in the first slot.
_arrival_counts: tuple[int, dict[tuple[str | None, str | None, int, dt.date], int]] = (-1, {})


def count_new_arrivals(
    *, branch: str | None = None, category: str | None = None, days: int = 30
) -> int:
    """How many titles ``new_arrivals`` lists in all. Counting means grouping every copy that
    arrived in the window (on the 1M-record catalogue ~0.5 s on SQLite, over the statement
    timeout when the cache is cold: bench/load (a)), and every list page asks; the count
    changes only with a changeset or the date, so it is kept per catalogue version and day."""
    global _arrival_counts
    from .caching import catalogue_version

    sequence, _applied = catalogue_version()
    key = (branch, category, days, timezone.localdate())
    cached_at, counts = _arrival_counts
    if cached_at == sequence and sequence > 0 and key in counts:
        return counts[key]
    count = (
        PublicItem.objects.filter(_arrival_items(branch, category, days))
        .values("record_id")
        .distinct()
        .count()
    )
    if cached_at != sequence:
        counts = {}
        _arrival_counts = (sequence, counts)
    counts[key] = count
    return count


def popular(
    *, branch: str | None = None, category: str | None = None, limit: int = 20
) -> list[PublicRecord]:
    """The most borrowed titles of the last year (counts only), then the longest hold
    queues. Raises ValueError on an unknown category."""
    records = PublicRecord.objects.filter(loan_count__gt=0)
    if category:
        if category not in CATEGORY_CODES:
            raise ValueError(f"unknown category {category!r} (NDC class 0–9)")
        records = records.filter(ndc__startswith=category)
    if branch:
        _check_branch(branch)
        records = records.filter(
            id__in=PublicItem.objects.filter(branch=branch).values("record_id")
        )
    limit = max(0, min(limit, MAX_LIST))
    return list(records.order_by("-loan_count", "-hold_queue", "id")[:limit])


# -- branches and their calendars ---------------------------------------------------------------


_branches: tuple[int, list[PublicBranch]] = (-1, [])


def branches() -> list[PublicBranch]:
    """The active branches in their public order. Every page asks (header, result lists):
    the list is kept per catalogue version (it changes only with a changeset)."""
    global _branches
    from .caching import catalogue_version

    sequence, _applied = catalogue_version()
    cached_at, value = _branches
    if cached_at == sequence and sequence > 0:
        return list(value)
    value = list(PublicBranch.objects.filter(is_active=True).order_by("position", "code"))
    _branches = (sequence, value)
    return list(value)


def _check_branch(code: str) -> None:
    if not BRANCH_CODE.match(code):
        raise ValueError(f"{code!r} is not a branch code")


def get_branch(code: str) -> PublicBranch | None:
    if not BRANCH_CODE.match(code):
        return None
    return PublicBranch.objects.filter(code=code, is_active=True).first()


def calendar(code: str, start: dt.date, end: dt.date) -> list[PublicCalendarDay]:
    """The branch's published days from ``start`` to ``end`` inclusive (days outside the
    published window are simply absent)."""
    if not BRANCH_CODE.match(code):
        return []
    return list(
        PublicCalendarDay.objects.filter(branch_id=code, date__gte=start, date__lte=end).order_by(
            "date"
        )
    )


def open_today(codes: list[str] | None = None) -> dict[str, PublicCalendarDay]:
    """Today's calendar entry per branch code (absent when not published)."""
    days = PublicCalendarDay.objects.filter(date=timezone.localdate())
    if codes is not None:
        days = days.filter(branch_id__in=[c for c in codes if BRANCH_CODE.match(c)])
    return {d.branch_id: d for d in days}
