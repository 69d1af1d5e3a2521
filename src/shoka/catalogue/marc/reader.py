"""Read a MARC file (ISO 2709 or MARCXML) into :class:`ImportRecord` / :class:`BadRecord`.

:func:`read_marc` never raises for bad input: each problem is a :class:`BadRecord` (position,
reason, the first 120 characters of the record) or a warning on an :class:`ImportRecord`.

* Format: MARCXML when the first non-blank byte (after a UTF-8 byte order mark) is ``<``,
  otherwise ISO 2709 (:mod:`shoka.catalogue.marc.iso2709` describes splitting, permissive
  structure handling and the encoding decision; :mod:`shoka.catalogue.marc.marcxml` the XML).
* Positions: ``record 12 (byte 34567)`` for ISO 2709 (1-based record number, 0-based byte
  offset of the record's first byte), ``record 3 (line 57)`` for MARCXML (the line of the
  ``<record>`` tag). Bad fragments are numbered like records.
* A record without a title (245 ``$a`` empty or missing) is a BadRecord
  ``no title (245 $a)``.
* ``source_record`` is the record's bytes exactly as they arrived for ISO 2709, and the
  ``<record>`` element re-serialised in the MARC 21 slim namespace (UTF-8) for MARCXML;
  ``source_format`` is ``marc21`` or ``marcxml``.
* The file is read into memory once. ``name`` (the file name as the user knows it) is
  used only in the reason when the file itself cannot be read. An empty file yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pymarc import Record

from shoka.catalogue.marc.iso2709 import RecordError, decode_record, excerpt, split_records
from shoka.catalogue.marc.mapping import record_to_bib
from shoka.catalogue.marc.marcxml import XmlProblem, iter_marcxml, record_to_xml_bytes
from shoka.catalogue.records import BadRecord, ImportRecord

__all__ = ["is_marcxml", "parse_source_record", "read_marc"]

_BOM = b"\xef\xbb\xbf"


def is_marcxml(data: bytes) -> bool:
    """True when ``data`` looks like XML (first non-blank byte ``<``)."""
    return data.removeprefix(_BOM).lstrip()[:1] == b"<"


def _has_title(record: Record) -> bool:
    title = record.get("245")
    return title is not None and any(v.strip() for v in title.get_subfields("a"))


def _finish(
    record: Record, source: bytes, fmt: str, position: str, warnings: list[str]
) -> ImportRecord | BadRecord:
    if not _has_title(record):
        return BadRecord(position, "no title (245 $a)", excerpt(source))
    try:
        bib, holdings, mapped_warnings = record_to_bib(
            record, source_record=source, source_format=fmt
        )
    except Exception as exc:  # a mapping bug must not stop an import of thousands of records
        return BadRecord(position, f"cannot map the record: {exc!r}", excerpt(source))
    return ImportRecord(position, bib, holdings, tuple([*warnings, *mapped_warnings]))


def _read_iso2709(data: bytes) -> Iterator[ImportRecord | BadRecord]:
    for number, chunk in enumerate(split_records(data), 1):
        position = f"record {number} (byte {chunk.offset})"
        if chunk.fragment:
            yield BadRecord(position, chunk.fragment, excerpt(chunk.data))
            continue
        try:
            record, warnings = decode_record(chunk.data)
        except RecordError as exc:
            yield BadRecord(position, str(exc), excerpt(chunk.data))
            continue
        except Exception as exc:  # defensive: a decoder bug must not stop the import
            yield BadRecord(position, f"unreadable record: {exc!r}", excerpt(chunk.data))
            continue
        yield _finish(record, chunk.data, "marc21", position, warnings)


def _line_excerpt(data: bytes, line: int) -> str:
    lines = data.split(b"\n", line)
    return excerpt(lines[line - 1].strip()) if 0 < line <= len(lines) else ""


def _read_marcxml(data: bytes) -> Iterator[ImportRecord | BadRecord]:
    number = 0
    for item in iter_marcxml(data):
        number += 1
        if isinstance(item, XmlProblem):
            position = f"record {number} (line {item.line})"
            yield BadRecord(position, item.reason, _line_excerpt(data, item.line))
            return
        source = record_to_xml_bytes(item.record)
        position = f"record {number} (line {item.line})"
        yield _finish(item.record, source, "marcxml", position, item.warnings)


def read_marc(source: Path | BinaryIO, *, name: str = "") -> Iterator[ImportRecord | BadRecord]:
    """Yield one ImportRecord or BadRecord per record of ``source`` (see the module doc)."""
    try:
        data = source.read_bytes() if isinstance(source, Path) else source.read()
    except OSError as exc:
        label = name or (str(source) if isinstance(source, Path) else "the file")
        yield BadRecord("file", f"cannot read {label}: {exc.strerror or exc}")
        return
    if not data.strip(b" \r\n\t\x00\x1a"):
        return
    if is_marcxml(data):
        yield from _read_marcxml(data)
    else:
        yield from _read_iso2709(data)


def parse_source_record(source: bytes) -> tuple[Record, list[str]]:
    """Parse a stored ``source_record`` back into a unicode record (same rules as reading).

    Raises :class:`RecordError` when it is not a readable record."""
    if is_marcxml(source):
        for item in iter_marcxml(source):
            if isinstance(item, XmlProblem):
                raise RecordError(item.reason)
            return item.record, item.warnings
        raise RecordError("no <record> in the source record")
    return decode_record(source)
