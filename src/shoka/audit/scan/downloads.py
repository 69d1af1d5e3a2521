"""Leak forensics for `shoka audit downloads`: who fetched which personal file, when, how many
bytes, and whether the transfer completed; the number of distinct recipients (流出先件数).

Three log formats, recognised line by line:

* vsftpd ``xferlog`` (wu-ftpd format): ``Mon May  3 10:11:12 2010 1 192.0.2.5 12345
  /pub/list.csv b _ o a anonymous@ ftp 0 * c`` — direction ``o`` is a download, the last
  field ``c`` complete and ``i`` incomplete.
* Apache/nginx **combined** (and common) logs: ``GET`` requests answered 200 or 206. A 200 is
  complete when the file (found under the scanned root) is no larger than the bytes sent, or
  when its size is unknown; a 206 (a range) is partial.
* shoka's **JSON access log**: one object per line with ``time`` (ISO 8601), ``client``,
  ``method``, ``path``, ``status`` and ``bytes`` (docs/audit.md).

A logged path matches a scanned file when the file's path (the part of the unit before the
first ``::``) is a suffix of it on a ``/`` boundary, after URL-decoding; the longest match
wins. Fetching an archive fetches every unit inside it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

_XFERLOG: Final = re.compile(
    r"^(?P<time>\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}) +\d+ +(?P<client>\S+) +(?P<bytes>\d+)"
    r" +(?P<path>.+?) +[ab] +\S+ +(?P<direction>[oid]) +[agr] +\S+ +\S+ +\d +\S+ +(?P<status>[ci])$"
)
_COMBINED: Final = re.compile(
    r'^(?P<client>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+)'
    r'(?: [^"]*)?" (?P<status>\d{3}) (?P<bytes>\d+|-)'
)


@dataclass(frozen=True, slots=True)
class Transfer:
    client: str
    time: dt.datetime
    path: str
    bytes: int
    complete: bool | None  # None: the log cannot tell
    log: str  # xferlog, combined or json


@dataclass(slots=True)
class LogStats:
    """How many lines a log had and how many were in one of the three formats."""

    lines: int = 0
    recognised: int = 0


def parse(lines: Iterable[str], stats: LogStats | None = None) -> Iterator[Transfer]:
    """Downloads found in log lines of any of the three formats (others are skipped;
    ``stats`` counts them)."""
    stats = stats if stats is not None else LogStats()
    for line in lines:
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        stats.lines += 1
        transfer: Transfer | None = None
        if line.startswith("{"):
            data = _json_object(line)
            if data is not None:
                stats.recognised += 1
                transfer = _json(data)
        elif match := _XFERLOG.match(line):
            stats.recognised += 1
            transfer = _xferlog(match)
        elif match := _COMBINED.match(line):
            stats.recognised += 1
            transfer = _combined(match)
        if transfer is not None:
            yield transfer


def _xferlog(match: re.Match[str]) -> Transfer | None:
    if match["direction"] != "o":
        return None
    time = dt.datetime.strptime(match["time"], "%a %b %d %H:%M:%S %Y")  # noqa: DTZ007 (local)
    return Transfer(
        match["client"], time, match["path"], int(match["bytes"]), match["status"] == "c", "xferlog"
    )


def _combined(match: re.Match[str]) -> Transfer | None:
    if match["method"] != "GET" or match["status"] not in ("200", "206"):
        return None
    time = dt.datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z")
    sent = 0 if match["bytes"] == "-" else int(match["bytes"])
    complete = None if match["status"] == "200" else False
    return Transfer(match["client"], time, urlsplit(match["path"]).path, sent, complete, "combined")


def _json_object(line: str) -> dict[str, Any] | None:
    """A line of shoka's JSON access log (an object with a ``status``), or None."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) and "status" in data else None


def _json(data: dict[str, Any]) -> Transfer | None:
    try:
        if data.get("method", "GET") != "GET" or int(data["status"]) not in (200, 206):
            return None
        complete = None if int(data["status"]) == 200 else False
        return Transfer(
            str(data["client"]),
            dt.datetime.fromisoformat(str(data["time"])),
            urlsplit(str(data["path"])).path,
            int(data.get("bytes") or 0),
            complete,
            "json",
        )
    except (ValueError, KeyError, TypeError):
        return None


# -- matching transfers to scanned units ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fetch:
    unit: str
    client: str
    time: dt.datetime
    bytes: int
    complete: bool | None
    log: str


def _file_of(unit: str) -> str:
    return unit.split("::", 1)[0]


def match(
    transfers: Iterable[Transfer], units: list[str], sizes: dict[str, int] | None = None
) -> list[Fetch]:
    """Each transfer of a scanned file, once per unit inside it."""
    by_file: dict[str, list[str]] = {}
    for unit in units:
        by_file.setdefault(_file_of(unit), []).append(unit)
    files = sorted(by_file, key=len, reverse=True)
    sizes = sizes or {}
    fetches = []
    for transfer in transfers:
        logged = "/" + unquote(transfer.path).lstrip("/")
        found = next((f for f in files if logged.endswith("/" + f)), None)
        if found is None:
            continue
        complete = transfer.complete
        if complete is None and found in sizes:
            complete = transfer.bytes >= sizes[found]
        for unit in by_file[found]:
            fetches.append(
                Fetch(unit, transfer.client, transfer.time, transfer.bytes, complete, transfer.log)
            )
    return sorted(fetches, key=lambda f: (f.unit, _sortable(f.time), f.client))


def _sortable(time: dt.datetime) -> dt.datetime:
    return time if time.tzinfo else time.replace(tzinfo=dt.UTC)


def recipients(fetches: Iterable[Fetch]) -> tuple[set[str], set[str]]:
    """(clients that completed a download, clients that only got part of one)."""
    complete = {f.client for f in fetches if f.complete is not False}
    partial = {f.client for f in fetches if f.complete is False} - complete
    return complete, partial


class ScanReportError(ValueError):
    pass


def read_scan(path: Path) -> tuple[list[str], dict[str, int]]:
    """Personal units of a `shoka audit scan --format json` report, and the sizes of their
    files when the scanned root is still there."""
    refused = ScanReportError(f"{path}: not a `shoka audit scan --format json` report")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        units = [str(f["path"]) for f in data["files"] if f.get("personal")]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise refused from exc
    sizes: dict[str, int] = {}
    root = data.get("root")
    if isinstance(root, str):
        base = Path(root)
        for unit in units:
            file = _file_of(unit)
            candidate = base if base.is_file() and base.name == file else base / file
            if candidate.is_file():
                sizes[file] = candidate.stat().st_size
    return units, sizes
