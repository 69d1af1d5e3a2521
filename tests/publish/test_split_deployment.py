"""Two real deployments from the command line: `shoka init` and `shoka serve --site both`
run the staff and public sites as separate processes with separate databases, and a
checkout made by another staff-side process shows on the OPAC within five seconds."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

SHOKA = [sys.executable, "-m", "shoka.cli"]

CHECKOUT = """
from shoka.audit.actors import Actor
from shoka.catalogue.models import Item
from shoka.circulation import services
from shoka.organisation.models import Branch
from shoka.patrons.models import Patron
branch = Branch.objects.get(kind="main")
item = Item.objects.filter(status="available", loan_category__loanable=True,
                           branch=branch).order_by("id").first()
assert item is not None, "the demo left no copy to lend at the main library"
for patron in Patron.objects.order_by("id"):
    try:
        services.checkout(item.barcode, patron, branch=branch, actor=Actor.cli(),
                          at=__import__("django.utils.timezone").utils.timezone.now())
    except services.CirculationRefused:
        continue
    break
print(item.pk)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def instance(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOKA_", "DJANGO_"))}
    env["SHOKA_HOME"] = str(tmp_path / "var")
    scratch = admin_url = None
    if settings.TEST_DB == "postgresql":
        db = settings.DATABASES["default"]
        scratch = f"shoka_split_{os.getpid()}"
        admin_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            conn.execute(f'CREATE DATABASE "{scratch}"')
        env["SHOKA_DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{scratch}"
    yield env
    if scratch and admin_url:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*SHOKA, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _opac_item(opac_db: Path, item_id: int) -> tuple[str, str | None] | None:
    with sqlite3.connect(opac_db) as conn:
        row = conn.execute(
            "SELECT status, due_on FROM public_publicitem WHERE id = ?", (item_id,)
        ).fetchone()
    return None if row is None else (row[0], row[1])


def _wait(check, *, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    return check()


def test_a_checkout_on_the_staff_side_shows_on_the_opac_within_five_seconds(instance):
    init = _run(instance, "init")
    assert "the local OPAC trusts it" in init.stdout
    _run(instance, "demo", "--bibs", "30", "--patrons", "10")
    opac_db = Path(instance["SHOKA_HOME"]) / "data" / "opac.sqlite3"
    port = _free_port()
    server = subprocess.Popen(
        [*SHOKA, "serve", "--site", "both", "--port", str(port), "--workers", "1"],
        env=instance,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # The publisher sends the demo catalogue once the OPAC answers.
        def published() -> int:
            with sqlite3.connect(opac_db) as conn:
                return int(conn.execute("SELECT count(*) FROM public_publicrecord").fetchone()[0])

        assert _wait(published, seconds=60) == 30
        staff = {**instance, "DJANGO_SETTINGS_MODULE": "shoka.settings.staff"}
        started = time.monotonic()
        item_id = int(_run(staff, "manage", "shell", "-c", CHECKOUT).stdout.split()[-1])
        lent_at = time.monotonic()
        shown = _wait(
            lambda: (_opac_item(opac_db, item_id) or ("", None))[0] == "on_loan", seconds=5
        )
        assert shown, f"not on the OPAC 5 s after the checkout ({lent_at - started:.1f} s to lend)"
        status, due_on = _opac_item(opac_db, item_id) or ("", None)
        assert status == "on_loan" and due_on
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert "publish:" not in out or "retrying" in out  # failures are reported, not fatal
