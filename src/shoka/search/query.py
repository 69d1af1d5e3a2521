"""The search box language, parsed into clauses (pure; no engine here).

    こころ 夏目                 every word must match (AND), in any searchable field
    "harry potter"             a phrase: the words in this order
    title:こころ  author:夏目   a word or "phrase" in one field
    isbn:4-10-101013-X         ISBN-10 or ISBN-13, hyphens or not
    ndc:913                    NDC class and everything below it
    year:2001-2010  year:2001-  year:-1999  year:2019
    -雑誌                      leave out records that match

Field names: ``title`` (書名), ``author`` (著者), ``publisher`` (出版者), ``subject`` (件名),
``series`` (シリーズ), ``isbn``, ``jpno``, ``ndc``, ``year`` (出版年). Full-width input is
folded first (ｔｉｔｌｅ：こころ works). A ``word:`` prefix that is not a field name is text.
Japanese text needs no spaces: a word is matched as a phrase of character bigrams.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

FIELD_ALIASES = {
    "title": "title",
    "書名": "title",
    "タイトル": "title",
    "author": "author",
    "著者": "author",
    "publisher": "publisher",
    "出版者": "publisher",
    "出版社": "publisher",
    "subject": "subject",
    "件名": "subject",
    "series": "series",
    "シリーズ": "series",
    "isbn": "isbn",
    "jpno": "jpno",
    "ndc": "ndc",
    "year": "year",
    "出版年": "year",
}

_TOKEN_RE = re.compile(
    r"""\s*(?P<neg>-(?=\S))?(?:(?P<field>[^\s:"]+):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))"""
)
_YEAR_RE = re.compile(r"^(?P<lo>\d{1,4})?(?P<dash>-)?(?P<hi>\d{1,4})?$")


@dataclass(frozen=True)
class Clause:
    """One part of a query. ``field`` is None for "any field"; ``years`` is set for year
    ranges (either bound may be None)."""

    text: str
    field: str | None = None
    phrase: bool = False
    negated: bool = False
    years: tuple[int | None, int | None] | None = None


class QueryError(ValueError):
    """The query cannot be understood (e.g. ``year:abc``); the message says why."""


def _years(text: str) -> tuple[int | None, int | None]:
    match = _YEAR_RE.match(text)
    if not match or not (match["lo"] or match["hi"]):
        raise QueryError(f"year:{text} — write year:2019, year:2001-2010, year:2001- or year:-1999")
    lo = int(match["lo"]) if match["lo"] else None
    hi = int(match["hi"]) if match["hi"] else None
    if not match["dash"]:
        hi = lo
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi


def parse(query: str) -> list[Clause]:
    """Split a query into clauses. Never raises for text; raises QueryError for a bad
    ``year:`` value."""
    text = unicodedata.normalize("NFKC", query)
    clauses: list[Clause] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None or match.end() == pos:
            pos += 1
            continue
        pos = match.end()
        raw_field = match["field"]
        field = FIELD_ALIASES.get(raw_field.lower()) if raw_field else None
        phrase = match["phrase"] is not None
        value = match["phrase"] if phrase else match["word"]
        if raw_field and field is None:
            value = f"{raw_field}:{value}"  # "http://…", "第1部:…": just text
        negated = match["neg"] is not None
        if value is None or not value.strip():
            continue
        if field == "year":
            clauses.append(Clause(value, "year", negated=negated, years=_years(value.strip())))
            continue
        clauses.append(Clause(value.strip(), field, phrase=phrase, negated=negated))
    return clauses
