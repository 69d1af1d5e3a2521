"""ExportRecord → MARC 21 (ISO 2709 or MARCXML), always UTF-8 (leader/09 ``a``).

With a source record (``bib.source_record`` set): the record is parsed back with the reader's
rules (so MARC-8 and CP932 records come out as UTF-8) and every original field is kept with
its indicators and subfields exactly as read, except the holdings fields 852 and 949, which
are dropped and replaced by the current holdings. The stored bib data is *not* merged into
the source record: the source record is the catalogue's authority for what came from outside.
If the source record can no longer be parsed, the record is built from the bib data instead.

Without a source record a JAPAN/MARC-style record is built from the bib data:

* leader ``nam a22     zi 4500`` with leader/06-07 from the material type (book,
  large_print, picture_book ``am``; magazine ``as``; cd ``jm``; daisy ``im`` with 245 ``$h
  [DAISY]``; dvd ``gm``; kamishibai ``km`` with 245 ``$h [紙芝居]``; other ``pm``);
* 001 = the shoka bib id, 003 = ``shoka`` (so the re-read ``source_id`` is ``shoka:{id}``),
  035 ``$a (source_id)`` when the bib came from elsewhere; 008 with today's date, the year,
  ``ja`` as place for Japanese, 008/23 ``d`` for large print, the language;
* 015 ``$a`` JP番号 ``$2 jnb``; 020 ``$a`` per ISBN as printed; 084 ``$a`` NDC ``$2 njb/09``
  or ``njb/10``; 090 ``$a`` NDL call number;
* 245 ``$a`` display title (whole, as one subfield) ``$c`` responsibility, with 880s linked
  by ``$6``: ``/$1`` the reading, ``/(B`` the romanisation; 246 ``3 `` per other title (+880);
  250 ``$a``; 260 ``$a`` place ``$b`` publisher ``$c`` year (+880 ``$b`` reading); 300 ``$a``;
  490 ``0 `` ``$a`` series ``$v`` volume (+880); 500 per line of the notes;
  650 ``_7`` per subject, ``--`` subdivisions as ``$x``, ``$2 ndlsh`` (+880);
  655 ``_7 $a 絵本 $2 ndlgft`` for picture books; 700 ``1 `` per contributor ``$a`` name
  ``$e`` role (+880);
* one 852 per holding: ``$b`` branch, ``$c`` location, ``$h`` call number, ``$p`` barcode,
  ``$9`` price, ``$z`` note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import BinaryIO, Literal

from pymarc import Field, Indicators, Leader, Record, Subfield

from shoka.catalogue.marc.holdings import HOLDING_TAGS
from shoka.catalogue.marc.iso2709 import RecordError
from shoka.catalogue.marc.marcxml import MARC_NS, record_to_xml_bytes
from shoka.catalogue.marc.reader import parse_source_record
from shoka.catalogue.records import BibData, ExportRecord, HoldingData

__all__ = ["to_marc", "write_marc"]

_TYPES = {
    "magazine": "as",
    "cd": "jm",
    "daisy": "im",
    "dvd": "gm",
    "kamishibai": "km",
    "other": "pm",
}
_MEDIUM = {"daisy": "[DAISY]", "kamishibai": "[紙芝居]"}


def _field(tag: str, ind: str, *pairs: tuple[str, str]) -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(ind[0], ind[1]),
        subfields=[Subfield(code, value) for code, value in pairs if value],
    )


def _holding_field(holding: HoldingData) -> Field:
    return _field(
        "852",
        "  ",
        ("b", holding.branch),
        ("c", holding.location),
        ("h", holding.call_number),
        ("p", holding.barcode),
        ("9", "" if holding.price is None else str(holding.price)),
        ("z", holding.note),
    )


class _Linker:
    """Adds a field and its 880s (``/$1`` reading, ``/(B`` romanisation) with ``$6`` links."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.count = 0
        self.linked: list[Field] = []

    def add(
        self,
        fld: Field,
        reading: Sequence[tuple[str, str]],
        romanized: Sequence[tuple[str, str]] = (),
    ) -> None:
        forms = [(s, p) for s, p in (("$1", reading), ("(B", romanized)) if any(v for _, v in p)]
        if forms:
            self.count += 1
            occurrence = f"{self.count:02d}"
            fld.subfields.insert(0, Subfield("6", f"880-{occurrence}"))
            for script, pairs in forms:
                link = ("6", f"{fld.tag}-{occurrence}/{script}")
                self.linked.append(_field("880", "".join(fld.indicators or "  "), link, *pairs))
        self.record.add_field(fld)

    def finish(self) -> None:
        self.record.add_field(*self.linked)


def _fixed_008(bib: BibData) -> str:
    chars = list(" " * 40)
    chars[0:6] = dt.datetime.now(dt.UTC).strftime("%y%m%d")
    chars[6] = "s" if bib.year else "n"
    chars[7:11] = f"{bib.year:04d}" if bib.year else "    "
    chars[15:18] = "ja " if bib.language == "jpn" else "xx "
    if bib.material_type == "large_print":
        chars[23] = "d"
    chars[35:38] = (bib.language + "   ")[:3]
    return "".join(chars)


def _build(rec: ExportRecord) -> Record:
    bib = rec.bib
    record = Record()
    kind = _TYPES.get(bib.material_type, "am")
    record.leader = Leader(f"00000n{kind} a2200000zi 4500")
    record.add_field(Field(tag="001", data=str(rec.bib_id)), Field(tag="003", data="shoka"))
    record.add_field(Field(tag="008", data=_fixed_008(bib)))
    link = _Linker(record)
    if bib.jpno:
        record.add_field(_field("015", "  ", ("a", bib.jpno), ("2", "jnb")))
    for isbn in bib.isbns:
        record.add_field(_field("020", "  ", ("a", isbn)))
    if bib.source_id:
        record.add_field(_field("035", "  ", ("a", f"({bib.source_id})")))
    if bib.ndc:
        source = f"njb/{int(bib.ndc_edition):02d}" if bib.ndc_edition.isdigit() else "njb"
        record.add_field(_field("084", "  ", ("a", bib.ndc), ("2", source)))
    if bib.ndl_call_number:
        record.add_field(_field("090", "  ", ("a", bib.ndl_call_number)))
    slash = " /" if bib.responsibility else ""
    title = _field(
        "245",
        "00",
        ("a", bib.title + slash),
        ("h", _MEDIUM.get(bib.material_type, "")),
        ("c", bib.responsibility),
    )
    link.add(title, [("a", bib.title_reading)], [("a", bib.title_romanized)])
    for other in bib.other_titles:
        link.add(_field("246", "3 ", ("a", other.title)), [("a", other.reading)])
    if bib.edition:
        record.add_field(_field("250", "  ", ("a", bib.edition)))
    if bib.publisher or bib.publication_place or bib.year:
        pub = _field(
            "260",
            "  ",
            ("a", bib.publication_place + (" :" if bib.publisher else "")),
            ("b", bib.publisher + ("," if bib.year else "")),
            ("c", str(bib.year or "")),
        )
        link.add(pub, [("b", bib.publisher_reading)])
    if bib.extent:
        record.add_field(_field("300", "  ", ("a", bib.extent)))
    if bib.series:
        series = _field("490", "0 ", ("a", bib.series), ("v", bib.volume))
        link.add(series, [("a", bib.series_reading)])
    for line in bib.notes.splitlines():
        if line.strip():
            record.add_field(_field("500", "  ", ("a", line)))
    readings = list(bib.subject_readings) + [""] * len(bib.subjects)
    for heading, reading in zip(bib.subjects, readings, strict=False):
        main, *subdivisions = heading.split("--")
        pairs = [("a", main), *(("x", s) for s in subdivisions), ("2", "ndlsh")]
        reading_pairs = []
        if reading:
            r_main, *r_subs = reading.split("--")
            reading_pairs = [("a", r_main), *(("x", s) for s in r_subs)]
        link.add(_field("650", " 7", *pairs), reading_pairs)
    if bib.material_type == "picture_book":
        record.add_field(_field("655", " 7", ("a", "絵本"), ("2", "ndlgft")))
    for person in bib.contributors:
        name = _field("700", "1 ", ("a", person.name), ("e", person.role))
        link.add(name, [("a", person.reading)])
    link.finish()
    record.add_field(*(_holding_field(h) for h in rec.holdings))
    return record


def to_marc(rec: ExportRecord) -> Record:
    """The MARC record to export for ``rec`` (see the module docstring)."""
    if rec.bib.source_record:
        try:
            record, _warnings = parse_source_record(rec.bib.source_record)
        except RecordError:
            record = None
        if record is not None:
            record.fields = [f for f in record.fields if f.tag not in HOLDING_TAGS]
            record.add_field(*(_holding_field(h) for h in rec.holdings))
            record.leader = Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
            return record
    return _build(rec)


def write_marc(
    records: Iterable[ExportRecord], out: BinaryIO, fmt: Literal["marc21", "marcxml"]
) -> int:
    """Write ``records`` to ``out`` as ISO 2709 or MARCXML (a ``<collection>`` in the MARC 21
    slim namespace, UTF-8); return the number written."""
    if fmt not in ("marc21", "marcxml"):
        raise ValueError(f"unknown MARC format {fmt!r}")
    count = 0
    if fmt == "marcxml":
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{MARC_NS}">\n'.encode()
        )
    for rec in records:
        record = to_marc(rec)
        if fmt == "marc21":
            out.write(record.as_marc())
        else:
            out.write(record_to_xml_bytes(record, namespace=False) + b"\n")
        count += 1
    if fmt == "marcxml":
        out.write(b"</collection>\n")
    return count
