"""Plain record types shared by the catalogue services, the importers and the exporters.

Pure data (no Django): a MARC or CSV reader turns each record of a file into an
:class:`ImportRecord` (a :class:`BibData` plus the :class:`HoldingData` found beside it) or a
:class:`BadRecord` that says where it was and why it cannot be used. Exporters receive an
:class:`ExportRecord`: the stored bib, its original source record and its current holdings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "MATERIAL_TYPE_CODES",
    "BadRecord",
    "BibData",
    "ContributorData",
    "ExportRecord",
    "HoldingData",
    "ImportRecord",
    "TitleData",
]


#: The codes of ``catalogue.models.MaterialType`` (kept here for code without Django; a test
#: checks that the two agree).
MATERIAL_TYPE_CODES = (
    "book",
    "picture_book",
    "kamishibai",
    "large_print",
    "magazine",
    "cd",
    "dvd",
    "daisy",
    "other",
)


@dataclass(frozen=True)
class ContributorData:
    """A person or body responsible for the work. ``name`` is the heading as printed or as
    the access point gives it (``"萩野, 正昭"``), ``reading`` its ヨミ (``"ハギノ, マサアキ"``),
    ``role`` the function (``"著"``, ``"訳"``, ``"author"``…) when known."""

    name: str
    reading: str = ""
    role: str = ""


@dataclass(frozen=True)
class TitleData:
    """A variant, parallel or contents title (MARC 246, 740, 505 $t) with its reading."""

    title: str
    reading: str = ""


@dataclass(frozen=True)
class BibData:
    """A bibliographic record as the catalogue stores it.

    ``title`` is the display title in the original script (title proper, part, and other
    title information in ISBD order: ``"CNNニュース・リスニング 2019春夏 : 音声&電子書籍版付き"``);
    ``title_reading`` its ヨミ in katakana with spaces between words as JAPAN/MARC gives it;
    ``title_romanized`` a romanised form when the record has one (LC-style 245, or the
    ``(B`` 880 of JAPAN/MARC). ``isbns`` are as printed (``"978-4-7949-7075-6"``); the
    services normalise them. ``source_record`` holds the record exactly as it arrived (ISO
    2709 bytes or MARCXML) for re-export; ``source_id`` is ``"003:001"`` (``"JTNDL:029455884"``)
    or the 001 alone when there is no 003.
    """

    title: str
    title_reading: str = ""
    title_romanized: str = ""
    responsibility: str = ""
    contributors: Sequence[ContributorData] = ()
    publisher: str = ""
    publisher_reading: str = ""
    publication_place: str = ""
    year: int | None = None
    isbns: Sequence[str] = ()
    jpno: str = ""  # 全国書誌番号 (MARC 015 $a with $2 jnb)
    ndc: str = ""
    ndc_edition: str = ""  # "9" or "10" (084 $2 njb/09, njb/10)
    ndl_call_number: str = ""  # MARC 090 $a
    subjects: Sequence[str] = ()  # NDLSH headings, subdivisions joined with "--"
    subject_readings: Sequence[str] = ()  # readings of the headings where the record has them
    other_titles: Sequence[TitleData] = ()
    material_type: str = "book"
    language: str = "jpn"
    series: str = ""
    series_reading: str = ""
    volume: str = ""
    edition: str = ""
    extent: str = ""  # MARC 300: "301p ; 19cm"
    notes: str = ""
    source_format: str = ""  # "marc21", "marcxml", "csv", "" (entered by staff)
    source_record: bytes | None = field(default=None, repr=False)
    source_id: str = ""


@dataclass(frozen=True)
class HoldingData:
    """A copy found beside a record: MARC 852/949, or the item columns of a CSV row.

    ``branch`` and ``location`` are as the file gives them (a code or a name); the import
    service resolves them against the library's branches and locations.
    """

    barcode: str
    branch: str = ""
    location: str = ""
    call_number: str = ""
    loan_category: str = ""
    price: Decimal | None = None
    acquired_on: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class ImportRecord:
    """One usable record of an input file. ``position`` says where it was (``"record 12
    (byte 3456)"``, ``"line 7"``); ``warnings`` what was repaired or guessed on the way
    (a wrong encoding declaration, an invalid ISBN left out…)."""

    position: str
    bib: BibData
    holdings: tuple[HoldingData, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class BadRecord:
    """A record that cannot be imported: where it was, why, and the start of its text."""

    position: str
    reason: str
    excerpt: str = ""


@dataclass(frozen=True)
class ExportRecord:
    """What an exporter needs of one stored bib: its id, its data (with ``source_record``
    when it came from MARC) and its current holdings."""

    bib_id: int
    bib: BibData
    holdings: tuple[HoldingData, ...] = ()
    status: dict[str, str] = field(default_factory=dict)  # barcode -> item status
