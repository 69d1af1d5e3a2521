"""Searching the catalogue: query → tantivy → ranked page of display fields, with facets.

Ranking is BM25 with field weights (``engine.TEXT_FIELDS``): for each query word the best
matching field counts (a disjunction-max with a small tie-breaker), every word must match,
and a query that equals a record's whole title or reading, or its title proper, gets a
large boost so that known-item searches put the wanted book first.

The service reads only the index (no database), so the staff and public sites share it.
One ``SearchService`` per index directory and process (:func:`get_service`); tantivy
reloads its searcher when the index writer commits.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import tantivy

from . import analysis
from .engine import FACET_NAMES, TEXT_FIELDS, open_index
from .query import Clause, QueryError, parse

__all__ = [
    "FacetCount",
    "Hit",
    "QueryError",
    "SearchRequest",
    "SearchResponse",
    "SearchService",
    "get_service",
]

Sort = Literal["relevance", "newest", "title"]
SORTS: tuple[str, ...] = ("relevance", "newest", "title")
MAX_PER_PAGE = 100
MAX_OFFSET = 10_000  # deep paging is for crawlers: they get the bulk dumps instead

FIELD_GROUPS: dict[str | None, tuple[str, ...]] = {
    None: tuple(TEXT_FIELDS),
    "title": ("title", "reading", "alt"),
    "author": ("author", "author_reading"),
    "publisher": ("publisher",),
    "subject": ("subject",),
    "series": ("alt",),
}
EXACT_TITLE_BOOST = 40.0
EXACT_READING_BOOST = 30.0
TIE_BREAKER = 0.1
_NDC_RE = re.compile(r"^\d{1,3}(?:\.\d+)?$")
#: One terms aggregation over the multi-valued ``facet`` field counts every facet at once.
FACET_AGGREGATION: dict[str, Any] = {"facet": {"terms": {"field": "facet", "size": 5000}}}
FACET_SIZES = {
    "material_type": 20,
    "language": 20,
    "ndc1": 11,
    "branch": 50,
    "availability": 10,
    "year": 30,
}


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    fields: dict[str, Any]


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass
class SearchResponse:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    took_ms: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class SearchService:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.index = open_index(path)
        self.schema = self.index.schema

    # --- query building -----------------------------------------------------------------
    def _match(self, name: str, tokens: list[str], *, fielded: bool) -> tantivy.Query:
        if len(tokens) > 1:
            return tantivy.Query.phrase_query(
                self.schema, name, list[str | tuple[int, str]](tokens)
            )
        token = tokens[0]
        query = tantivy.Query.term_query(self.schema, name, token)
        if fielded and len(token) == 1 and analysis.is_cjk(token):
            # A lone CJK character is a unigram only where it stands alone; elsewhere it is
            # inside bigrams. (Unfielded queries use the `chars` field instead.)
            char = re.escape(token)
            regex = tantivy.Query.regex_query(self.schema, name, f"{char}.|.{char}")
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, query), (tantivy.Occur.Should, regex)]
            )
        return query

    def _clause(self, clause: Clause) -> tantivy.Query | None:
        q = tantivy.Query
        if clause.years is not None:
            lo, hi = clause.years
            return q.range_query(self.schema, "year", tantivy.FieldType.Integer, lo, hi)
        if clause.field in ("isbn", "jpno"):
            terms = analysis.isbn_terms(clause.text) or {re.sub(r"\D", "", clause.text)}
            return q.term_set_query(self.schema, "ids", sorted(t for t in terms if t))
        if clause.field == "ndc":
            return q.term_query(self.schema, "ndc", clause.text.strip())
        tokens = analysis.tokens(clause.text)
        alternatives: list[tantivy.Query] = []
        if tokens:
            fielded = clause.field is not None
            subs = [
                q.boost_query(self._match(name, tokens, fielded=fielded), TEXT_FIELDS[name])
                for name in FIELD_GROUPS[clause.field]
            ]
            if (
                not fielded
                and len(tokens) == 1
                and len(tokens[0]) == 1
                and analysis.is_cjk(tokens[0])
            ):
                subs.append(q.term_query(self.schema, "chars", tokens[0]))
            alternatives.append(
                subs[0] if len(subs) == 1 else q.disjunction_max_query(subs, TIE_BREAKER)
            )
        if clause.field is None:
            isbns = analysis.isbn_terms(clause.text)
            if isbns:
                alternatives.append(
                    q.boost_query(q.term_set_query(self.schema, "ids", sorted(isbns)), 50.0)
                )
            if _NDC_RE.match(clause.text):
                alternatives.append(q.term_query(self.schema, "ndc", clause.text))
        if not alternatives:
            return None
        if len(alternatives) == 1:
            return alternatives[0]
        return q.boolean_query([(tantivy.Occur.Should, a) for a in alternatives])

    def build_query(self, request: SearchRequest) -> tantivy.Query:
        q = tantivy.Query
        clauses = parse(request.q)
        parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
        exact_words: list[str] = []
        for clause in clauses:
            built = self._clause(clause)
            if built is None:
                continue
            occur = tantivy.Occur.MustNot if clause.negated else tantivy.Occur.Must
            parts.append((occur, built))
            if not clause.negated and clause.field in (None, "title"):
                exact_words.append(clause.text)
        key = analysis.exact_key(" ".join(exact_words))
        if key:
            parts.append(
                (
                    tantivy.Occur.Should,
                    q.boost_query(q.term_query(self.schema, "title_key", key), EXACT_TITLE_BOOST),
                )
            )
            parts.append(
                (
                    tantivy.Occur.Should,
                    q.boost_query(
                        q.term_query(self.schema, "reading_key", key), EXACT_READING_BOOST
                    ),
                )
            )
        for name, values in sorted(request.filters.items()):
            if name not in FACET_NAMES:
                raise QueryError(f"unknown filter {name!r} (one of {', '.join(FACET_NAMES)})")
            if values:
                terms = sorted(f"{name}:{v}" for v in values)
                parts.append((tantivy.Occur.Must, q.term_set_query(self.schema, "facet", terms)))
        if request.year_from is not None or request.year_to is not None:
            parts.append(
                (
                    tantivy.Occur.Must,
                    q.range_query(
                        self.schema,
                        "year",
                        tantivy.FieldType.Integer,
                        request.year_from,
                        request.year_to,
                    ),
                )
            )
        if not any(occur == tantivy.Occur.Must for occur, _ in parts):
            if clauses and not any(c.negated for c in clauses):
                return q.empty_query()  # words that analyse to nothing (only punctuation)
            parts.append((tantivy.Occur.Must, q.all_query()))
        return q.boolean_query(parts)

    # --- searching ----------------------------------------------------------------------
    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query
    ) -> dict[str, list[FacetCount]]:
        buckets = searcher.aggregate(query, FACET_AGGREGATION)["facet"]["buckets"]
        counts: dict[str, Counter[str]] = {name: Counter() for name in FACET_NAMES}
        for bucket in buckets:
            name, _, value = str(bucket["key"]).partition(":")
            if name in counts:
                counts[name][value] += int(bucket["doc_count"])
        return _limited(counts)

    def search(self, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        if request.sort not in SORTS:
            raise QueryError(f"unknown sort {request.sort!r} (one of {', '.join(SORTS)})")
        per_page = max(1, min(request.per_page, MAX_PER_PAGE))
        page = max(1, request.page)
        offset = (page - 1) * per_page
        if offset > MAX_OFFSET:
            raise QueryError(f"page {page} is too deep; narrow the search or use the bulk data")
        query = self.build_query(request)
        searcher = self.index.searcher()
        if request.sort == "relevance":
            result = searcher.search(query, per_page, count=True, offset=offset)
        else:
            order_field = "sort_new" if request.sort == "newest" else "sort_reading"
            order = tantivy.Order.Desc if request.sort == "newest" else tantivy.Order.Asc
            result = searcher.search(
                query, per_page, count=True, offset=offset, order_by_field=order_field, order=order
            )
        hits = []
        for key, address in result.hits:
            payload = json.loads(searcher.doc(address)["payload"][0].decode())
            score = float(key) if request.sort == "relevance" else 0.0
            hits.append(Hit(id=int(payload["id"]), score=score, fields=payload))
        facets: dict[str, list[FacetCount]] = {}
        total = int(getattr(result, "count", 0) or 0)
        if request.facets:
            if offset == 0 and total <= len(hits):
                facets = facets_of([h.fields for h in hits])  # the page is the whole result
            else:
                facets = self._facets(searcher, query)
        return SearchResponse(
            total=total,
            page=page,
            per_page=per_page,
            hits=hits,
            facets=facets,
            took_ms=round((time.perf_counter() - started) * 1000, 3),
        )


def _limited(counts: dict[str, Counter[str]]) -> dict[str, list[FacetCount]]:
    """Most frequent first, then by value (decades newest first), each facet cut to its
    size: the same result whichever way the counts were made."""
    out: dict[str, list[FacetCount]] = {}
    for name, size in FACET_SIZES.items():
        pairs = [(v, c) for v, c in counts[name].items() if c]
        if name == "year":
            pairs.sort(key=lambda vc: vc[0], reverse=True)
        else:
            pairs.sort(key=lambda vc: (-vc[1], vc[0]))
        out[name] = [FacetCount(v, c) for v, c in pairs[:size]]
    return out


def facets_of(payloads: list[dict[str, Any]]) -> dict[str, list[FacetCount]]:
    """Facet counts computed from the display fields of every hit (when the page holds the
    whole result, this is cheaper than asking tantivy to aggregate)."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACET_NAMES}
    for p in payloads:
        for name, values in p["facets"].items():
            counts[name].update(values)
    return _limited(counts)


_services: dict[Path, SearchService] = {}
_lock = threading.Lock()


def get_service(path: Path | None = None) -> SearchService:
    """The process-wide service for an index directory (default: the staff index)."""
    if path is None:
        from .indexer import index_path

        path = index_path()
    with _lock:
        service = _services.get(path)
        if service is None:
            service = _services[path] = SearchService(path)
        return service


def forget_services() -> None:
    """Drop cached services (after a rebuild into a new directory, and in tests)."""
    with _lock:
        _services.clear()
