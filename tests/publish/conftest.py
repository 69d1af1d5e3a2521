"""A live OPAC for the publishing tests: `shoka opac init` and `shoka serve --site opac` in a
process of their own, with a database of their own (SQLite, or a scratch PostgreSQL
database on the PostgreSQL pass), trusting the test signing key. Everything the OPAC writes
stays under its SHOKA_HOME: the database (or, on PostgreSQL, its dump — `Opac.dump()`), the
search index, and the server's output — the JSON access log in `logs/access.log` (standard
output, as a deployment's service manager would file it) and gunicorn's own messages in
`logs/server.log`."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

from shoka.publish.signing import (
    SIGNATURE_HEADER,
    generate_key_file,
    load_private_key,
    public_key_text,
)

SHOKA = [sys.executable, "-m", "shoka.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def signing_key() -> Any:
    path = Path(settings.SHOKA_PUBLISH_KEY_FILE)
    if not path.exists():
        generate_key_file(path)
    return load_private_key(path)


@dataclass
class Opac:
    url: str  # the receiver, e.g. http://127.0.0.1:PORT/publish/
    home: Path
    database_url: str | None
    init_output: str = ""  # what `shoka opac init` printed (the settings it asks for)

    def post(self, body: bytes, signature: str | None) -> tuple[int, dict[str, Any]]:
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        request = urllib.request.Request(
            self.url + "changesets", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def expected(self) -> int:
        with urllib.request.urlopen(self.url + "status", timeout=30) as response:
            return int(json.loads(response.read())["expected"])

    def shoka(self, *args: str) -> str:
        """Run `shoka ARGS` as the OPAC's operator would, with its home and database."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOKA_", "DJANGO_"))}
        env["SHOKA_HOME"] = str(self.home)
        if self.database_url:
            env["SHOKA_OPAC_DATABASE_URL"] = self.database_url
        done = subprocess.run(
            [*SHOKA, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def get(self, path: str) -> tuple[int, bytes]:
        """GET a page of the public site (path from the site's root)."""
        root = self.url.removesuffix("/publish/")
        try:
            with urllib.request.urlopen(root + path, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def dump(self) -> Path | None:
        """On PostgreSQL, copy every table of the OPAC's database to `dump/<table>.csv` under
        its home (the nightly backup an operator would keep next to it); on SQLite the database
        is a file there already."""
        if not self.database_url:
            return None
        folder = self.home / "dump"
        folder.mkdir(exist_ok=True)
        with psycopg.connect(self.database_url) as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            ]
            for table in tables:
                with (folder / f"{table}.csv").open("wb") as out:
                    with conn.cursor().copy(
                        f'COPY "{table}" TO STDOUT WITH (FORMAT csv, HEADER true)'
                    ) as copy:
                        for chunk in copy:
                            out.write(chunk)
        return folder

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the OPAC's own database directly (the test's view of what it stored)."""
        if self.database_url:
            with psycopg.connect(self.database_url) as conn:
                return list(conn.execute(sql.replace("?", "%s"), params).fetchall())
        with sqlite3.connect(self.home / "data" / "opac.sqlite3") as conn:
            return list(conn.execute(sql, params).fetchall())


def _start_opac(
    tmp_path: Path,
    public_key: str,
    extra_env: dict[str, str] | None = None,
    init_args: tuple[str, ...] = (),
) -> Iterator[Opac]:
    """`shoka opac init` (with ``init_args``) and `shoka serve --site opac` in a process
    group of their own; its access and server logs go to logs/ under its home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOKA_", "DJANGO_"))}
    env["SHOKA_HOME"] = str(tmp_path / "opac")
    env.update(extra_env or {})
    scratch = admin_url = database_url = None
    if settings.TEST_DB == "postgresql":
        db = settings.DATABASES["default"]
        scratch = f"shoka_opac_{os.getpid()}_{_free_port()}"
        admin_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{scratch}"
        env["SHOKA_OPAC_DATABASE_URL"] = database_url
    port = _free_port()
    init = subprocess.run(
        [
            *SHOKA,
            "opac",
            "init",
            "--staff-key",
            public_key,
            "--url",
            f"http://127.0.0.1:{port}",
            *init_args,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert init.returncode == 0, init.stderr
    assert f"SHOKA_PUBLISH_URL=http://127.0.0.1:{port}/publish/" in init.stdout
    logs = tmp_path / "opac" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / "access.log").open("ab") as access, (logs / "server.log").open("ab") as errors:
        server = subprocess.Popen(
            [*SHOKA, "serve", "--site", "opac", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=access,
            stderr=errors,
            start_new_session=True,  # its own process group: stopped at once below
        )
    opac = Opac(f"http://127.0.0.1:{port}/publish/", tmp_path / "opac", database_url, init.stdout)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                opac.expected()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield opac
    finally:
        # SIGQUIT is gunicorn's quick shutdown (SIGTERM waits for idle keep-alive threads);
        # the whole group, so `shoka serve` and its gunicorn stop together.
        os.killpg(server.pid, signal.SIGQUIT)
        server.wait(timeout=20)
        if scratch and admin_url:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


@pytest.fixture(scope="module")
def shared_opac(tmp_path_factory, signing_key) -> Iterator[Opac]:
    """One OPAC for a module's receiver tests (each test reads the sequence it expects)."""
    yield from _start_opac(tmp_path_factory.mktemp("opac"), public_key_text(signing_key))


@pytest.fixture
def opac(tmp_path, signing_key) -> Iterator[Opac]:
    """A fresh, empty OPAC for one test."""
    yield from _start_opac(tmp_path, public_key_text(signing_key))
