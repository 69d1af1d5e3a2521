"""The tantivy index: its schema, and the document made for one bibliographic record.

Analysis happens in Python (:mod:`shoka.search.analysis`); tantivy receives each text field
as analysed tokens joined by single spaces and splits them with its ``whitespace``
tokenizer, so token order is position order and phrase queries work on bigrams. Facet and
filter values (material type, language, NDC first digit, branch, availability, decade)
share one raw, fast, multi-valued field; the page of display fields is a stored JSON
payload, so a search needs no database round trip.

The index is derived data. Its schema carries a version (``SCHEMA_VERSION``); an index
made by another version is refused on open and must be rebuilt (``shoka index rebuild``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from shoka.catalogue.isbn import stored_isbn_variants

from . import analysis

SCHEMA_VERSION = 3
META_FILE = "shoka-index.json"

#: Text fields searched by default, with their BM25 boosts. The title counts most, then
#: its reading and the people responsible; publisher and subjects help disambiguate.
TEXT_FIELDS: dict[str, float] = {
    "title": 10.0,
    "reading": 7.0,
    "author": 5.0,
    "author_reading": 4.0,
    "alt": 3.0,
    "subject": 2.0,
    "publisher": 1.0,
}
#: Facets: each record's values are indexed in one multi-valued field as ``name:value``
#: (``branch:main``, ``year:1990s``), so one aggregation counts them all.
FACET_NAMES = ("material_type", "language", "ndc1", "branch", "availability", "year")


class SearchIndexError(RuntimeError):
    """The index cannot be opened or used (missing, another schema version, locked)."""


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    sb.add_integer_field("fp", stored=False, indexed=False, fast=True)
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace")
    # Identifiers: ISBN-13 and ISBN-10 (compact), JPNO; NDC with its prefixes (913.6 → 9,
    # 91, 913, 913.6); exact keys of title and reading for the known-item boost.
    sb.add_text_field("ids", tokenizer_name="whitespace", index_option="basic")
    # Every CJK character of the searchable text once, for one-character queries (猫, 海):
    # elsewhere CJK text is indexed as bigrams only.
    sb.add_text_field("chars", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("ndc", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("title_key", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("reading_key", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("facet", tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_integer_field("sort_reading", fast=True)
    sb.add_integer_field("sort_new", fast=True)
    sb.add_bytes_field("payload", stored=True, indexed=False)
    return sb.build()


@dataclass(frozen=True)
class ItemFacts:
    """What the index needs of one copy: where it lives and whether it can be had."""

    branch: str
    status: str
    loanable: bool


@dataclass(frozen=True)
class IndexRecord:
    """Everything indexed for one bib (gathered from the database by the indexer, or from a
    published changeset on the public side)."""

    id: int
    title: str
    title_reading: str = ""
    title_romanized: str = ""
    responsibility: str = ""
    authors: Sequence[tuple[str, str]] = ()  # (name, reading)
    publisher: str = ""
    publisher_reading: str = ""
    year: int | None = None
    isbns: Sequence[str] = ()  # ISBN-13, compact
    jpno: str = ""
    ndc: str = ""
    subjects: Sequence[str] = ()
    subject_readings: Sequence[str] = ()
    other_titles: Sequence[tuple[str, str]] = ()
    series: str = ""
    series_reading: str = ""
    volume: str = ""
    material_type: str = "book"
    language: str = "jpn"
    items: Sequence[ItemFacts] = field(default_factory=tuple)


def _join(values: Iterable[str]) -> str:
    return " ".join(t for v in values if v for t in analysis.tokens(v))


LENT = frozenset({"on_loan", "in_transit", "on_hold_shelf"})


def copies_state(copies: Iterable[tuple[str, bool]]) -> str:
    """One availability value (the facet's vocabulary) for copies given as (status,
    loanable): 貸出可 (a lendable copy on the shelf), 館内のみ (only copies not lent on the
    shelf), 貸出中 (lendable copies out, in transit or on the hold shelf), or neither."""
    copies = list(copies)
    if any(status == "available" and loanable for status, loanable in copies):
        return "available"
    if any(status == "available" for status, _loanable in copies):
        return "library_use_only"
    if any(status in LENT and loanable for status, loanable in copies):
        return "on_loan"
    return "unavailable"


def availability(items: Sequence[ItemFacts]) -> str:
    """One value per bib for the availability facet ("none": no copies)."""
    if not items:
        return "none"
    return copies_state((i.status, i.loanable) for i in items)


def branch_availability(items: Sequence[ItemFacts]) -> dict[str, str]:
    """{branch code: availability} of a title's copies that are not withdrawn: what a result
    list shows per branch, kept in the index so that a result page needs no database."""
    copies: dict[str, list[tuple[str, bool]]] = {}
    for item in items:
        if item.status != "withdrawn":
            copies.setdefault(item.branch, []).append((item.status, item.loanable))
    return {branch: copies_state(at) for branch, at in sorted(copies.items())}


def _ndc_terms(ndc: str) -> list[str]:
    ndc = ndc.strip()
    if not ndc:
        return []
    digits = ndc.replace(".", "")
    terms = {ndc}
    terms.update(digits[:n] for n in range(1, min(len(digits), 3) + 1))
    return sorted(terms)


def _title_keys(text: str) -> list[str]:
    """Exact keys of the whole title and of the title proper (before `` : ``)."""
    keys = {analysis.exact_key(text)}
    proper = text.split(" : ", 1)[0].split(" = ", 1)[0]
    keys.add(analysis.exact_key(proper))
    return sorted(k for k in keys if k)


def facet_values(rec: IndexRecord) -> dict[str, list[str]]:
    """The record's value(s) for each facet."""
    ndc1 = rec.ndc[:1]
    return {
        "material_type": [rec.material_type],
        "language": [rec.language],
        "ndc1": [ndc1 if ndc1.isdigit() else "none"],
        "branch": sorted({i.branch for i in rec.items if i.status != "withdrawn"}),
        "availability": [availability(rec.items)],
        "year": [f"{rec.year // 10 * 10}s"] if rec.year is not None else [],
    }


def payload(rec: IndexRecord, facets: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The display fields of a result list entry (no database needed to show a page)."""
    return {
        "id": rec.id,
        "title": rec.title,
        "title_reading": rec.title_reading,
        "responsibility": rec.responsibility,
        "authors": [name for name, _ in rec.authors],
        "author_readings": [reading for _, reading in rec.authors],
        "publisher": rec.publisher,
        "year": rec.year,
        "isbn": rec.isbns[0] if rec.isbns else "",
        "ndc": rec.ndc,
        "material_type": rec.material_type,
        "language": rec.language,
        "availability": availability(rec.items),
        "branch_availability": branch_availability(rec.items),
        "items": len(rec.items),
        "facets": facets if facets is not None else facet_values(rec),
    }


# One encoder each, made once: json.dumps with options builds a new encoder on every call
# (a tenth of the index writer's time went to that and to encoding).
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_PAYLOAD_JSON = json.JSONEncoder(ensure_ascii=False)


def fingerprint(rec: IndexRecord) -> int:
    """A 63-bit digest of everything indexed, to find stale documents (``shoka index check``)."""
    blob = _COMPACT_JSON.encode(
        [
            rec.id,
            rec.title,
            rec.title_reading,
            rec.title_romanized,
            rec.responsibility,
            list(rec.authors),
            rec.publisher,
            rec.publisher_reading,
            rec.year,
            list(rec.isbns),
            rec.jpno,
            rec.ndc,
            list(rec.subjects),
            list(rec.subject_readings),
            list(rec.other_titles),
            rec.series,
            rec.series_reading,
            rec.volume,
            rec.material_type,
            rec.language,
            sorted((i.branch, i.status, i.loanable) for i in rec.items),
            SCHEMA_VERSION,
        ]
    ).encode()
    return int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big") >> 1


def make_document(rec: IndexRecord) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_integer("id", rec.id)
    doc.add_integer("fp", fingerprint(rec))
    alt = [rec.title_romanized, rec.series, rec.series_reading, rec.volume]
    for title, reading in rec.other_titles:
        alt += [title, reading]
    texts = {
        "title": _join([rec.title]),
        "reading": _join([rec.title_reading]),
        "author": _join([rec.responsibility, *(n for n, _ in rec.authors)]),
        "author_reading": _join(r for _, r in rec.authors),
        "alt": _join(alt),
        "subject": _join([*rec.subjects, *rec.subject_readings]),
        "publisher": _join([rec.publisher, rec.publisher_reading]),
    }
    chars: set[str] = set()
    for name, text in texts.items():
        doc.add_text(name, text)
        chars |= analysis.cjk_chars(text)
    doc.add_text("chars", " ".join(sorted(chars)))
    ids: set[str] = {rec.jpno} if rec.jpno else set()
    for isbn13 in rec.isbns:
        ids |= stored_isbn_variants(isbn13) or {isbn13}
    doc.add_text("ids", " ".join(sorted(ids)))
    doc.add_text("ndc", " ".join(_ndc_terms(rec.ndc)))
    for key in _title_keys(rec.title):
        doc.add_text("title_key", key)
    for key in _title_keys(rec.title_reading):
        doc.add_text("reading_key", key)
    values = facet_values(rec)
    for name, facet in values.items():
        for value in facet:
            doc.add_text("facet", f"{name}:{value}")
    if rec.year is not None:
        doc.add_integer("year", rec.year)
    doc.add_integer("sort_reading", analysis.reading_sort_key(rec.title_reading or rec.title))
    doc.add_integer("sort_new", (rec.year or 0) * 10_000_000_000 + rec.id)
    doc.add_bytes("payload", _PAYLOAD_JSON.encode(payload(rec, values)).encode())
    return doc


def _check_meta(path: Path) -> None:
    meta_file = path / META_FILE
    try:
        meta = json.loads(meta_file.read_text())
    except (OSError, ValueError) as exc:
        raise SearchIndexError(f"{path} is not a shoka index: run `shoka index rebuild`") from exc
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise SearchIndexError(
            f"{path} was built with index schema {meta.get('schema_version')}, this shoka uses "
            f"{SCHEMA_VERSION}: run `shoka index rebuild`"
        )


def open_index(path: Path, *, create: bool = False, replace: bool = False) -> tantivy.Index:
    """Open the index at ``path``; with ``create``, make an empty one when there is none;
    with ``replace`` (a rebuild), an index of another schema version is removed first."""
    if path.is_dir() and tantivy.Index.exists(str(path)):
        try:
            _check_meta(path)
            return tantivy.Index.open(str(path))
        except SearchIndexError:
            if not replace:
                raise
            shutil.rmtree(path)
    if not create:
        raise SearchIndexError(f"no search index at {path}: run `shoka index rebuild`")
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(build_schema(), path=str(path))
    (path / META_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
    return index
