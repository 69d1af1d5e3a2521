"""Reading a CSV or TSV file into ImportRecords and BadRecords (see docs/catalogue-formats.md).

The file is read and decoded at once (encoding detection needs the bytes); rows are then
parsed lazily, so a caller can show progress. Rows of one bib are grouped when consecutive.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from shoka.catalogue.records import BadRecord, BibData, HoldingData, ImportRecord
from shoka.catalogue.tabular._encoding import decode_bytes, has_undecodable, visible
from shoka.catalogue.tabular._layouts import (
    Layout,
    expected_columns,
    is_label_row,
    resolve_header,
)
from shoka.catalogue.tabular._rows import RowData, enju_row, shoka_row

__all__ = ["TabularFile", "read_tabular"]

_EXCERPT = 200
# Bib fields compared between rows of one group (source_* are the same by construction).
_COMPARED = tuple(
    f.name
    for f in dataclasses.fields(BibData)
    if f.name not in ("source_record", "source_format", "source_id")
)

Record = ImportRecord | BadRecord


@dataclasses.dataclass
class _Row:
    start: int  # physical line where the row starts
    end: int  # physical line where it ends
    cells: list[str]


@dataclasses.dataclass
class _Group:
    """Consecutive rows of one bib, waiting for the row that ends them."""

    start: int
    key: tuple[str, ...]
    bib: BibData
    record_id: str
    holdings: list[HoldingData]
    warnings: list[str]


def _sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return "\t" if header.count("\t") >= max(1, header.count(",")) else ","


def _ends_in_open_quote(raw: str, delimiter: str) -> bool:
    """True when ``raw`` (the text of the last row) ends inside a quoted field."""
    in_quotes = False
    at_field_start = True
    index = 0
    while index < len(raw):
        char = raw[index]
        if in_quotes:
            if char == '"':
                if raw.startswith('"', index + 1):
                    index += 1
                else:
                    in_quotes = False
        elif char == '"' and at_field_start:
            in_quotes = True
        at_field_start = not in_quotes and char in (delimiter, "\n", "\r")
        index += 1
    return in_quotes


def _differences(first: BibData, other: BibData) -> list[str]:
    return [
        name
        for name in _COMPARED
        if getattr(other, name) not in ("", (), None)
        and getattr(other, name) != getattr(first, name)
    ]


class TabularFile(Iterator[ImportRecord | BadRecord]):
    """An opened CSV/TSV file: iterate it for ImportRecords and BadRecords.

    The attributes describe the file for an import summary: ``encoding`` is the Python codec
    used (``"utf-8"``, ``"utf-8-sig"`` for UTF-8 with a BOM, ``"utf-16"``, ``"cp932"``,
    ``"euc_jp"``; ``""`` for an empty file), ``detected_by`` how it was chosen,
    ``delimiter`` a tab or a comma, ``layout`` ``"shoka"``, ``"enju"`` or ``""`` (empty or
    unknown header; set once iteration has read the header — it is read at construction).
    ``warnings`` holds file-level remarks (ignored columns); ``record_ids`` maps the position
    of each ImportRecord to the ``record_id`` column of the shoka layout where it was filled.
    """

    def __init__(self, data: bytes, *, name: str = "") -> None:
        self.name = name
        self.encoding = ""
        self.detected_by = ""
        self.delimiter = ""
        self.layout = ""
        self.warnings: list[str] = []
        self.record_ids: dict[str, str] = {}
        self._text = ""
        self._undecodable = False
        self._seen_keys: dict[tuple[str, ...], int] = {}
        self._seen_barcodes: dict[str, int] = {}
        self._records = self._read(data)

    def __iter__(self) -> TabularFile:
        return self

    def __next__(self) -> ImportRecord | BadRecord:
        return next(self._records)

    @property
    def encoding_note(self) -> str:
        """``"cp932 (charset-normalizer)"``: the encoding and how it was chosen, for display."""
        return f"{self.encoding} ({self.detected_by})" if self.encoding else "none (empty file)"

    # --- rows ---------------------------------------------------------------------------------

    def _physical_rows(self) -> Iterator[_Row | BadRecord]:
        reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self.delimiter)
        end = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield BadRecord(f"line {end + 1}", f"the file cannot be read from here on: {exc}")
                return
            start, end = end + 1, reader.line_num
            yield _Row(start, end, cells)

    def _last_row_is_open(self, row: _Row) -> bool:
        lines = io.StringIO(self._text, newline="").readlines()
        return _ends_in_open_quote("".join(lines[row.start - 1 :]), self.delimiter)

    def _rows(self) -> Iterator[tuple[_Row | BadRecord, bool]]:
        """The rows with a flag for the last one (which is checked for an open quote)."""
        previous: _Row | BadRecord | None = None
        for row in self._physical_rows():
            if previous is not None:
                yield previous, False
            previous = row
        if previous is not None:
            yield previous, True

    # --- records ------------------------------------------------------------------------------

    def _read(self, data: bytes) -> Iterator[Record]:
        if not data.strip():
            yield BadRecord("line 1", "the file is empty")
            return
        decoded = decode_bytes(data)
        self.encoding, self.detected_by, self._text = (
            decoded.encoding,
            decoded.detected_by,
            decoded.text,
        )
        self.delimiter = _sniff_delimiter(self._text)
        self._undecodable = has_undecodable(self._text)
        rows = self._rows()
        layout: Layout | None = None
        for row, _last in rows:
            if isinstance(row, BadRecord):
                yield row
                return
            if any(cell.strip() for cell in row.cells):
                layout = self._header(row)
                if layout is None:
                    yield self._unknown_header(row)
                    return
                break
        if layout is None:
            yield BadRecord("line 1", "the file is empty")
            return
        yield from self._records_after_header(layout, rows)

    def _header(self, row: _Row) -> Layout | None:
        if has_undecodable("".join(row.cells)):
            return None
        layout = resolve_header(row.cells)
        if layout is not None:
            self.layout = layout.name
            if layout.ignored:
                self.warnings.append(f"columns ignored: {', '.join(layout.ignored)}")
        return layout

    def _unknown_header(self, row: _Row) -> BadRecord:
        found = visible(", ".join(cell.strip() for cell in row.cells if cell.strip()))
        where = f" of {self.name}" if self.name else ""
        return BadRecord(
            f"line {row.start}",
            f"unknown header{where}: expected {expected_columns()}; found: {found}",
            visible(self.delimiter.join(row.cells))[:_EXCERPT],
        )

    def _bad(self, row: _Row, reason: str) -> BadRecord:
        return BadRecord(
            f"line {row.start}", reason, visible(self.delimiter.join(row.cells))[:_EXCERPT]
        )

    def _check(self, row: _Row, layout: Layout, last: bool) -> BadRecord | None:
        """The reason a row cannot be read at all, or None."""
        if last and self._last_row_is_open(row):
            span = f" (lines {row.start}–{row.end} read as one row)" if row.end > row.start else ""
            return self._bad(
                row,
                f"unbalanced quote: a quoted field opened on line {row.start} is never closed"
                + span,
            )
        if self._undecodable and has_undecodable("".join(row.cells)):
            return self._bad(row, f"undecodable bytes (not valid {self.encoding})")
        if len(row.cells) > layout.width and any(c.strip() for c in row.cells[layout.width :]):
            return self._bad(
                row, f"{len(row.cells)} cells, but the header has {layout.width} columns"
            )
        return None

    def _records_after_header(
        self, layout: Layout, rows: Iterator[tuple[_Row | BadRecord, bool]]
    ) -> Iterator[Record]:
        """Records in the order of their first line: a BadRecord met while a group is open
        waits for the group to end."""
        group: _Group | None = None
        waiting: list[BadRecord] = []
        for outcome in self._outcomes(layout, rows):
            if isinstance(outcome, BadRecord):
                if group is None:
                    yield outcome
                else:
                    waiting.append(outcome)
                continue
            row, data, key = outcome
            if group is not None and key is not None and key == group.key:
                self._join(group, row, data)
                continue
            if data.bib is None:
                bad = self._bad(row, self._no_title(data, layout.name))
                if group is None:
                    yield bad
                else:
                    waiting.append(bad)
                continue
            if group is not None:
                yield self._flush(group)
                yield from waiting
                waiting.clear()
            group = self._start(row, data, key, layout.name)
        if group is not None:
            yield self._flush(group)
        yield from waiting

    def _outcomes(
        self, layout: Layout, rows: Iterator[tuple[_Row | BadRecord, bool]]
    ) -> Iterator[BadRecord | tuple[_Row, RowData, tuple[str, ...] | None]]:
        """Each data row read (row, data, grouping key), or the reason it cannot be read."""
        build = enju_row if layout.name == "enju" else shoka_row
        columns = list(layout.columns.items())
        first = True
        for row, last in rows:
            if isinstance(row, BadRecord):
                yield row
                return
            cells = row.cells
            if not any(cells):
                continue
            if first:
                first = False
                if is_label_row(layout, cells):
                    continue
            problem = self._check(row, layout, last)
            if problem is not None:
                yield problem
                continue
            count = len(cells)
            values = {key: cells[index].strip() for key, index in columns if index < count}
            if values.get("dummy") and layout.name == "enju":
                yield self._bad(row, "skipped: the dummy column (インポート省略) is filled")
                continue
            data = build(values)
            yield row, data, self._key(data)

    @staticmethod
    def _no_title(data: RowData, layout_name: str) -> str:
        """The reason for a row without a title that does not continue the row above."""
        label = "manifestation_identifier" if layout_name == "enju" else "source_id"
        for name, value in (("record_id", data.record_id), (label, data.source_id)):
            if value:
                return f"no title ({name} {value} is not that of the record above)"
        return "no title"

    @staticmethod
    def _key(data: RowData) -> tuple[str, ...] | None:
        if data.record_id:
            return ("record_id", data.record_id)
        if data.source_id:
            return ("source_id", data.source_id)
        bib = data.bib
        if bib is None:
            return None
        return ("bib", bib.title, ";".join(bib.isbns), bib.volume, bib.edition, str(bib.year))

    def _take_holding(
        self,
        data: RowData,
        row: _Row,
        warnings: list[str],
        prefix: str,
    ) -> HoldingData | None:
        holding = data.holding
        if holding is None:
            return None
        earlier = self._seen_barcodes.get(holding.barcode)
        if earlier is not None:
            warnings.append(
                f"{prefix}barcode {holding.barcode} already on line {earlier}; this item left out"
            )
            return None
        self._seen_barcodes[holding.barcode] = row.start
        return holding

    def _start(
        self,
        row: _Row,
        data: RowData,
        key: tuple[str, ...] | None,
        layout_name: str,
    ) -> _Group:
        assert data.bib is not None  # noqa: S101 - checked by the caller
        warnings = list(data.warnings)
        group_key = key if key is not None else ("line", str(row.start))
        if group_key[0] in ("record_id", "source_id"):
            earlier = self._seen_keys.get(group_key)
            if earlier is not None:
                label = group_key[0]
                if layout_name == "enju" and label == "source_id":
                    label = "manifestation_identifier"
                warnings.append(
                    f"{label} {group_key[1]} also on line {earlier}: rows of one record must be "
                    "consecutive; read as a separate record"
                )
            else:
                self._seen_keys[group_key] = row.start
        holdings: list[HoldingData] = []
        holding = self._take_holding(data, row, warnings, "")
        if holding is not None:
            holdings.append(holding)
        return _Group(row.start, group_key, data.bib, data.record_id, holdings, warnings)

    def _join(self, group: _Group, row: _Row, data: RowData) -> None:
        prefix = f"line {row.start}: "
        group.warnings.extend(prefix + warning for warning in data.warnings)
        if data.bib is not None:
            differing = _differences(group.bib, data.bib)
            if differing:
                group.warnings.append(
                    f"{prefix}bib columns differ from line {group.start} "
                    f"({', '.join(differing)}); the first row's values kept"
                )
        holding = self._take_holding(data, row, group.warnings, prefix)
        if holding is not None:
            group.holdings.append(holding)

    def _flush(self, group: _Group) -> ImportRecord:
        position = f"line {group.start}"
        if group.record_id:
            self.record_ids[position] = group.record_id
        return ImportRecord(position, group.bib, tuple(group.holdings), tuple(group.warnings))


def read_tabular(source: Path | BinaryIO, *, name: str = "") -> TabularFile:
    """Open a CSV or TSV catalogue file (shoka or Enju layout) for import.

    ``source`` is a path or a binary file object; the whole file is read now. The result is
    an iterator of :class:`ImportRecord` and :class:`BadRecord` that also tells the detected
    encoding, delimiter and layout (see :class:`TabularFile`). Nothing in the data makes this
    raise; an unreadable path raises :class:`OSError` as usual.
    """
    if isinstance(source, Path):
        data = source.read_bytes()
        name = name or source.name
    else:
        data = source.read()
    return TabularFile(data, name=name)
