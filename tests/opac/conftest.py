"""A live OPAC for the public site's tests (pages, open API, feeds, dumps): `shoka opac init`
and `shoka serve --site opac` in a process of their own, with a database of their own
(SQLite, or a scratch PostgreSQL database on the PostgreSQL pass), fed through the real
receiver with changesets signed by the test key.

``live_opac`` is module-scoped: a test module publishes what it needs once (a fixture of
its own) and its tests read it over HTTP. Records, copies and branches are built with the
factories below, which return exactly the allowlist's shape (shoka.publish.allowlist)."""

from __future__ import annotations

import datetime as dt
import http.client
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from tests.publish.conftest import Opac, _start_opac, signing_key  # noqa: F401

from shoka.publish import allowlist
from shoka.publish.signing import canonical, public_key_text, sign

# The public site's tests make many requests from one address: the admission limits (their
# own tests are in tests/admission) would answer 429 in the middle of a test module.
RELAXED_ADMISSION = {
    "SHOKA_OPAC_PER_CLIENT": "100000/second",
    "SHOKA_OPAC_PER_API_KEY": "100000/second",
    "SHOKA_OPAC_MAX_CONCURRENT": "0",
}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class LiveOpac:
    opac: Opac
    base: str  # e.g. http://127.0.0.1:PORT
    key: Any  # the staff signing key the OPAC trusts

    @property
    def home(self) -> Any:
        return self.opac.home

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Answer:
        url = urllib.parse.urlsplit(self.base)
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        # http.client sends ASCII only: percent-encode what is not (a Japanese query).
        path = urllib.parse.quote(path, safe="/?&=%:+,;@!$'()*~#[]")
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            merged: dict[str, str] = {}
            for name, value in response.getheaders():
                key = name.lower()
                merged[key] = f"{merged[key]}, {value}" if key in merged else value
            return Answer(response.status, merged, data)
        finally:
            conn.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers)

    def publish(
        self,
        records: list[dict[str, Any]] | None = None,
        deleted: list[int] | None = None,
        branches: list[dict[str, Any]] | None = None,
    ) -> int:
        """Sign and post one changeset at the sequence the OPAC expects; return it."""
        sequence = self.opac.expected()
        changeset = {
            "format": allowlist.FORMAT,
            "target": "opac",
            "sequence": sequence,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "resync": False,
            "records": records or [],
            "deleted": deleted or [],
            "branches": branches,
        }
        allowlist.validate(changeset)
        body = canonical(changeset)
        status, answer = self.opac.post(body, sign(self.key, body))
        assert status == 200 and answer.get("status") == "applied", (status, answer)
        return sequence

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.opac.query(sql, *params)


@pytest.fixture(scope="module")
def live_opac(tmp_path_factory, signing_key) -> Iterator[LiveOpac]:  # noqa: F811
    """A fresh OPAC process for the module, with relaxed admission limits."""
    for opac in _start_opac(
        tmp_path_factory.mktemp("opac"), public_key_text(signing_key), RELAXED_ADMISSION
    ):
        base = opac.url.removesuffix("/publish/")
        yield LiveOpac(opac, base, signing_key)


# -- factories: allowlist-shaped dicts ------------------------------------------------------


def public_item(
    item_id: int,
    *,
    branch: str = "main",
    branch_name: str = "中央図書館",
    location: str = "general",
    location_name: str = "一般書架",
    call_number: str = "913.6/ナ",
    status: str = "available",
    loanable: bool = True,
    due_on: dt.date | None = None,
    acquired_on: dt.date | None = None,
) -> dict[str, Any]:
    return {
        "id": item_id,
        "branch": branch,
        "branch_name": branch_name,
        "location": location,
        "location_name": location_name,
        "call_number": call_number,
        "status": status,
        "loanable": loanable,
        "due_on": due_on.isoformat() if due_on else None,
        "acquired_on": acquired_on.isoformat() if acquired_on else None,
    }


def public_record(
    record_id: int,
    title: str,
    *,
    title_reading: str = "",
    authors: list[tuple[str, str]] | None = None,
    publisher: str = "書架出版",
    year: int | None = 2024,
    isbns: list[str] | None = None,
    ndc: str = "913.6",
    subjects: list[str] | None = None,
    material_type: str = "book",
    language: str = "jpn",
    hold_queue: int = 0,
    loan_count: int = 0,
    items: list[dict[str, Any]] | None = None,
    **other: Any,
) -> dict[str, Any]:
    authors = authors if authors is not None else [("夏目 漱石", "ナツメ, ソウセキ")]
    record: dict[str, Any] = {
        "id": record_id,
        "title": title,
        "title_reading": title_reading,
        "title_romanized": "",
        "responsibility": " ".join(name for name, _ in authors),
        "authors": [{"name": name, "reading": reading} for name, reading in authors],
        "publisher": publisher,
        "publisher_reading": "",
        "year": year,
        "edition": "",
        "extent": "",
        "isbns": isbns or [],
        "jpno": "",
        "ndc": ndc,
        "subjects": subjects or [],
        "subject_readings": [],
        "series": "",
        "series_reading": "",
        "volume": "",
        "material_type": material_type,
        "language": language,
        "hold_queue": hold_queue,
        "loan_count": loan_count,
        "items": items if items is not None else [public_item(record_id * 10)],
    }
    unknown = set(other) - set(record)
    assert not unknown, f"not allowlisted: {unknown}"
    record.update(other)
    return record


WEEK = [None, ["09:00", "19:00"], ["09:00", "19:00"], ["09:00", "19:00"],
        ["09:00", "19:00"], ["09:00", "17:00"], ["09:00", "17:00"]]  # fmt: skip


def public_branch(
    code: str,
    name: str,
    *,
    name_en: str = "",
    kind: str = "branch",
    address: str = "書架市中央一丁目1番1号",
    phone: str = "0120-000-101",
    hours: list[Any] | None = None,
    position: int = 0,
    start: dt.date | None = None,
    days: int = 60,
    closed: dict[dt.date, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """A branch open every day but Monday (定休日) from ``start`` (default: a week ago) for
    ``days`` days; ``closed`` adds closures {date: (kind, reason)}."""
    hours = WEEK if hours is None else hours
    start = start or timezone.localdate() - dt.timedelta(days=7)
    closed = closed or {}
    calendar = []
    for n in range(days):
        day = start + dt.timedelta(days=n)
        kind_reason = closed.get(day) or (("weekly", "") if day.weekday() == 0 else None)
        entry = hours[day.weekday()] if hours else None
        calendar.append(
            {
                "date": day.isoformat(),
                "open": kind_reason is None,
                "opens": entry[0] if kind_reason is None and entry else None,
                "closes": entry[1] if kind_reason is None and entry else None,
                "closure": kind_reason[0] if kind_reason else "",
                "reason": kind_reason[1] if kind_reason else "",
            }
        )
    return {
        "code": code,
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "address": address,
        "phone": phone,
        "hours": hours,
        "position": position,
        "days": calendar,
    }
