"""The `shoka` command: `init`, `demo` and `serve` in a fresh instance directory (as `make run`
does), and the circulation and audit commands in-process."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from django.conf import settings
from django.db import connection

from shoka.cli import main
from shoka.patrons.models import Patron

SHOKA = [sys.executable, "-m", "shoka.cli"]


@pytest.fixture
def instance(tmp_path, django_db_blocker):
    """A fresh SHOKA_HOME; on the PostgreSQL pass the staff database is a scratch PostgreSQL
    database, so `shoka init` is exercised on both engines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOKA_", "DJANGO_"))}
    env["SHOKA_HOME"] = str(tmp_path / "var")
    scratch = None
    if settings.TEST_DB == "postgresql":
        s = connection.settings_dict
        scratch = f"shoka_cli_{os.getpid()}"
        admin_url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            conn.execute(f'CREATE DATABASE "{scratch}"')
        env["SHOKA_DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{scratch}"
    yield env
    if scratch:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SHOKA, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def test_init_creates_keys_databases_and_prints_a_generated_password_once(instance):
    first = run(instance, "init", "--if-needed")
    assert first.returncode == 0, first.stderr
    password = re.search(r"password:\s+(\S+)", first.stdout)
    assert password and len(password.group(1)) >= 12
    home = Path(instance["SHOKA_HOME"])
    key_file = home / "keys" / "shoka.keys"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "keys").stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "keys" / "django-secret").stat().st_mode) == 0o600
    assert not key_file.resolve().is_relative_to((home / "data").resolve())
    assert (home / "data" / "opac.sqlite3").exists()
    # Self-service on the local OPAC (docs/opac-self-service.md): its service key, trusted by
    # the staff side, and the staff patron API's address.
    service_key = home / "keys" / "opac-service-ed25519.pem"
    assert stat.S_IMODE(service_key.stat().st_mode) == 0o600
    assert len((home / "keys" / "opac-service.pub").read_text().strip()) == 44
    assert (home / "keys" / "staff-api-url").read_text().strip().endswith("/patron-api/v1/")
    key_before = key_file.read_bytes()

    again = run(instance, "init", "--if-needed")
    assert again.returncode == 0, again.stderr
    assert "password:" not in again.stdout  # shown once only
    assert key_file.read_bytes() == key_before  # never overwritten


def test_a_big_import_indexes_alongside_in_a_second_process(instance):
    """`shoka import` starts an index writer beside the import (the path big files take)
    and ends with the index matching the database."""
    enju = (
        Path(__file__).resolve().parents[2] / "shared" / "data" / "marc" / "enju-japan-marc21.dat"
    )
    assert run(instance, "init", "--if-needed").returncode == 0
    demo = run(instance, "demo", "--bibs", "30", "--patrons", "20")
    assert demo.returncode == 0, demo.stderr
    imported = run(instance, "import", "marc", str(enju), "--index-alongside")
    assert imported.returncode == 0, imported.stderr
    assert "233 were added" in imported.stdout
    check = run(instance, "index", "check", "--json")
    assert check.returncode == 0, check.stdout + check.stderr
    assert '"indexed": 263' in check.stdout
    found = run(instance, "search", "--json", "これからの本の話をしよう")
    assert '"title": "これからの本の話をしよう"' in found.stdout


def test_run_serves_both_sites_and_the_printed_password_signs_in(instance):
    init = run(instance, "init")
    password = re.search(r"password:\s+(\S+)", init.stdout).group(1)
    demo = run(instance, "demo", "--bibs", "40", "--patrons", "25", "--if-empty")
    assert demo.returncode == 0, demo.stderr
    assert "demo library ready" in demo.stdout
    assert "already" in run(instance, "demo", "--if-empty").stdout

    port = _free_port()
    server = subprocess.Popen(
        [*SHOKA, "serve", "--site", "both", "--port", str(port)],
        env=instance,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        staff, opac = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
        _wait_for(f"{staff}/login/")
        _wait_for(f"{opac}/robots.txt")
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = browser.open(f"{staff}/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"username": "admin", "password": password, "csrfmiddlewaretoken": token, "next": "/"}
        ).encode()
        request = urllib.request.Request(
            f"{staff}/login/", data=body, headers={"Referer": f"{staff}/login/"}
        )
        home = browser.open(request).read().decode()
        assert "中央図書館" in home  # the demo's branches, on the signed-in home page
        assert "Crawl-delay" in urllib.request.urlopen(f"{opac}/robots.txt").read().decode()
    finally:
        server.terminate()
        out, _err = server.communicate(timeout=20)
    assert "Sign in at" in out and "/login/" in out  # how to log in is printed
    # The access log is shoka's JSON one, which `shoka audit downloads` reads.
    from shoka.audit.scan.downloads import parse

    fetched = {(t.path, t.client, t.log) for t in parse(out.splitlines())}
    assert ("/robots.txt", "127.0.0.1", "json") in fetched
    assert ("/login/", "127.0.0.1", "json") in fetched


@pytest.fixture
def cli(world):
    return CliRunner()


def test_cli_checkout_checkin_and_renew(world, cli):
    patron, item = world.patron(), world.item()
    card = patron.card_number
    at = "2026-06-02T10:00:00+09:00"
    out = cli.invoke(main, ["checkout", card, item.barcode, "--at", at])
    assert out.exit_code == 0, out.output
    assert "due 2026-06-16" in out.output
    out = cli.invoke(main, ["renew", item.barcode, "--at", "2026-06-10T10:00:00+09:00"])
    assert out.exit_code == 0 and "due 2026-06-24" in out.output, out.output
    out = cli.invoke(main, ["checkin", item.barcode, "--at", "2026-06-11T10:00:00+09:00"])
    assert out.exit_code == 0 and "shelve" in out.output, out.output


def _expired_patron(world):
    patron = world.patron(at=dt.datetime(2025, 1, 6, 10, 0, tzinfo=dt.UTC))
    Patron.objects.filter(pk=patron.pk).update(expires_on=dt.date(2026, 1, 6))
    return patron


def test_cli_refusal_names_every_reason_and_fails(world, cli):
    patron = _expired_patron(world)
    out = cli.invoke(
        main, ["checkout", patron.card_number, "NO-SUCH", "--at", "2026-06-02T10:00:00+09:00"]
    )
    assert out.exit_code == 1 and "unknown_barcode" in out.output
    item = world.item()
    out = cli.invoke(
        main, ["checkout", patron.card_number, item.barcode, "--at", "2026-06-02T10:00:00+09:00"]
    )
    assert out.exit_code == 1 and "[card_expired]" in out.output


def test_cli_override_needs_a_staff_user_with_the_permission(world, cli):
    patron, item = _expired_patron(world), world.item()
    args = [
        "checkout",
        patron.card_number,
        item.barcode,
        "--override",
        "renewing today",
        "--at",
        "2026-06-02T10:00:00+09:00",
    ]
    assert cli.invoke(main, args).exit_code == 1  # the command line alone may not override
    out = cli.invoke(main, [*args, "--staff", world.staff_user.username])
    assert out.exit_code == 0, out.output


def test_cli_daily_and_audit_verify(world, cli):
    world.patron()
    out = cli.invoke(main, ["daily", "--at", "2026-06-02T07:00:00+09:00"])
    assert out.exit_code == 0 and "holds expired: 0" in out.output
    out = cli.invoke(main, ["audit", "verify"])
    assert out.exit_code == 0 and "audit log:" in out.output and "ok" in out.output
