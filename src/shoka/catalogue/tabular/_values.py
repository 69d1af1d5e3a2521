"""Cell-level parsing for the tabular (CSV/TSV) importer: years, dates, prices, ISBN lists,
multi-value cells and readings. Every parser returns a value and, on failure, a warning
instead of raising: one bad cell never costs the whole row."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from shoka.catalogue.isbn import parse_isbn
from shoka.catalogue.records import MATERIAL_TYPE_CODES

__all__ = [
    "ESCAPE",
    "MATERIAL_TYPES",
    "join_multi",
    "parse_date",
    "parse_isbns",
    "parse_price",
    "parse_year",
    "split_entries",
    "split_multi",
    "to_katakana",
]

#: The catalogue's material types (``shoka.catalogue.models.MaterialType``), repeated here so
#: that this module stays free of Django.
MATERIAL_TYPES = frozenset(MATERIAL_TYPE_CODES)

ESCAPE = "\\"
_SPECIAL = frozenset({ESCAPE, ";", "|"})

# 元号 (era) → offset to add to the era year: 令和1 = 2019, 平成1 = 1989, 昭和1 = 1926,
# 大正1 = 1912, 明治1 = 1868. Initials as in "R6.4.1" / "H26.8.16".
_ERAS = {
    "令和": 2018,
    "R": 2018,
    "平成": 1988,
    "H": 1988,
    "昭和": 1925,
    "S": 1925,
    "大正": 1911,
    "T": 1911,
    "明治": 1867,
    "M": 1867,
}
_ERA_RE = re.compile(
    r"^(令和|平成|昭和|大正|明治|[RHSTM])\s*(元|\d{1,2})\s*(?:年|[./-])?"
    r"(?:\s*(\d{1,2})\s*(?:月|[./-])?(?:\s*(\d{1,2})\s*日?)?)?",
    re.IGNORECASE,
)
_YMD_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:$|[\sT])")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:$|[\sT])")
_YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_PRICE_NOISE = str.maketrans("", "", "¥￥\\円,，  ")

_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)} | {
    0x309D: 0x30FD,  # ゝ → ヽ
    0x309E: 0x30FE,  # ゞ → ヾ
}


def to_katakana(reading: str) -> str:
    """Return a ヨミ with hiragana turned into katakana (the catalogue stores katakana)."""
    if reading.isascii():
        return reading
    return reading.translate(_HIRAGANA_TO_KATAKANA)


def _era_year(era: str, number: str) -> int:
    key = era if len(era) > 1 else era.upper()
    return _ERAS[key] + (1 if number == "元" else int(number))


def parse_year(text: str) -> tuple[int | None, str | None]:
    """Return ``(year, warning)`` for a publication year cell.

    Accepts ``2001``, ``2001-1``, ``[2001]``, ``c2001``, ``2001年``, ``20010101`` and era forms
    (``平成13年``, ``H13``). An empty cell is ``(None, None)``; anything else that holds no
    plausible year (1000–2999) is ``(None, warning)``.
    """
    if len(text) == 4 and text.isdigit() and text.isascii():  # the common case, fast
        year = int(text)
        return (
            (year, None)
            if 1000 <= year <= 2999
            else (None, f"year {text!r} is not a year; left empty")
        )
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None, None
    era = _ERA_RE.match(text)
    if era is not None:
        return _era_year(era.group(1), era.group(2)), None
    if len(text) == 8 and text.isdigit():
        text = text[:4]
    match = _YEAR_RE.search(text)
    if match is not None and 1000 <= int(match.group(1)) <= 2999:
        return int(match.group(1)), None
    return None, f"year {text!r} is not a year; left empty"


def parse_date(text: str) -> tuple[dt.date | None, str | None]:
    """Return ``(date, warning)`` for a date cell.

    Accepts ``2014-08-16``, ``2014/8/16``, ``2014.8.16``, ``2014年8月16日``, ``20140816``, an
    ISO date-time (the time is dropped) and era forms (``令和6年4月1日``, ``R6.4.1``).
    """
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None, None
    parts: tuple[int, int, int] | None = None
    if (match := _YMD_RE.match(text)) is not None:
        parts = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    elif (match := _COMPACT_DATE_RE.match(text)) is not None:
        parts = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    elif (match := _ERA_RE.match(text)) is not None and match.group(4) and match.end() == len(text):
        year = _era_year(match.group(1), match.group(2))
        parts = (year, int(match.group(3)), int(match.group(4)))
    if parts is not None:
        try:
            return dt.date(*parts), None
        except ValueError:
            pass
    return None, f"date {text!r} is not a date; left empty"


def parse_price(text: str) -> tuple[Decimal | None, str | None]:
    """Return ``(price, warning)``: ``1500``, ``1,500``, ``¥1,500``, ``1500円``, ``１５００``.

    In a CP932 file the yen sign of old systems arrives as a backslash; it is accepted too.
    """
    cleaned = unicodedata.normalize("NFKC", text).translate(_PRICE_NOISE)
    if not cleaned:
        return None, None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None, f"price {text.strip()!r} is not a number; left empty"
    if not value.is_finite() or value < 0:
        return None, f"price {text.strip()!r} is not a number; left empty"
    return value, None


# The plain printed forms (978-4-7949-7075-6, 4794970757) that a check digit decides alone.
_PLAIN_ISBN13_RE = re.compile(r"^97[89](?:-?[0-9]){10}$")
_PLAIN_ISBN10_RE = re.compile(r"^(?:[0-9]-?){9}[0-9X]$")


def _plainly_valid(value: str) -> bool:
    """A fast check for the common, plain ISBN: True only when :func:`parse_isbn` would
    accept ``value`` too (the importer reads tens of thousands of rows a second)."""
    if _PLAIN_ISBN13_RE.match(value):
        digits = value.replace("-", "")
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
        return (10 - total % 10) % 10 == int(digits[12])
    if _PLAIN_ISBN10_RE.match(value):
        digits = value.replace("-", "")
        total = sum((10 - i) * int(d) for i, d in enumerate(digits[:9]))
        check = (11 - total % 11) % 11
        return digits[9] == ("X" if check == 10 else str(check))
    return False


def parse_isbns(values: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """Keep the valid ISBNs (as printed) and return a warning for each invalid one."""
    kept: list[str] = []
    warnings: list[str] = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        if _plainly_valid(value):
            kept.append(value)
            continue
        parsed = parse_isbn(value)
        if parsed.valid:
            kept.append(value)
        else:
            warnings.append(f"invalid ISBN {value!r} left out: {parsed.error}")
    return tuple(kept), warnings


def _scan(cell: str, *, parts: bool) -> list[list[str]]:
    """Split ``cell`` into entries on unescaped ``;`` and, when ``parts``, each entry into
    parts on unescaped ``|``. Escapes: ``\\;``, ``\\|``, ``\\\\``; a backslash before any
    other character is kept as it is."""
    entries: list[list[str]] = []
    fields: list[str] = []
    current: list[str] = []
    chars = iter(cell)
    for char in chars:
        if char == ESCAPE:
            following = next(chars, "")
            current.append(following if following in _SPECIAL else char + following)
        elif char == ";":
            fields.append("".join(current).strip())
            entries.append(fields)
            fields, current = [], []
        elif char == "|" and parts:
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    fields.append("".join(current).strip())
    entries.append(fields)
    return entries


def split_multi(cell: str) -> list[str]:
    """Split a multi-value cell of the shoka layout (``a;b;c``) on unescaped ``;``.

    Entries are stripped; an empty cell is ``[]``. See :func:`_scan` for the escapes.
    """
    if not cell:
        return []
    if ESCAPE not in cell:
        return [part.strip() for part in cell.split(";")]
    return [entry[0] for entry in _scan(cell, parts=False)]


def split_entries(cell: str) -> list[list[str]]:
    """Split a cell of ``name|reading|role`` entries separated by ``;`` into their parts."""
    if not cell:
        return []
    if ESCAPE not in cell:
        return [[part.strip() for part in entry.split("|")] for entry in cell.split(";")]
    return _scan(cell, parts=True)


def _escape(value: str) -> str:
    if not _SPECIAL.intersection(value):
        return value
    return value.replace(ESCAPE, ESCAPE * 2).replace(";", ESCAPE + ";").replace("|", ESCAPE + "|")


def join_multi(values: Sequence[Sequence[str]]) -> str:
    """Write entries of one or more parts (``name|reading|role``) as one shoka-layout cell.

    Trailing empty parts are left out (``夏目, 漱石||著`` keeps its empty reading).
    """
    entries = []
    for parts in values:
        trimmed = list(parts)
        while len(trimmed) > 1 and not trimmed[-1]:
            trimmed.pop()
        entries.append("|".join(_escape(part) for part in trimmed))
    return ";".join(entries)
