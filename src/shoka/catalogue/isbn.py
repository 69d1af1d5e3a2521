"""ISBN parsing, normalisation and formatting.

Catalogue records keep the ISBN as printed (MARC 020 $a, e.g. ``4-8399-1236-X (pbk.)``) and a
normalised ISBN-13 (13 digits, no hyphens) for matching and search. Check digits and
hyphenation come from :mod:`stdnum.isbn` (python-stdnum, which ships the ISBN agency's range
table).

Accepted input, before validation:

* NFKC normalisation, so full-width digits, letters and ``－`` are fine (``４－８３９９…``);
  other dashes (‐ ‑ ‒ – — − ー) are read as hyphens;
* an optional ``ISBN``, ``ISBN:``, ``ISBN-10``, ``ISBN13:`` … prefix, in any case;
* hyphens and single spaces between the digits, a lower-case ``x`` check digit;
* trailing qualifying text (``(pbk.)``, ``(上)``, ``: 1500円``) after a space or starting with
  ``(``, ``:`` or ``;``; text glued to the number (``9784839912362abc``) is rejected.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from stdnum import isbn as stdnum_isbn

__all__ = [
    "IsbnError",
    "ParsedIsbn",
    "hyphenate",
    "isbn_query_variants",
    "normalize_isbn",
    "parse_isbn",
    "to_isbn10",
]

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ーｰ", "-"))
_PREFIX_RE = re.compile(r"^ISBN(?:[- ]?1[03](?=\s|:))?\s*:?\s*", re.IGNORECASE)
# Exactly 13 or 10 digits (last may be X), hyphens or single spaces between them, and no digit
# or X right after: a 14-digit run is neither.
_ISBN13_RE = re.compile(r"^(?:[0-9][- ]?){12}[0-9](?![0-9Xx])")
_ISBN10_RE = re.compile(r"^(?:[0-9][- ]?){9}[0-9Xx](?![0-9Xx])")
_QUALIFIER_START = ("(", ":", ";", "[")


class IsbnError(ValueError):
    """Text that is not a valid ISBN was given where one is required."""


@dataclass(frozen=True, slots=True)
class ParsedIsbn:
    """An ISBN as found in a record or typed by a user.

    ``printed`` is the input, stripped. ``isbn13`` (13 digits) is set only when ``valid``;
    ``isbn10`` additionally requires the 978 prefix (979 numbers have no ISBN-10). ``qualifier``
    is any trailing text such as ``(pbk.)`` or ``(上)``. ``error`` says why an ISBN is invalid.
    """

    printed: str
    isbn13: str | None
    isbn10: str | None
    qualifier: str | None
    valid: bool
    error: str | None


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    return _PREFIX_RE.sub("", text)


def _compact(candidate: str) -> str:
    return candidate.replace("-", "").replace(" ", "").upper()


def _isbn13_check_digit(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str(-total % 10)


def _isbn10_check_digit(first9: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = -total % 11
    return "X" if check == 10 else str(check)


def _to_isbn13(isbn10: str) -> str:
    first12 = "978" + isbn10[:9]
    return first12 + _isbn13_check_digit(first12)


def _to_isbn10(isbn13: str) -> str:
    return isbn13[3:12] + _isbn10_check_digit(isbn13[3:12])


def _check(digits: str) -> str | None:
    """Return None when ``digits`` (10 or 13 chars, shape checked by the regexes) is a valid
    ISBN, else the reason. The check digits are computed here rather than with
    ``stdnum.isbn.validate``, which costs ~10 µs a call: ISBNs are parsed on every imported
    and indexed record (docs/adr/0004). tests/catalogue/test_isbn.py compares the two."""
    if len(digits) == 13:
        if digits[:3] not in ("978", "979"):
            return "an ISBN-13 must start with 978 or 979"
        if _isbn13_check_digit(digits[:12]) != digits[12]:
            return "invalid ISBN-13 check digit"
        return None
    if _isbn10_check_digit(digits[:9]) != digits[9]:
        return "invalid ISBN-10 check digit"
    return None


def _split_qualifier(rest: str) -> tuple[bool, str | None]:
    """Return (acceptable, qualifier) for the text after the number."""
    if not rest:
        return True, None
    if rest[0].isspace() or rest.startswith(_QUALIFIER_START):
        return True, rest.strip() or None
    return False, None


def parse_isbn(text: str) -> ParsedIsbn:
    """Parse an ISBN-10 or ISBN-13 with optional prefix, hyphens and trailing qualifier."""
    printed = text.strip()
    body = _prepare(text)
    candidates: list[tuple[str, str | None, str | None]] = []  # (digits, error, qualifier)
    for pattern in (_ISBN13_RE, _ISBN10_RE):
        match = pattern.match(body)
        if match is None:
            continue
        acceptable, qualifier = _split_qualifier(body[match.end() :])
        if not acceptable:
            continue
        digits = _compact(match.group())
        error = _check(digits)
        if error is None:
            isbn13 = digits if len(digits) == 13 else _to_isbn13(digits)
            return ParsedIsbn(
                printed=printed,
                isbn13=isbn13,
                isbn10=_to_isbn10(isbn13) if isbn13.startswith("978") else None,
                qualifier=qualifier,
                valid=True,
                error=None,
            )
        candidates.append((digits, error, qualifier))
    if candidates:
        # Both shapes matched but neither is valid: report the 13-digit reading if it has an
        # ISBN-13 prefix, otherwise the 10-digit one (e.g. "4839912360 123").
        best = candidates[0]
        if len(candidates) > 1 and not best[0].startswith(("978", "979")):
            best = candidates[1]
        return ParsedIsbn(printed, None, None, best[2], valid=False, error=best[1])
    if not body:
        error = "empty ISBN"
    else:
        error = "not an ISBN: expected 10 or 13 digits"
    return ParsedIsbn(printed, None, None, None, valid=False, error=error)


def normalize_isbn(text: str) -> str | None:
    """Return the ISBN-13 (13 digits) for a valid ISBN-10 or ISBN-13, else None."""
    return parse_isbn(text).isbn13


def _require(text: str) -> str:
    parsed = parse_isbn(text)
    if parsed.isbn13 is None:
        raise IsbnError(f"{text!r} is not a valid ISBN: {parsed.error}")
    return parsed.isbn13


def to_isbn10(isbn13: str) -> str | None:
    """Return the ISBN-10 (10 characters, no hyphens) for an ISBN, or None.

    None for 979 numbers, which have no ISBN-10, and for invalid input. An ISBN-10 given as
    input is returned in compact form.
    """
    return parse_isbn(isbn13).isbn10


def hyphenate(isbn13: str) -> str:
    """Return the ISBN-13 hyphenated by the ISBN agency's ranges (``978-4-8399-1236-9``).

    Any form :func:`parse_isbn` accepts may be given (an ISBN-10 is converted). Raises
    :class:`IsbnError` for an invalid ISBN.
    """
    return stdnum_isbn.format(_require(isbn13))


def stored_isbn_variants(isbn13: str) -> set[str]:
    """:func:`isbn_query_variants` of an ISBN-13 as stored (``BibIsbn.isbn13``: 13 digits,
    checked on the way in), without parsing it again; anything else goes the long way. The
    index writer calls this for every ISBN of every record."""
    if len(isbn13) == 13 and isbn13.isdigit() and isbn13.isascii() and _check(isbn13) is None:
        return {isbn13, _to_isbn10(isbn13)} if isbn13.startswith("978") else {isbn13}
    return isbn_query_variants(isbn13)


def isbn_query_variants(text: str) -> set[str]:
    """Compact forms to search for: the ISBN-13 and, for 978 numbers, the ISBN-10.

    An invalid number that still has the shape of an ISBN (10 or 13 digits) is returned as is,
    compacted, so records that reproduce a misprinted ISBN can be found. Otherwise empty.
    """
    parsed = parse_isbn(text)
    if parsed.isbn13 is not None:
        return {v for v in (parsed.isbn13, parsed.isbn10) if v is not None}
    body = _prepare(text)
    for pattern in (_ISBN13_RE, _ISBN10_RE):
        match = pattern.match(body)
        if match is not None and _split_qualifier(body[match.end() :])[0]:
            return {_compact(match.group())}
    return set()
