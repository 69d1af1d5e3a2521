"""Holdings (所蔵) found in a bibliographic record: MARC 852 and the local field 949.

852 (MARC 21 Location, as in the holdings format):
    ``$b`` sublocation or collection → branch; ``$c`` shelving location → location;
    ``$h`` classification part + ``$i`` item part (joined by a space; ``$j`` shelving control
    number when there is no ``$h``) → call number; ``$p`` piece designation → barcode;
    ``$9`` (local) or else ``$x`` (nonpublic note) → price when it is a number (``1,500円``,
    ``¥1500`` are accepted); ``$z`` public note → note.

949 has no standard layout (each vendor defines its own). shoka reads and documents this one:
    ``$a`` branch, ``$b`` barcode, ``$c`` call number, ``$d`` shelving location,
    ``$e`` loan category (貸出区分), ``$f`` acquisition date (``YYYYMMDD`` or ``YYYY-MM-DD``),
    ``$p`` price, ``$z`` note.

A holding without a barcode cannot become an item: it is skipped with a warning. The writer
(:mod:`shoka.catalogue.marc.writer`) produces 852 only.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from pymarc import Field, Record

from shoka.catalogue.records import HoldingData

__all__ = ["HOLDING_TAGS", "holdings_from_record", "parse_price"]

HOLDING_TAGS = ("852", "949")
_PRICE = re.compile(r"^[¥￥]?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:円|yen|JPY)?$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")


def parse_price(text: str) -> Decimal | None:
    """``"1,500円"`` → ``Decimal("1500")``; None when the text is not a price."""
    match = _PRICE.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    try:
        return Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        return None


def _date(text: str) -> dt.date | None:
    match = _DATE.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _first(fld: Field, code: str) -> str:
    return (fld.get(code) or "").strip()


def _from_852(fld: Field) -> HoldingData:
    call = " ".join(
        part for part in (_first(fld, "h") or _first(fld, "j"), _first(fld, "i")) if part
    )
    price = parse_price(_first(fld, "9")) if fld.get("9") else None
    if price is None and fld.get("x"):
        price = parse_price(_first(fld, "x"))
    return HoldingData(
        barcode=_first(fld, "p"),
        branch=_first(fld, "b"),
        location=_first(fld, "c"),
        call_number=call,
        price=price,
        note=_first(fld, "z"),
    )


def _from_949(fld: Field) -> HoldingData:
    return HoldingData(
        barcode=_first(fld, "b"),
        branch=_first(fld, "a"),
        location=_first(fld, "d"),
        call_number=_first(fld, "c"),
        loan_category=_first(fld, "e"),
        price=parse_price(_first(fld, "p")) if fld.get("p") else None,
        acquired_on=_date(_first(fld, "f")) if fld.get("f") else None,
        note=_first(fld, "z"),
    )


def holdings_from_record(record: Record) -> tuple[tuple[HoldingData, ...], list[str]]:
    """The holdings of ``record`` and warnings about the ones skipped."""
    found: list[HoldingData] = []
    warnings: list[str] = []
    for number, fld in enumerate(record.get_fields(*HOLDING_TAGS), 1):
        holding = _from_852(fld) if fld.tag == "852" else _from_949(fld)
        if not holding.barcode:
            warnings.append(f"holding {number} ({fld.tag}) has no barcode; skipped")
            continue
        found.append(holding)
    return tuple(found), warnings
