"""The OPAC's URLs plus bench-only views (bench/load.py), served by the same gunicorn
workers, middleware and admission control as the public pages.

- ``/bench/search?q=`` — the minimal view of issue 6 (d): the same engine query as the
  search page (``shoka.opac.catalogue.search`` with the page's default request: 20 hits and
  facet counts), answered as a few bytes of JSON, no template. The page's throughput is
  measured against it.
- ``/bench/new/?category=&page=`` and ``/bench/records/<id>`` — stand-ins for the public
  pages (/new/, /records/<id>) built on the same query layer, for trying the harness while
  the pages are not there (``--paths bench``).
"""

from __future__ import annotations

import html
import json

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.urls import include, path

from shoka.opac import catalogue
from shoka.search.query import QueryError
from shoka.search.service import SearchRequest

PAGE = 50


def search_minimal(request: HttpRequest) -> HttpResponse:
    try:
        response = catalogue.search(SearchRequest(q=request.GET.get("q", "")))
    except QueryError as exc:
        return HttpResponseBadRequest(str(exc))
    body = {"total": response.total, "ids": [hit.id for hit in response.hits]}
    return HttpResponse(json.dumps(body), content_type="application/json")


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1


def new_arrivals(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category") or None
    if category is not None and category not in catalogue.CATEGORY_CODES:
        return HttpResponseBadRequest("unknown category")
    page = _page(request)
    arrivals = catalogue.new_arrivals(category=category, limit=PAGE, offset=(page - 1) * PAGE)
    total = catalogue.count_new_arrivals(category=category)
    rows = "".join(
        f'<li><a href="/records/{a.record.id}">{html.escape(a.record.title)}</a> '
        f"{a.acquired_on.isoformat()}</li>"
        for a in arrivals
    )
    more = (
        f'<a href="?category={category or ""}&amp;page={page + 1}" rel="next">next</a>'
        if page * PAGE < total
        else ""
    )
    return HttpResponse(f"<p>{total}</p><ol>{rows}</ol>{more}")


def record(request: HttpRequest, record_id: int) -> HttpResponse:
    found = catalogue.get_record(record_id)
    if found is None:
        return HttpResponseNotFound("no such record")
    rows = "".join(f"<li>{html.escape(h.branch_name)}: {len(h.items)}</li>" for h in found.holdings)
    title = html.escape(found.record.title)
    return HttpResponse(f"<h1>{title}</h1><p>{found.available}/{found.total}</p><ul>{rows}</ul>")


urlpatterns = [
    path("bench/search", search_minimal),
    path("bench/new/", new_arrivals),
    path("bench/records/<int:record_id>", record),
    path("", include("shoka.opac.urls")),
]
