"""The public JSON API, /api/v1/ (docs/opac-api.md; the OpenAPI document in ``openapi.py``).

Plain Django views answering JsonResponse. They read the catalogue through
:mod:`shoka.opac.catalogue` and never write. Every answer is cacheable (ETag, Last-Modified,
Cache-Control; 304 on conditional requests); every bad parameter is a 400 and every unknown
record or branch a 404, with ``{"error": code, "detail": sentence}``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from shoka.catalogue.isbn import parse_isbn
from shoka.opac import catalogue
from shoka.opac.caching import public_cached
from shoka.search.query import QueryError
from shoka.search.service import MAX_OFFSET, SORTS, SearchRequest

from . import openapi
from .availability import Availability, Copy, branch_status

MAX_ISBNS = 100
MAX_RECORDS_PER_ISBN = 20
MAX_CALENDAR_DAYS = 366
DEFAULT_CALENDAR_DAYS = 30
JSON_OPTIONS = {"ensure_ascii": False}
INTEGER = re.compile(r"-?[0-9]{1,9}\Z")
#: What a branch code can look like; anything else is unknown without asking the database
#: (PostgreSQL refuses a NUL character in a query parameter with an error, not a no).
BRANCH_CODE = catalogue.BRANCH_CODE  # one definition: the query layer checks it too


class ApiError(Exception):
    def __init__(self, code: str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status


def error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(
        {"error": code, "detail": detail}, status=status, json_dumps_params=JSON_OPTIONS
    )


def answer(data: dict[str, Any]) -> JsonResponse:
    return JsonResponse(data, json_dumps_params=JSON_OPTIONS)


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD only; a :class:`ApiError` raised inside becomes its JSON error."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApiError as exc:
            return error(exc.status, exc.code, exc.detail)

    return require_safe(wrapped)


# --- parameters ---------------------------------------------------------------------------


def int_param(request: HttpRequest, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not INTEGER.match(raw):
        raise ApiError("bad_parameter", f"{name} must be a whole number, not {raw[:40]!r}")
    value = int(raw)
    if not lo <= value <= hi:
        raise ApiError("bad_parameter", f"{name} must be between {lo} and {hi}")
    return value


def optional_int(request: HttpRequest, name: str, lo: int, hi: int) -> int | None:
    if not request.GET.get(name, "").strip():
        return None
    return int_param(request, name, 0, lo, hi)


def date_param(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ApiError("bad_parameter", f"{name} must be a date YYYY-MM-DD") from None


def category_param(request: HttpRequest) -> str | None:
    category = request.GET.get("category", "").strip() or None
    if category is not None and category not in {code for code, _ in catalogue.CATEGORIES}:
        raise ApiError("bad_parameter", "category must be an NDC class, 0 to 9")
    return category


def branch_param(request: HttpRequest) -> str | None:
    code = request.GET.get("branch", "").strip() or None
    if code is not None and not is_branch(code):
        raise ApiError("unknown_branch", f"no branch {code[:40]!r}; see /api/v1/branches")
    return code


def is_branch(code: str) -> bool:
    return bool(BRANCH_CODE.match(code)) and catalogue.get_branch(code) is not None


# --- shapes -------------------------------------------------------------------------------


def record_url(request: HttpRequest, record_id: int) -> str:
    return request.build_absolute_uri(f"/records/{record_id}")


def record_json(request: HttpRequest, record: Any) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "title_reading": record.title_reading,
        "title_romanized": record.title_romanized,
        "responsibility": record.responsibility,
        "authors": [
            {"name": str(a.get("name", "")), "reading": str(a.get("reading", ""))}
            for a in record.authors
        ],
        "publisher": record.publisher,
        "publisher_reading": record.publisher_reading,
        "year": record.year,
        "edition": record.edition,
        "extent": record.extent,
        "isbns": list(record.isbns),
        "jpno": record.jpno,
        "ndc": record.ndc,
        "subjects": list(record.subjects),
        "series": record.series,
        "series_reading": record.series_reading,
        "volume": record.volume,
        "material_type": record.material_type,
        "language": record.language,
        "hold_queue": record.hold_queue,
        "loan_count": int(getattr(record, "loan_count", 0) or 0),
        "url": record_url(request, record.id),
        "holdings_url": request.build_absolute_uri(reverse("api-holdings", args=[record.id])),
    }


def record_summary(request: HttpRequest, record: Any) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "responsibility": record.responsibility,
        "publisher": record.publisher,
        "year": record.year,
        "isbns": list(record.isbns),
        "ndc": record.ndc,
        "material_type": record.material_type,
        "url": record_url(request, record.id),
    }


def _time(value: Any) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def open_today() -> dict[str, bool]:
    """Branch code → open today, for the branches whose calendar is published for today."""
    return {code: bool(day.is_open) for code, day in catalogue.open_today().items()}


# --- views --------------------------------------------------------------------------------


@api_view
def not_found(request: HttpRequest) -> HttpResponse:
    return error(404, "not_found", "no such API endpoint; see /api/v1/openapi.json")


@require_safe
@public_cached(max_age=3600)
def openapi_json(request: HttpRequest) -> HttpResponse:
    return answer(openapi.document())


@api_view
@public_cached(max_age=300)
def search(request: HttpRequest) -> HttpResponse:
    """The search service's query, filters, facets, sort and paging (the /search page's)."""
    filters = {}
    for name in openapi.SEARCH_FILTERS:
        values = tuple(v.strip() for v in request.GET.getlist(name) if v.strip())
        if values:
            filters[name] = values
    sort = request.GET.get("sort", "").strip() or "relevance"
    if sort not in SORTS:
        raise ApiError("bad_parameter", f"sort must be one of {', '.join(SORTS)}")
    per_page = int_param(request, "per_page", 20, 1, 100)
    page = int_param(request, "page", 1, 1, 500)
    if (page - 1) * per_page > MAX_OFFSET:
        raise ApiError("too_deep", "that page is too deep; narrow the search or use /data/")
    search_request = SearchRequest(
        q=request.GET.get("q", "")[:500],
        filters=filters,
        year_from=optional_int(request, "year_from", 0, 9999),
        year_to=optional_int(request, "year_to", 0, 9999),
        sort=sort,  # type: ignore[arg-type]  # checked against SORTS above
        page=page,
        per_page=per_page,
    )
    try:
        result = catalogue.search(search_request)
    except QueryError as exc:
        raise ApiError("bad_query", str(exc)) from None
    hits = []
    for hit in result.hits:
        f = hit.fields
        hits.append(
            {
                "id": hit.id,
                "title": f.get("title", ""),
                "title_reading": f.get("title_reading", ""),
                "responsibility": f.get("responsibility", ""),
                "authors": list(f.get("authors", [])),
                "publisher": f.get("publisher", ""),
                "year": f.get("year"),
                "isbn": f.get("isbn", ""),
                "ndc": f.get("ndc", ""),
                "material_type": f.get("material_type", ""),
                "language": f.get("language", ""),
                "availability": f.get("availability", "none"),
                "items": int(f.get("items", 0)),
                "url": record_url(request, hit.id),
            }
        )
    return answer(
        {
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "hits": hits,
            "facets": {
                name: [{"value": c.value, "count": c.count} for c in counts]
                for name, counts in result.facets.items()
            },
        }
    )


def _page(record_id: str) -> Any:
    """The record page of a path's id; 404 for an id that is not a record's (or a number)."""
    number = int(record_id) if record_id.isascii() and record_id.isdigit() else 0
    if not 1 <= number <= openapi.MAX_ID:
        raise ApiError("not_found", f"no record {record_id[:40]!r}", status=404)
    page = catalogue.get_record(number)
    if page is None:
        raise ApiError("not_found", f"no record {number}", status=404)
    return page


@api_view
@public_cached(max_age=300)
def record(request: HttpRequest, record_id: str) -> HttpResponse:
    return answer(record_json(request, _page(record_id).record))


@api_view
@public_cached(max_age=60)
def holdings(request: HttpRequest, record_id: str) -> HttpResponse:
    """Copies per branch; the title's hold queue is a number — never who."""
    page = _page(record_id)
    hold_queue = page.record.hold_queue
    is_open = open_today()
    branches = []
    for group in page.holdings:
        items = list(group.items)
        word = branch_status(
            [Copy(i.status, i.loanable) for i in items],
            hold_queue=hold_queue,
            open_today=is_open.get(group.branch_code),
        )
        branches.append(
            {
                "code": group.branch_code,
                "name": group.branch_name,
                "availability": word.value,
                "items": [
                    {
                        "location": i.location,
                        "location_name": i.location_name,
                        "call_number": i.call_number,
                        "status": i.status,
                        "status_label": str(catalogue.STATUS_LABELS.get(i.status, i.status)),
                        "loanable": i.loanable,
                        "due_on": i.due_on.isoformat() if i.due_on else None,
                        "acquired_on": i.acquired_on.isoformat() if i.acquired_on else None,
                    }
                    for i in items
                ],
            }
        )
    return answer(
        {
            "record_id": page.record.id,
            "hold_queue": hold_queue,
            "available": page.available,
            "total": page.total,
            "branches": branches,
        }
    )


def parse_isbn_list(raw: str) -> list[tuple[str, str]]:
    """``(as given, ISBN-13)`` for each comma-separated ISBN; 400 for a bad or long list."""
    given = [part.strip() for part in raw.replace("、", ",").split(",") if part.strip()]
    if not given:
        raise ApiError("bad_parameter", "isbn: give one or more ISBNs separated by commas")
    if len(given) > MAX_ISBNS:
        raise ApiError("too_many_isbns", f"at most {MAX_ISBNS} ISBNs per request, not {len(given)}")
    out = []
    for text in given:
        parsed = parse_isbn(text)
        if parsed.isbn13 is None:
            raise ApiError("bad_isbn", f"{text[:40]!r} is not an ISBN: {parsed.error}")
        out.append((text, parsed.isbn13))
    return out


@dataclass
class Title:
    """What availability needs of one record: its id, hold queue and copies per branch."""

    id: int
    hold_queue: int
    copies: dict[str, list[Copy]] = field(default_factory=dict)
    branch_names: dict[str, str] = field(default_factory=dict)


def titles_by_isbn(isbns: list[str]) -> dict[str, list[Title]]:
    """ISBN-13 → the records that carry it. The OPAC's index finds them (it knows the ISBN-10
    and -13 forms); then two queries fetch every record's queue and copies at once, instead
    of a record page per record (100 ISBNs would otherwise be some 300 queries)."""
    found: dict[str, list[int]] = {}
    for isbn13 in isbns:
        result = catalogue.search(
            SearchRequest(q=f"isbn:{isbn13}", per_page=MAX_RECORDS_PER_ISBN, facets=False)
        )
        found[isbn13] = sorted(hit.id for hit in result.hits)
    ids = {record_id for record_ids in found.values() for record_id in record_ids}
    copies = catalogue.copies_by_branch(ids)
    titles = {
        record_id: Title(
            record_id,
            queue,
            {code: [Copy(*c) for c in at.copies] for code, at in copies.get(record_id, {}).items()},
            {code: at.name for code, at in copies.get(record_id, {}).items()},
        )
        for record_id, queue in catalogue.hold_queues(ids).items()
    }
    return {
        isbn13: [titles[i] for i in record_ids if i in titles]
        for isbn13, record_ids in found.items()
    }


@api_view
@public_cached(max_age=60)
def availability(request: HttpRequest) -> HttpResponse:
    """Up to 100 ISBNs; per ISBN and branch one of Calil's eight words."""
    wanted = parse_isbn_list(request.GET.get("isbn", ""))
    today = timezone.localdate()
    found = titles_by_isbn(sorted({isbn13 for _, isbn13 in wanted}))
    branch_names = {b.code: b.name for b in catalogue.branches()}
    is_open = open_today()
    results = []
    for text, isbn13 in wanted:
        titles = found.get(isbn13, [])
        copies: dict[str, list[Copy]] = {}
        names = dict(branch_names)
        for title in titles:
            for code, title_copies in title.copies.items():
                names.setdefault(code, title.branch_names[code])
                copies.setdefault(code, []).extend(title_copies)
        queue = sum(title.hold_queue for title in titles)
        branches = []
        for code, name in names.items():
            word = branch_status(
                copies.get(code, []), hold_queue=queue, open_today=is_open.get(code)
            )
            branches.append({"code": code, "name": name, "status": word.value})
        ids = [title.id for title in titles]
        results.append(
            {
                "isbn": text,
                "isbn13": isbn13,
                "record_ids": ids,
                "reserve_url": record_url(request, ids[0]) if ids else None,
                "libkey": {
                    b["code"]: b["status"]
                    for b in branches
                    if b["status"] != Availability.NOT_HELD.value
                },
                "branches": branches,
            }
        )
    return answer({"date": today.isoformat(), "results": results})


@api_view
@public_cached(max_age=300)
def new_arrivals(request: HttpRequest) -> HttpResponse:
    """新着, newest first, each with the date it arrived."""
    branch = branch_param(request)
    category = category_param(request)
    days = int_param(request, "days", 30, 1, 365)
    per_page = int_param(request, "per_page", 50, 1, 100)
    page = int_param(request, "page", 1, 1, 500)
    filters: dict[str, Any] = {"branch": branch, "category": category, "days": days}
    arrivals = catalogue.new_arrivals(**filters, limit=per_page, offset=(page - 1) * per_page)
    return answer(
        {
            "total": catalogue.count_new_arrivals(**filters),
            "page": page,
            "per_page": per_page,
            "days": days,
            "branch": branch,
            "category": category,
            "arrivals": [
                {
                    "acquired_on": a.acquired_on.isoformat(),
                    "branches": list(a.branches),
                    "record": record_summary(request, a.record),
                }
                for a in arrivals
            ],
        }
    )


def _hours(value: Any) -> dict[str, str] | None:
    if isinstance(value, list | tuple) and len(value) == 2:
        return {"opens": str(value[0]), "closes": str(value[1])}
    return None


@api_view
@public_cached(max_age=300)
def branches(request: HttpRequest) -> HttpResponse:
    is_open = open_today()
    out = []
    for b in catalogue.branches():
        hours: list[Any] = list(b.hours) if isinstance(b.hours, list) else []
        hours = (hours + [None] * 7)[:7]
        out.append(
            {
                "code": b.code,
                "name": b.name,
                "name_en": b.name_en,
                "kind": b.kind,
                "address": b.address,
                "phone": b.phone,
                "hours": [_hours(h) for h in hours],
                "note": str(getattr(b, "note", "") or ""),
                "open_today": is_open.get(b.code),
                "calendar_url": request.build_absolute_uri(reverse("api-calendar", args=[b.code])),
            }
        )
    return answer({"branches": out})


@api_view
@public_cached(max_age=300)
def calendar(request: HttpRequest, code: str) -> HttpResponse:
    """Open and closed days of one branch, ``from``..``to`` (at most 366 days)."""
    if not is_branch(code):
        raise ApiError("not_found", f"no branch {code[:40]!r}", status=404)
    today = timezone.localdate()
    start = date_param(request, "from", today)
    try:
        end = date_param(request, "to", start + dt.timedelta(days=DEFAULT_CALENDAR_DAYS))
    except OverflowError:
        raise ApiError("bad_parameter", "from is too far in the future") from None
    if end < start:
        raise ApiError("bad_parameter", "to must not be before from")
    if (end - start).days >= MAX_CALENDAR_DAYS:
        raise ApiError("range_too_long", f"at most {MAX_CALENDAR_DAYS} days at once")
    days = catalogue.calendar(code, start, end)
    return answer(
        {
            "branch": code,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "days": [
                {
                    "date": d.date.isoformat(),
                    "is_open": bool(d.is_open),
                    "opens": _time(d.opens) if d.is_open else None,
                    "closes": _time(d.closes) if d.is_open else None,
                    "closure": d.closure or "",
                    "reason": d.reason or "",
                }
                for d in days
            ],
        }
    )
