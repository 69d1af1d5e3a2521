"""The public pages (docs/opac.md). Each view reads and checks its query string, asks
:mod:`shoka.opac.catalogue`, and renders; a bad parameter is a 400 page that says what was
wrong, never a 500. Every page is GET/HEAD only and conditional (``public_cached``: ETag,
Last-Modified, 304). Nothing here touches ``request.session`` or ``request.user``: an
anonymous visitor gets no cookie and no server-side state."""

from __future__ import annotations

import calendar as calendar_module
import functools
import html
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from shoka.admission.config import Policy
from shoka.opac import catalogue
from shoka.opac.api.availability import MEANINGS
from shoka.opac.caching import catalogue_version, public_cached
from shoka.opac.templatetags.opac import byline
from shoka.search.query import QueryError
from shoka.search.service import MAX_OFFSET, SORTS, SearchRequest

from . import availability, labels

PER_PAGE = 20
ARRIVALS_PER_PAGE = 50
ARRIVALS_DAYS = 30
POPULAR_LIMIT = 30
SEARCH_FILTERS = ("availability", "branch", "material_type", "ndc1", "language")
#: The last page a result list links to (shoka.search.service refuses deeper ones).
MAX_PAGE = MAX_OFFSET // PER_PAGE + 1
CALENDAR_BACK = timedelta(days=7)  # published calendar: today-7 … today+120 (contract A1)
CALENDAR_AHEAD = timedelta(days=120)


class BadParameterError(ValueError):
    """A query-string parameter that cannot be used; the message is shown to the visitor."""


def _bad_request(request: HttpRequest, message: str, **context: Any) -> HttpResponse:
    return render(request, "opac/bad_request.html", {"message": message, **context}, status=400)


def _int_param(params: QueryDict, name: str, *, low: int, high: int) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise BadParameterError(
            _("“%(name)s” must be a whole number from %(low)d to %(high)d.")
            % {"name": name, "low": low, "high": high}
        )
    return int(raw)


def _branch_names() -> dict[str, str]:
    english = translation.get_language() == "en"
    return {b.code: (b.name_en or b.name) if english else b.name for b in catalogue.branches()}


def _branch_param(params: QueryDict, names: dict[str, str]) -> str | None:
    code = params.get("branch", "").strip()
    if code and code not in names:
        raise BadParameterError(_("There is no branch with the code “%(code)s”.") % {"code": code})
    return code or None


def _category_param(params: QueryDict) -> str | None:
    category = params.get("category", "").strip()
    if category and category not in dict(catalogue.CATEGORIES):
        raise BadParameterError(_("The category must be an NDC class from 0 to 9."))
    return category or None


def _branches_today() -> list[tuple[Any, Any]]:
    """Each active branch with today's calendar day (None when not published)."""
    found = catalogue.branches()
    today = catalogue.open_today([b.code for b in found])
    return [(b, today.get(b.code)) for b in found]


# --- home ---------------------------------------------------------------------------------
@require_safe
@public_cached()
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sequence, _applied = catalogue_version()
    return render(
        request,
        "opac/home.html",
        {
            "published": sequence > 0,
            "arrivals": catalogue.new_arrivals(days=ARRIVALS_DAYS, limit=8),
            "popular": catalogue.popular(limit=8),
            "branches": _branches_today(),
            "today": today,
            "categories": catalogue.CATEGORIES,
        },
    )


# --- search -------------------------------------------------------------------------------
@dataclass
class FacetLink:
    label: str
    count: int
    href: str
    active: bool


@dataclass
class ActiveFilter:
    title: str
    label: str
    href: str


def _search_request(params: QueryDict) -> SearchRequest:
    filters: dict[str, tuple[str, ...]] = {}
    for name in SEARCH_FILTERS:
        values = tuple(v.strip() for v in params.getlist(name) if v.strip())
        if values:
            filters[name] = values
    sort = params.get("sort", "").strip() or "relevance"
    if sort not in SORTS:
        raise BadParameterError(_("Unknown sort order “%(sort)s”.") % {"sort": sort})
    page = _int_param(params, "page", low=1, high=10**6) or 1
    return SearchRequest(
        q=params.get("q", "").strip()[:500],
        filters=filters,
        year_from=_int_param(params, "year_from", low=0, high=9999),
        year_to=_int_param(params, "year_to", low=0, high=9999),
        sort=sort,  # type: ignore[arg-type]  # checked against SORTS above
        page=page,
        per_page=PER_PAGE,
    )


_CATEGORY_NAMES = dict(catalogue.CATEGORIES)


def _facet_labels(branch_names: dict[str, str]) -> dict[str, dict[str, str]]:
    """{facet: {value: label in the active language}}; a value not in its table is shown
    as it is."""
    ndc = {code: f"{code} {text}".strip() for code, text in labels.texts(_CATEGORY_NAMES).items()}
    ndc["none"] = _("No NDC class")
    return {
        "material_type": labels.texts(labels.MATERIAL_TYPES),
        "language": labels.texts(labels.LANGUAGES),
        "availability": labels.texts(labels.AVAILABILITY),
        "branch": branch_names,
        "ndc1": ndc,
    }


@functools.lru_cache(maxsize=4096)
def _pair(key: str, value: str) -> str:
    """``key=value`` as ``QueryDict.urlencode`` writes it (facet values recur on every page)."""
    return f"{quote_plus(key)}={quote_plus(value)}"


class QueryLinks:
    """Links to the current search with some parameters changed, always without ``page``,
    written as ``QueryDict.copy()`` + changes + ``urlencode()`` would write them (same order
    and encoding) — but each parameter is encoded once per page, not once per link: a result
    page has up to ~150 such links, and copying the QueryDict for each cost more than the
    rest of the page (bench/load (d))."""

    def __init__(self, params: QueryDict) -> None:
        self.lists = {key: list(values) for key, values in params.lists()}
        self._encoded = {key: [_pair(key, v) for v in values] for key, values in self.lists.items()}
        # Without the page: what a link that only adds a new parameter starts with.
        self._kept = "&".join(p for key, ps in self._encoded.items() if key != "page" for p in ps)

    def href(self, **changes: list[str] | None) -> str:
        """``?query`` with each named parameter set to its list of values (None: removed);
        a parameter not set before goes last, as ``QueryDict.setlist`` puts it."""
        changes = {"page": None, **changes}
        parts: list[str] = []
        for key, encoded in self._encoded.items():
            if key not in changes:
                parts.extend(encoded)
            elif (values := changes[key]) is not None:
                parts.extend(_pair(key, v) for v in values)
        for key, values in changes.items():
            if key not in self._encoded and values is not None:
                parts.extend(_pair(key, v) for v in values)
        return "?" + "&".join(parts)

    def without(self, key: str, value: str) -> str:
        return self.href(**{key: [v for v in self.lists.get(key, []) if v != value]})

    def toggle(self, key: str, value: str) -> str:
        values = self.lists.get(key)
        if not values:  # (the usual case: a facet not yet chosen) added at the end
            return f"?{self._kept}&{_pair(key, value)}" if self._kept else f"?{_pair(key, value)}"
        return self.href(
            **{key: [v for v in values if v != value] if value in values else [*values, value]}
        )

    def last(self, key: str) -> str | None:
        values = self.lists.get(key)
        return values[-1] if values else None

    def decade(self, decade: int) -> tuple[str, bool]:
        start, end = str(decade), str(decade + 9)
        if (self.last("year_from"), self.last("year_to")) == (start, end):
            return self.href(year_from=None, year_to=None), True
        return self.href(year_from=[start], year_to=[end]), False


def _facets(
    links_to: QueryLinks, facets: dict[str, list[Any]], facet_labels: dict[str, dict[str, str]]
) -> list[tuple[str, list[FacetLink]]]:
    out = []
    titles = labels.texts(labels.FACET_TITLES)
    decades = _("%(start)d–%(end)d")
    for name in labels.FACET_ORDER:
        links = []
        for facet in facets.get(name, []):
            if name == "year":
                if not facet.value[:-1].isdigit():
                    continue
                decade = int(facet.value[:-1])
                href, active = links_to.decade(decade)
                text = decades % {"start": decade, "end": decade + 9}
            else:
                active = facet.value in links_to.lists.get(name, ())
                href = links_to.toggle(name, facet.value)
                text = facet_labels.get(name, {}).get(facet.value, facet.value)
            links.append(FacetLink(text, facet.count, href, active))
        if links:
            out.append((titles[name], links))
    return out


def _escape(text: Any) -> str:
    """``django.utils.html.escape`` without its laziness check (the same characters, the
    same entities): the result list escapes a few hundred strings."""
    return html.escape(str(text))


def _facets_html(facets: list[tuple[str, list[FacetLink]]]) -> SafeString:
    """The facet lists as HTML. Built here rather than in the template: a search page shows
    up to ~140 facet links, and rendering them through template tags cost more than the
    search itself (bench/load (d))."""
    parts = []
    for title, links in facets:
        parts.append(f"<h3>{_escape(title)}</h3><ul>")
        for link in links:
            current = ' aria-current="true"' if link.active else ""
            parts.append(
                f'<li><a href="{_escape(link.href)}"{current} rel="nofollow">{_escape(link.label)}'
                f'</a> <span class="muted">({int(link.count)})</span></li>'
            )
        parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped


@functools.lru_cache(maxsize=8)
def _record_url(_prefix: str, _urlconf: str | None) -> str:
    """A record page's address without the id (for the script prefix and URLconf given)."""
    return reverse("opac-record", args=[0]).removesuffix("0")


def _hits_html(hits: list[tuple[Any, list[tuple[str, str, str]]]]) -> SafeString:
    """The result list's items as HTML, for the same reason as :func:`_facets_html`: twenty
    hits with their branches through template tags cost several times the search."""
    record_url = _record_url(get_script_prefix(), get_urlconf())
    no_copies = _escape(_("No copies"))
    by_branch = _escape(_("Availability by branch"))
    parts = []
    # A page's hits share a few (branch, state) pairs: each is written once.
    branch_items: dict[tuple[str, str, str], str] = {}
    for hit, branches in hits:
        f = hit.fields
        parts.append(
            f'<li>\n    <a class="title" href="{record_url}{int(hit.id)}">{_escape(f["title"])}</a>'
        )
        if f.get("title_reading"):
            reading = _escape(f["title_reading"])
            parts.append(f'\n    <div class="reading" lang="ja">{reading}</div>')
        parts.append(f"\n    <div>{_escape(byline(f))}</div>\n    ")
        if branches:
            items = ""
            for branch in branches:
                item = branch_items.get(branch)
                if item is None:
                    name, state, css = (_escape(text) for text in branch)
                    item = branch_items[branch] = (
                        f'\n      <li>{name}: <span class="status {css}">{state}</span></li>'
                    )
                items += item
            parts.append(f'<ul class="branches" aria-label="{by_branch}">{items}\n    </ul>')
        else:
            parts.append(f'<div class="muted">{no_copies}</div>')
        parts.append("\n  </li>")
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped


def _pages_html(pages: list[tuple[int | None, str]], current: int) -> SafeString:
    """The pagination's items (for the same reason as :func:`_facets_html`)."""
    parts = []
    for number, href in pages:
        if number is None:
            parts.append('<li><span aria-hidden="true">…</span></li>')
        elif number == current:
            parts.append(f'<li><span aria-current="page">{number}</span></li>')
        else:
            parts.append(f'<li><a href="{_escape(href)}">{number}</a></li>')
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped


def _sort_hidden_html(links_to: QueryLinks) -> SafeString:
    """The current search's parameters but the sort order and page, for the re-sort form."""
    return mark_safe(  # noqa: S308 — every value is escaped
        "".join(
            f'<input type="hidden" name="{_escape(key)}" value="{_escape(value)}">'
            for key, values in links_to.lists.items()
            if key not in ("sort", "page")
            for value in values
        )
    )


def _sort_options_html(current: str) -> SafeString:
    return mark_safe(  # noqa: S308 — every value is escaped
        "".join(
            f'<option value="{_escape(key)}"{" selected" if key == current else ""}>'
            f"{_escape(text)}</option>"
            for key, text in labels.texts(labels.SORTS).items()
        )
    )


def _active_filters(
    links_to: QueryLinks, request: SearchRequest, facet_labels: dict[str, dict[str, str]]
) -> list[ActiveFilter]:
    out = []
    for name, values in request.filters.items():
        for value in values:
            out.append(
                ActiveFilter(
                    str(labels.FACET_TITLES[name]),
                    facet_labels.get(name, {}).get(value, value),
                    links_to.without(name, value),
                )
            )
    if request.year_from is not None or request.year_to is not None:
        span = f"{request.year_from or ''}–{request.year_to or ''}"
        href = links_to.href(year_from=None, year_to=None)
        out.append(ActiveFilter(str(labels.FACET_TITLES["year"]), span, href))
    return out


def _pages(links_to: QueryLinks, page: int, last: int) -> list[tuple[int | None, str]]:
    """Page numbers around the current one, with None for a gap."""
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    out: list[tuple[int | None, str]] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            out.append((None, ""))
        out.append((number, links_to.href(page=[str(number)])))
        previous = number
    return out


@require_safe
@public_cached()
def search(request: HttpRequest) -> HttpResponse:
    params = request.GET
    search_q = params.get("q", "")
    context: dict[str, Any] = {
        "search_q": search_q,
        # The title and the count are written here, not with {% blocktranslate %}, which
        # costs several times a plain variable.
        "title": mark_safe(_("Search: %(q)s") % {"q": _escape(search_q)})  # noqa: S308 — escaped
        if search_q
        else _("Search"),
        # Given, not left missing: a missing variable costs the template engine an exception.
        "unpublished": False,
        "error": "",
        "too_deep": False,
    }
    sequence, _applied = catalogue_version()
    if sequence == 0:
        return render(request, "opac/search.html", {**context, "unpublished": True})
    try:
        search_request = _search_request(params)
    except BadParameterError as exc:
        return render(request, "opac/search.html", {**context, "error": str(exc)}, status=400)
    if (search_request.page - 1) * PER_PAGE > MAX_OFFSET:
        return render(
            request,
            "opac/search.html",
            {**context, "too_deep": True, "max_page": MAX_PAGE},
            status=400,
        )
    try:
        response = catalogue.search(search_request)
    except QueryError as exc:
        return render(request, "opac/search.html", {**context, "error": str(exc)}, status=400)
    branch_names = _branch_names()
    order = {code: n for n, code in enumerate(branch_names)}
    per_record = availability.from_hits(response.hits)
    last = min(MAX_PAGE, max(1, -(-response.total // PER_PAGE)))
    page = response.page
    first, last_shown = (page - 1) * PER_PAGE + 1, min(response.total, page * PER_PAGE)
    links_to = QueryLinks(params)
    facet_labels = _facet_labels(branch_names)
    states = labels.texts(labels.BRANCH_AVAILABILITY)
    context.update(
        response=response,
        hits_html=_hits_html(
            [
                (hit, _hit_branches(per_record.get(hit.id, {}), order, branch_names, states))
                for hit in response.hits
            ]
        ),
        facets_html=_facets_html(_facets(links_to, response.facets, facet_labels)),
        active_filters=_active_filters(links_to, search_request, facet_labels),
        first=first,
        found=ngettext(
            "%(counter)s record found",
            "%(counter)s records found, showing %(first)s–%(last)s",
            response.total,
        )
        % {"counter": response.total, "first": first, "last": last_shown},
        pages_html=_pages_html(_pages(links_to, page, last), page) if last > 1 else "",
        sort_hidden_html=_sort_hidden_html(links_to),
        sort_options_html=_sort_options_html(params.get("sort", "relevance")),
        page=page,
        last_page=last,
        capped=response.total > MAX_PAGE * PER_PAGE,
    )
    return render(request, "opac/search.html", context)


def _hit_branches(
    availability: dict[str, tuple[str, str]],
    branch_order: dict[str, int],
    names: dict[str, str],
    states: dict[str, str],
) -> list[tuple[str, str, str]]:
    """(branch name, availability label, CSS class) per branch holding the title."""
    return [
        (names.get(code, published), states.get(value, value), f"avail-{value}")
        for code, (published, value) in sorted(
            availability.items(), key=lambda kv: (branch_order.get(kv[0], 1_000_000), kv[0])
        )
    ]


# --- record -------------------------------------------------------------------------------
@require_safe
@public_cached()
def record(request: HttpRequest, record_id: int) -> HttpResponse:
    found = catalogue.get_record(record_id)
    if found is None:
        return not_found(request, None)
    english = translation.get_language() == "en"
    holdings = []
    for group in found.holdings:
        name = group.branch_name
        if english and group.branch is not None and group.branch.name_en:
            name = group.branch.name_en
        items = [
            {
                "item": item,
                "status": labels.label(catalogue.STATUS_LABELS, item.status),
                "due_on": item.due_on if item.status == "on_loan" else None,
            }
            for item in group.items
        ]
        holdings.append({"code": group.branch_code, "name": name, "items": items})
    rec = found.record
    return render(
        request,
        "opac/record.html",
        {
            "page": found,
            "record": rec,
            "holdings": holdings,
            "material_type": labels.label(labels.MATERIAL_TYPES, rec.material_type),
            "language": labels.label(labels.LANGUAGES, rec.language),
            "category": dict(catalogue.CATEGORIES).get(rec.ndc[:1], "") if rec.ndc else "",
        },
    )


def not_found(request: HttpRequest, exception: Exception | None) -> HttpResponse:
    """The OPAC's 404 page (also ``handler404``)."""
    return render(request, "opac/404.html", status=404)


# --- new arrivals and popular -------------------------------------------------------------
def _listing_filters(params: QueryDict) -> tuple[dict[str, str], str | None, str | None]:
    names = _branch_names()
    return names, _branch_param(params, names), _category_param(params)


@require_safe
@public_cached()
def new_arrivals(request: HttpRequest) -> HttpResponse:
    params = request.GET
    try:
        names, branch, category = _listing_filters(params)
        page = _int_param(params, "page", low=1, high=10**6) or 1
    except BadParameterError as exc:
        return _bad_request(request, str(exc))
    total = catalogue.count_new_arrivals(branch=branch, category=category, days=ARRIVALS_DAYS)
    last = max(1, -(-total // ARRIVALS_PER_PAGE))
    if page > last:
        raise Http404
    arrivals = catalogue.new_arrivals(
        branch=branch,
        category=category,
        days=ARRIVALS_DAYS,
        limit=ARRIVALS_PER_PAGE,
        offset=(page - 1) * ARRIVALS_PER_PAGE,
    )
    order = {code: n for n, code in enumerate(names)}
    groups = [
        (
            day,
            [
                (
                    a,
                    [
                        names.get(c, c)
                        for c in sorted(a.branches, key=lambda c: order.get(c, len(order)))
                    ],
                )
                for a in group
            ],
        )
        for day, group in itertools.groupby(arrivals, key=lambda a: a.acquired_on)
    ]
    feed = QueryDict(mutable=True)
    if branch:
        feed["branch"] = branch
    if category:
        feed["category"] = category
    feed_url = "/feeds/new-arrivals.atom" + ("?" + feed.urlencode() if feed else "")
    return render(
        request,
        "opac/new_arrivals.html",
        {
            "groups": groups,
            "total": total,
            "days": ARRIVALS_DAYS,
            "branch": branch,
            "branch_name": names.get(branch or "", ""),
            "category": category,
            "category_name": dict(catalogue.CATEGORIES).get(category or "", ""),
            "branches": names,
            "categories": catalogue.CATEGORIES,
            "feed_url": feed_url,
            "pages": _pages(QueryLinks(params), page, last) if last > 1 else [],
            "page": page,
        },
    )


@require_safe
@public_cached()
def popular(request: HttpRequest) -> HttpResponse:
    try:
        names, branch, category = _listing_filters(request.GET)
    except BadParameterError as exc:
        return _bad_request(request, str(exc))
    return render(
        request,
        "opac/popular.html",
        {
            "records": catalogue.popular(branch=branch, category=category, limit=POPULAR_LIMIT),
            "branch": branch,
            "branch_name": names.get(branch or "", ""),
            "category": category,
            "category_name": dict(catalogue.CATEGORIES).get(category or "", ""),
            "branches": names,
            "categories": catalogue.CATEGORIES,
        },
    )


# --- branches -----------------------------------------------------------------------------
def _hours(branch: Any) -> list[tuple[str, list[str] | None]]:
    hours = list(branch.hours or [])
    hours += [None] * (7 - len(hours))
    return [(str(labels.WEEKDAYS[i]), hours[i]) for i in range(7)]


@require_safe
@public_cached()
def branches(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "opac/branches.html",
        {"branches": [(b, day, _hours(b)) for b, day in _branches_today()], "today": today},
    )


@dataclass
class CalendarCell:
    day: date
    open: bool | None  # None: not published for that date
    hours: str  # opening hours when they differ from the weekday's usual ones, else ""
    closure: str
    reason: str
    today: bool


def _special_hours(entry: Any, usual: list[str] | None) -> str:
    if entry is None or not entry.is_open or entry.opens is None or entry.closes is None:
        return ""
    opens, closes = entry.opens.strftime("%H:%M"), entry.closes.strftime("%H:%M")
    return "" if usual and [opens, closes] == list(usual) else f"{opens}–{closes}"


def _month_param(params: QueryDict, today: date) -> date:
    raw = params.get("month", "").strip()
    if not raw:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise BadParameterError(
            _("The month must be written YYYY-MM, for example %(example)s.")
            % {"example": today.strftime("%Y-%m")}
        ) from None


def _shift_month(month: date, delta: int) -> date:
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


@require_safe
@public_cached()
def branch(request: HttpRequest, code: str) -> HttpResponse:
    found = catalogue.get_branch(code)
    if found is None:
        return not_found(request, None)
    today = timezone.localdate()
    try:
        month = _month_param(request.GET, today)
    except BadParameterError as exc:
        return _bad_request(request, str(exc))
    last_day = calendar_module.monthrange(month.year, month.month)[1]
    month_end = month.replace(day=last_day)
    days = {d.date: d for d in catalogue.calendar(code, month, month_end)}
    usual = [span for _weekday, span in _hours(found)]
    # Sunday first, as Japanese library calendars are printed.
    weeks = []
    for week in calendar_module.Calendar(firstweekday=6).monthdatescalendar(
        month.year, month.month
    ):
        row: list[CalendarCell | None] = []
        for day in week:
            if day.month != month.month:
                row.append(None)
                continue
            entry = days.get(day)
            row.append(
                CalendarCell(
                    day=day,
                    open=None if entry is None else bool(entry.is_open),
                    hours=_special_hours(entry, usual[day.weekday()]),
                    closure=getattr(entry, "closure", "") or "",
                    reason=getattr(entry, "reason", "") or "",
                    today=day == today,
                )
            )
        weeks.append(row)
    closed_days = [d for d in sorted(days.values(), key=lambda d: d.date) if not d.is_open]
    previous_month, next_month = _shift_month(month, -1), _shift_month(month, 1)
    first_published, last_published = today - CALENDAR_BACK, today + CALENDAR_AHEAD
    weekday_order = [6, 0, 1, 2, 3, 4, 5]
    return render(
        request,
        "opac/branch.html",
        {
            "branch": found,
            "branch_name": (found.name_en or found.name)
            if translation.get_language() == "en"
            else found.name,
            "hours": _hours(found),
            "month": month,
            "weeks": weeks,
            "weekdays": [
                (str(labels.WEEKDAYS_SHORT[i]), str(labels.WEEKDAYS[i])) for i in weekday_order
            ],
            "closed_days": closed_days,
            "previous_month": previous_month
            if _shift_month(previous_month, 1) - timedelta(days=1) >= first_published
            else None,
            "next_month": next_month if next_month <= last_published else None,
            "published": bool(days),
            "today": today,
        },
    )


# --- developers ---------------------------------------------------------------------------
@require_safe
@public_cached(max_age=3600)
def developers(request: HttpRequest) -> HttpResponse:
    # The policy this process enforces (shoka.admission.middleware reads the same setting).
    policy: Policy = getattr(settings, "SHOKA_ADMISSION", None) or Policy()
    return render(
        request,
        "opac/developers.html",
        {
            "policy": policy,
            "base": request.build_absolute_uri("/").rstrip("/"),
            # One source for the words' meanings: the availability policy itself.
            "availability_terms": [(str(word), meaning) for word, meaning in MEANINGS.items()],
        },
    )
