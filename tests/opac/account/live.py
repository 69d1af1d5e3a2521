"""A live OPAC process set up for self-service (tests/opac/account and tests/e2e):
`shoka opac init --staff-key … --staff-api …` creates its service key and points it at the
staff side's patron API (pytest-django's live_server, which must then trust the service
key init printed).

Its server's output (Django's log and gunicorn's JSON access log) goes to a file inside its
SHOKA_HOME, so that the privacy check reads the logs along with the database."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings

SHOKA = [sys.executable, "-m", "shoka.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOKA_", "DJANGO_"))}
    home = tmp_path / "opac"
    env["SHOKA_HOME"] = str(home)
    scratch = admin_url = database_url = None
    if settings.TEST_DB == "postgresql":
        db = settings.DATABASES["default"]
        scratch = f"shoka_selfservice_{os.getpid()}_{free_port()}"
        admin_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{scratch}"
        env["SHOKA_OPAC_DATABASE_URL"] = database_url
    port = free_port()
    init = subprocess.run(
        [
            *SHOKA,
            "opac",
            "init",
            "--staff-key",
            staff_key,
            "--staff-api",
            staff_api,
            "--url",
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert init.returncode == 0, init.stderr
    match = re.search(r"SHOKA_PATRON_API_OPAC_KEY=(\S+)", init.stdout)
    assert match, init.stdout
    (home / "logs").mkdir()
    log = (home / "logs" / "opac.log").open("wb")
    server = subprocess.Popen(
        [*SHOKA, "serve", "--site", "opac", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped at once below
    )
    opac = SelfServiceOpac(f"http://127.0.0.1:{port}", home, database_url, match.group(1))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(opac.base + "/robots.txt", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield opac
    finally:
        # SIGQUIT is gunicorn's quick shutdown (SIGTERM waits for idle keep-alive threads).
        os.killpg(server.pid, signal.SIGQUIT)
        server.wait(timeout=20)
        log.close()
        if scratch and admin_url:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
