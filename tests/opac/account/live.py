"""A live OPAC process set up for self-service (tests/opac/account and tests/e2e):
`shoka opac init --staff-key … --staff-api …` creates its service key and points it at the
staff side's patron API (pytest-django's live_server, which must then trust the service
key init printed).

Its server's output (Django's log and gunicorn's JSON access log) goes to logs/ inside its
SHOKA_HOME, so that the privacy check reads the logs along with the database."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from tests.publish.conftest import _free_port as free_port  # noqa: F401 — used by the tests
from tests.publish.conftest import _start_opac


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Page:
    status: int
    headers: Any
    text: str

    def csrf(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        assert match, "the form carries a CSRF token"
        return match.group(1)


@dataclass
class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (the tests do)."""

    base: str
    language: str = "en"
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def _open(self, request: urllib.request.Request) -> Page:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )
        request.add_header("Accept-Language", self.language)
        try:
            with opener.open(request, timeout=30) as response:
                return Page(response.status, response.headers, response.read().decode())
        except urllib.error.HTTPError as exc:
            return Page(exc.code, exc.headers, exc.read().decode())

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str], *, csrf_from: Page | None = None) -> Page:
        if csrf_from is not None:
            data = {"csrfmiddlewaretoken": csrf_from.csrf(), **data}
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        return self._open(request)


@dataclass
class SelfServiceOpac:
    base: str
    home: Path
    database_url: str | None
    service_public_key: str

    def browser(self, language: str = "en") -> Browser:
        return Browser(self.base, language)

    def publish_url(self) -> str:
        return self.base + "/publish/"

    def stored_text(self) -> list[tuple[str, bytes]]:
        """Everything the OPAC wrote: every file under its SHOKA_HOME (database, index, logs,
        keys) and, on PostgreSQL, every row of every table of its database."""
        found = [(str(p), p.read_bytes()) for p in self.home.rglob("*") if p.is_file()]
        if self.database_url:
            with psycopg.connect(self.database_url) as conn:
                tables = conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
                for (table,) in tables:
                    rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
                    found.append((f"pg:{table}", repr(rows).encode()))
        return found


def start_opac(tmp_path: Path, staff_key: str, staff_api: str) -> Iterator[SelfServiceOpac]:
    """The publishing tests' live OPAC (tests/publish/conftest.py), initialised with the
    staff side's patron API; yields it with the service key init printed."""
    for opac in _start_opac(tmp_path, staff_key, init_args=("--staff-api", staff_api)):
        match = re.search(r"SHOKA_PATRON_API_OPAC_KEY=(\S+)", opac.init_output)
        assert match, opac.init_output
        yield SelfServiceOpac(
            opac.url.removesuffix("/publish/"), opac.home, opac.database_url, match.group(1)
        )
