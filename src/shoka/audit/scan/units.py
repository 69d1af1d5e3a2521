"""Walking what the scanner is pointed at, and reading each unit.

A unit is a plain file, an archive member (``backup.zip::data/list.csv``, nested with further
``::``), a database table (``patron.db::riyosha``) or a sheet (``book.xlsx::Sheet1``).
Everything is streamed: archive members are read in order, and only members that need random
access (a zip, a SQLite database or a workbook inside an archive) are spooled to a temporary
file first. Memory stays bounded by the sample size, the page size and the person keys.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import IO, Final

from shoka.audit.scan import tables
from shoka.audit.scan.encoding import detect
from shoka.audit.scan.records import Tally
from shoka.audit.scan.report import Finding, Ignore, finding, unreadable
from shoka.audit.scan.text import TextScanner, fixed_width_rows, header_of

HEAD: Final = 64 * 1024
SKIPPED_DIRECTORIES: Final = frozenset({".git", ".hg", ".svn"})
_SPOOL_IN_MEMORY: Final = 32 * 1024 * 1024
_MAX_NESTING: Final = 8
_BINARY_RUN: Final = 24
_CSV_FIELD_LIMIT: Final = 16 * 1024 * 1024  # the csv module's default (128 KiB) is too small

Opener = Callable[[], IO[bytes]]


def walk(root: Path) -> Iterator[tuple[str, Path]]:
    """(unit path relative to ``root``, file) for every file under ``root``, sorted."""
    if root.is_file():
        yield root.name, root
        return
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRECTORIES)
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def scan_file(label: str, path: Path, ignore: Ignore | None = None) -> list[Finding]:
    """Every unit inside one file on disk."""
    return list(_Scanner(ignore or Ignore()).blob(label, lambda: path.open("rb"), path))


class _Prefixed(io.RawIOBase):
    """A stream that replays the bytes already read (the head) before the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_head(stream: IO[bytes]) -> bytes:
    chunks, size = [], 0
    while size < HEAD:
        chunk = stream.read(HEAD - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


@contextmanager
def _on_disk(opener: Opener, path: Path | None) -> Iterator[Path]:
    """A real file for readers that need one (SQLite)."""
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="shoka-scan-") as tmp:
        target = Path(tmp) / "unit"
        with opener() as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        yield target


@contextmanager
def _with_wal(path: Path) -> Iterator[tuple[Path, str]]:
    """The database as its programs see it. A live SQLite database in WAL mode keeps its
    latest transactions — possibly every row, even its tables — in `<name>-wal` beside it
    until a checkpoint; opened `immutable` the file alone shows none of them. When a
    non-empty WAL sits next to the file, database and WAL are copied to a temporary folder
    and the copy is opened normally, so SQLite applies the WAL to it (the originals are not
    touched). Otherwise the file is opened read-only and immutable."""
    wal = path.with_name(path.name + "-wal")
    try:
        has_wal = wal.stat().st_size > 0
    except OSError:
        has_wal = False
    if not has_wal:
        yield path, "?mode=ro&immutable=1"
        return
    with tempfile.TemporaryDirectory(prefix="shoka-scan-") as tmp:
        copy = Path(tmp) / "unit.sqlite3"
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        yield copy, ""


@contextmanager
def _seekable(opener: Opener, path: Path | None) -> Iterator[IO[bytes]]:
    if path is not None:
        with path.open("rb") as f:
            yield f
        return
    with tempfile.SpooledTemporaryFile(_SPOOL_IN_MEMORY) as spool, opener() as src:
        shutil.copyfileobj(src, spool, 1024 * 1024)
        spool.seek(0)
        yield spool


class _Borrowed(io.RawIOBase):
    """A seekable view of a spooled copy that closing does not close."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        f.seek(0)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.f.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.f.seek(offset, whence)

    def tell(self) -> int:
        return self.f.tell()

    def close(self) -> None:
        pass


_RUNS: Final = re.compile(rb"[^\x00-\x08\x0b-\x1f\x7f]{%d,}" % _BINARY_RUN)
_ERRORS: Final = (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, lzma.LZMAError)


class _Scanner:
    def __init__(self, ignore: Ignore) -> None:
        self.ignore = ignore
        self.depth = 0

    def blob(self, label: str, opener: Opener, path: Path | None = None) -> Iterator[Finding]:
        """A unit that can be opened again (a file, a zip member, a spooled copy)."""
        if self.ignore.matches(label):
            return
        try:
            with opener() as stream:
                head = _read_head(stream)
        except _ERRORS as exc:
            yield unreadable(label, "unknown", str(exc))
            return
        yield from self._dispatch(label, opener, path, head)

    def member(self, label: str, stream: IO[bytes]) -> Iterator[Finding]:
        """A unit that can be read once, in order (a tar member, a decompressed stream)."""
        if self.ignore.matches(label):
            return
        head = _read_head(stream)
        if _kind(head, label) in ("zip", "sqlite", "xlsx"):  # random access: spool a copy
            with tempfile.SpooledTemporaryFile(_SPOOL_IN_MEMORY) as spool:
                spool.write(head)
                shutil.copyfileobj(stream, spool, 1024 * 1024)
                borrowed: IO[bytes] = _Borrowed(spool)  # type: ignore[assignment]
                yield from self._dispatch(label, lambda: borrowed, None, head)
            return
        used: list[bool] = []

        def once() -> IO[bytes]:
            if used:
                raise OSError("a streamed archive member can be read only once")
            used.append(True)
            return io.BufferedReader(_Prefixed(head, stream), 1024 * 1024)

        yield from self._dispatch(label, once, None, head)

    def _dispatch(
        self, label: str, opener: Opener, path: Path | None, head: bytes
    ) -> Iterator[Finding]:
        kind = _kind(head, label)
        if kind in _CONTAINERS and self.depth >= _MAX_NESTING:
            yield unreadable(label, kind, "archives nested too deeply")
            return
        self.depth += 1
        try:
            if kind in ("zip", "xlsx"):
                yield from self._zip(label, opener, path)
            elif kind == "tar":
                yield from self._tar(label, opener)
            elif kind == "compressed":
                yield from self._compressed(label, opener, head)
            elif kind == "sqlite":
                yield from self._sqlite(label, opener, path)
            else:
                encoding = detect(head)
                if encoding is None:
                    yield _binary(label, opener)
                else:
                    yield _read_text(label, opener, head, encoding.codec, encoding.label)
        except Exception as exc:  # a broken unit must not stop the scan: report it
            yield unreadable(label, kind, f"{type(exc).__name__}: {exc}")
        finally:
            self.depth -= 1

    # -- containers ------------------------------------------------------------------------

    def _zip(self, label: str, opener: Opener, path: Path | None) -> Iterator[Finding]:
        """A zip archive, or a workbook when its own directory has ``xl/workbook.xml`` (the
        first bytes do not tell: a zip that stores an xlsx uncompressed shows those names)."""
        with _seekable(opener, path) as f:
            with zipfile.ZipFile(f) as archive:
                workbook = _WORKBOOK in archive.namelist()
                if not workbook:
                    for info in archive.infolist():
                        if not info.is_dir():
                            yield from self.blob(
                                f"{label}::{info.filename}",
                                lambda i=info: archive.open(i),  # type: ignore[misc]
                            )
            if workbook:
                f.seek(0)
                yield from self._xlsx(label, f)

    def _tar(self, label: str, opener: Opener) -> Iterator[Finding]:
        with opener() as raw, tarfile.open(fileobj=raw, mode="r|*") as archive:
            for member in archive:
                stream = archive.extractfile(member) if member.isfile() else None
                if stream is not None:
                    yield from self.member(f"{label}::{member.name}", stream)

    def _compressed(self, label: str, opener: Opener, head: bytes) -> Iterator[Finding]:
        """gzip, bzip2 or xz: a compressed tar, or one compressed file (same unit name)."""
        with opener() as raw, _decompressed(raw, head) as stream:
            inner = _read_head(stream)
            if not _is_tar(inner):
                yield from self.member(label, io.BufferedReader(_Prefixed(inner, stream)))
                return
        yield from self._tar(label, opener)

    def _sqlite(self, label: str, opener: Opener, path: Path | None) -> Iterator[Finding]:
        with _on_disk(opener, path) as on_disk, _with_wal(on_disk) as (file, flags):
            uri = file.resolve().as_uri() + flags
            with closing(sqlite3.connect(uri, uri=True)) as db:
                db.text_factory = lambda b: b.decode("utf-8", "replace")
                names = [
                    row[0]
                    for row in db.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                    )
                ]
                for name in names:
                    unit = f"{label}::{name}"
                    if self.ignore.matches(unit):
                        continue
                    quoted = '"' + name.replace('"', '""') + '"'
                    cursor = db.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (a table name)
                    header = [d[0] for d in cursor.description]
                    rows = ([_cell(c) for c in row] for row in cursor)
                    tally = Tally()
                    count = tables.scan_rows(rows, tally, header=header)
                    yield finding(unit, tally, encoding=None, format="sqlite", rows=count)

    def _xlsx(self, label: str, f: IO[bytes]) -> Iterator[Finding]:
        import openpyxl

        book = openpyxl.load_workbook(f, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                unit = f"{label}::{sheet.title}"
                if self.ignore.matches(unit):
                    continue
                rows = ([_cell(c) for c in row] for row in sheet.iter_rows(values_only=True))
                tally = Tally()
                count = tables.scan_rows(rows, tally)
                yield finding(unit, tally, encoding=None, format="xlsx", rows=count)
        finally:
            book.close()


def _decompressed(raw: IO[bytes], head: bytes) -> IO[bytes]:
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if head.startswith(b"BZh"):
        return bz2.BZ2File(raw)
    return lzma.LZMAFile(raw)


def _binary(label: str, opener: Opener) -> Finding:
    """Text runs inside a binary (24 bytes or more without control bytes; UTF-8, else CP932)
    are read as lines of text."""
    tally = Tally()
    scanner = TextScanner(tally)
    rows = 0
    with opener() as stream:
        carry = b""
        while chunk := stream.read(1024 * 1024):
            data, carry = carry + chunk, b""
            for match in _RUNS.finditer(data):
                if match.end() == len(data) and match.end() - match.start() < 65536:
                    carry = match.group(0)
                    break
                scanner.feed(_decode_run(match.group(0)))
                rows += 1
        if carry:
            scanner.feed(_decode_run(carry))
            rows += 1
    scanner.flush()
    return finding(label, tally, encoding=None, format="binary", rows=rows)


def _decode_run(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp932", "ignore")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


_CONTAINERS: Final = frozenset({"zip", "tar", "compressed", "sqlite", "xlsx"})


def _is_tar(head: bytes) -> bool:
    return len(head) > 262 and head[257:262] == b"ustar"


_WORKBOOK: Final = "xl/workbook.xml"


def _kind(head: bytes, label: str) -> str:
    """What a unit is, from its first bytes; a zip's name only says what to call it if it
    cannot be opened (``_zip`` tells a workbook from its directory)."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "xlsx" if label.lower().endswith((".xlsx", ".xlsm")) else "zip"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")):
        return "compressed"
    if _is_tar(head):
        return "tar"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    return "text"


def _read_text(label: str, opener: Opener, head: bytes, codec: str, encoding: str) -> Finding:
    """A decoded text unit: delimited table, fixed-width print file, or letters/free text."""
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    sample = head.decode(codec, "replace")
    lines = sample.splitlines()[:40]
    delimiter = _delimiter(lines, label)
    tally = Tally()
    with opener() as raw:
        stream = io.TextIOWrapper(raw, encoding=codec, errors="replace", newline="")
        if delimiter:
            reader = csv.reader(stream, delimiter=delimiter)
            count = tables.scan_rows(reader, tally)
            format = "tsv" if delimiter == "\t" else "csv"
            return finding(label, tally, encoding=encoding, format=format, rows=count)
        header = next((h for line in lines if (h := header_of(line))), None)
        if header is not None:
            count = tables.scan_rows(
                fixed_width_rows(stream, header, tally), tally, header=[t for _, t in header]
            )
            return finding(label, tally, encoding=encoding, format="fixed-width", rows=count)
        scanner = TextScanner(tally)
        count = 0
        for line in stream:
            scanner.feed(line)
            count += 1
        scanner.flush()
    format = "letters" if scanner.letters else "text"
    return finding(label, tally, encoding=encoding, format=format, rows=count)


def _delimiter(lines: list[str], label: str) -> str | None:
    lines = [line for line in lines if line.strip()]
    if label.lower().endswith(".tsv"):
        return "\t"
    for delimiter in ("\t", ",", ";", "|"):
        counts = [line.count(delimiter) for line in lines]
        if len(counts) >= 2 and counts[0] >= 1:
            same = sum(1 for c in counts if c == counts[0])
            if same >= 0.8 * len(counts):
                return delimiter
    if label.lower().endswith(".csv"):
        return ","
    return None
