"""Bulk open data: the whole public catalogue and its holdings as nightly dumps.

``shoka opac dump`` (docs/opac-api.md) writes four gzip files and a manifest into
``SHOKA_DATA_DIR/opendata/``:

    catalogue.jsonl.gz  catalogue.csv.gz   one line per record (書誌)
    holdings.jsonl.gz   holdings.csv.gz    one line per copy (所蔵), with its record id
    index.json          what was written: names, sizes, record counts, dates, SHA-256

Only published fields are written (the public models hold nothing else). The rows are
streamed from the database in chunks and each file is written under a temporary name and
renamed into place, so a reader sees the old file or the new one, never half of one.
The site serves them at /data/ (:func:`data_file`) with ETag and Last-Modified from the
manifest, 304 on conditional requests, HEAD, and a streamed body.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from shoka.publish import allowlist

CHUNK = 2000
MANIFEST = "index.json"
# The columns are the allowlist's (shoka.publish.allowlist): what may leave the staff zone is
# what the dumps carry, in its order; copies are keyed by their record instead of nesting.
RECORD_FIELDS = [name for name in allowlist.RECORD_FIELDS if name != "items"]
ITEM_FIELDS = ["record_id", *(name for name in allowlist.ITEM_FIELDS if name != "id")]
DESCRIPTIONS = {
    "catalogue": "bibliographic records (書誌)",
    "holdings": "copies per branch (所蔵): location, call number, status, due date",
}


def opendata_dir() -> Path:
    return Path(settings.SHOKA_DATA_DIR) / "opendata"


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _csv_value(name: str, value: Any) -> str:
    """One CSV cell: lists joined with " | ", authors as "name (reading)"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        parts = []
        for v in value:
            if isinstance(v, dict):
                name_, reading = str(v.get("name", "")), str(v.get("reading", ""))
                parts.append(f"{name_} ({reading})" if reading else name_)
            else:
                parts.append(str(v))
        return " | ".join(parts)
    return str(value)


@dataclass
class _Out:
    """A gzip file being written under a temporary name."""

    final: Path
    raw: IO[bytes]
    gz: gzip.GzipFile
    text: io.TextIOWrapper
    count: int = 0


def _open(directory: Path, name: str, stack: ExitStack, mtime: float) -> _Out:
    raw = tempfile.NamedTemporaryFile(  # closed by _finish; unlinked by the stack if not renamed
        dir=directory, prefix=f".{name}.", suffix=".tmp", delete=False
    )
    stack.callback(lambda: Path(raw.name).unlink(missing_ok=True))  # only if not renamed
    gz = gzip.GzipFile(filename=name.removesuffix(".gz"), mode="wb", fileobj=raw, mtime=mtime)
    text = io.TextIOWrapper(gz, encoding="utf-8", newline="")
    return _Out(directory / name, raw, gz, text)


def _finish(out: _Out) -> dict[str, Any]:
    out.text.flush()
    out.text.detach()
    out.gz.close()
    out.raw.flush()
    os.fsync(out.raw.fileno())
    out.raw.close()
    digest = hashlib.sha256()
    with open(out.raw.name, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    os.chmod(out.raw.name, 0o644)
    os.replace(out.raw.name, out.final)
    return {"bytes": out.final.stat().st_size, "sha256": digest.hexdigest()}


def _write_pair(
    directory: Path,
    stem: str,
    fields: list[str],
    rows: Iterable[dict[str, Any]],
    mtime: float,
    progress: Callable[[int], None],
) -> list[dict[str, Any]]:
    with ExitStack() as stack:
        jsonl = _open(directory, f"{stem}.jsonl.gz", stack, mtime)
        csvf = _open(directory, f"{stem}.csv.gz", stack, mtime)
        writer = csv.writer(csvf.text, lineterminator="\n")
        writer.writerow(fields)
        count = 0
        for row in rows:
            jsonl.text.write(
                json.dumps(
                    {k: _json_value(row[k]) for k in fields},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
            )
            jsonl.text.write("\n")
            writer.writerow([_csv_value(k, row[k]) for k in fields])
            count += 1
            if count % CHUNK == 0:
                progress(count)
        out = []
        for f, fmt in ((jsonl, "jsonl"), (csvf, "csv")):
            out.append(
                {
                    "name": f.final.name,
                    "content": stem,
                    "description": DESCRIPTIONS[stem],
                    "format": fmt,
                    "records": count,
                    **_finish(f),
                }
            )
        return out


def _records() -> Iterator[dict[str, Any]]:
    from shoka.publish.public.models import PublicRecord

    yield from PublicRecord.objects.order_by("id").values(*RECORD_FIELDS).iterator(CHUNK)


def _items() -> Iterator[dict[str, Any]]:
    from shoka.publish.public.models import PublicItem

    qs = PublicItem.objects.order_by("record_id", "id").values(*ITEM_FIELDS)
    yield from qs.iterator(CHUNK)


def write_dump(
    directory: Path | None = None,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[str, int], None] = lambda _stem, _n: None,
) -> dict[str, Any]:
    """Write the dumps and their manifest into ``directory``; return the manifest."""
    from shoka.publish.public.models import ReceiverState

    directory = directory or opendata_dir()
    directory.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    state = ReceiverState.objects.filter(id=1).first()
    files: list[dict[str, Any]] = []
    for stem, fields, rows in (
        ("catalogue", RECORD_FIELDS, _records()),
        ("holdings", ITEM_FIELDS, _items()),
    ):

        def report(count: int, stem: str = stem) -> None:
            progress(stem, count)

        files += _write_pair(directory, stem, fields, rows, now.timestamp(), report)
    manifest = {
        "generated_at": now.isoformat(),
        "sequence": state.last_sequence if state else 0,
        "license": "CC0-1.0",
        "files": [{**f, "modified": now.isoformat()} for f in files],
    }
    tmp = directory / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)
    return manifest


# --- serving ------------------------------------------------------------------------------


def read_manifest() -> dict[str, Any] | None:
    try:
        data = json.loads((opendata_dir() / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _entry(name: str) -> dict[str, Any] | None:
    manifest = read_manifest() or {}
    for entry in manifest.get("files", []):
        if entry.get("name") == name and (opendata_dir() / name).is_file():
            return dict(entry)
    return None


def _file_etag(request: HttpRequest, name: str) -> str | None:
    entry = _entry(name)
    return f'"{entry["sha256"][:40]}"' if entry else None


def _file_modified(request: HttpRequest, name: str) -> dt.datetime | None:
    entry = _entry(name)
    if entry is None:
        return None
    return dt.datetime.fromisoformat(entry["modified"])


@require_safe
@cache_control(public=True, max_age=3600)
@condition(etag_func=_file_etag, last_modified_func=_file_modified)
def data_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """One dump file, streamed; HEAD answers the headers only."""
    entry = _entry(name)
    if entry is None:
        raise Http404(f"no file {name}")
    path = opendata_dir() / name
    content_type = "application/x-ndjson" if entry["format"] == "jsonl" else "text/csv"
    response: HttpResponseBase
    if request.method == "HEAD":
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = str(path.stat().st_size)
    else:
        response = FileResponse(path.open("rb"), content_type=content_type)
    # The file is the gzip itself (not a transfer encoding): clients save it as it is.
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Record-Count"] = str(entry["records"])
    return response


def _manifest_etag(request: HttpRequest) -> str | None:
    try:
        stat = (opendata_dir() / MANIFEST).stat()
    except FileNotFoundError:
        return '"no-dumps"'
    lang = getattr(request, "LANGUAGE_CODE", "")
    return f'"m{stat.st_mtime_ns:x}-{stat.st_size:x}-{lang}"'


def _manifest_modified(request: HttpRequest) -> dt.datetime | None:
    try:
        mtime = (opendata_dir() / MANIFEST).stat().st_mtime
    except FileNotFoundError:
        return None
    return dt.datetime.fromtimestamp(mtime, tz=dt.UTC)


_manifest_cached = condition(etag_func=_manifest_etag, last_modified_func=_manifest_modified)


@require_safe
@cache_control(public=True, max_age=600)
@_manifest_cached
def data_index(request: HttpRequest) -> HttpResponse:
    """/data/: the files on offer, as a page."""
    manifest = read_manifest()
    files = []
    for entry in (manifest or {}).get("files", []):
        files.append({**entry, "url": f"/data/{entry['name']}"})
    return render(request, "opac/data_index.html", {"manifest": manifest, "files": files})


@require_safe
@cache_control(public=True, max_age=600)
@_manifest_cached
def data_index_json(request: HttpRequest) -> HttpResponse:
    """/data/index.json: the manifest, with absolute URLs."""
    manifest = read_manifest() or {"generated_at": None, "sequence": 0, "files": []}
    for entry in manifest.get("files", []):
        entry["url"] = request.build_absolute_uri(f"/data/{entry['name']}")
    return JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
