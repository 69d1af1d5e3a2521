"""The privacy acceptance test of the two-zone design (MISSION.md, incident 2): staff work
through the real services — registrations, checkouts, holds, returns — is published to a
live OPAC process with a database of its own, each change showing there within five seconds;
afterwards `shoka audit scan --fail-on-findings` over everything the OPAC wrote (its whole
SHOKA_HOME: database or its dump, search index, open-data dumps, access and server logs,
keys) finds nothing. The same scan finds the test's patrons as soon as a staff-side file
of them — the overdue list the 2010 vendor left on the web server — is copied into that
folder.

People are generated from a seed (`shoka.demo.people`); the catalogue is the demo's
generated titles with their authors and readings, which the scanner must not take for
patrons."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import time
import urllib.parse
from dataclasses import replace
from pathlib import Path

from shoka.catalogue.services import create_bib
from shoka.circulation import services
from shoka.demo.bibdata import generate_bibs
from shoka.demo.loader import _bib_data, _patron_data
from shoka.demo.people import generate_people, municipality_postal_codes
from shoka.patrons.services import register_patron
from shoka.publish.builder import build_full, build_pending
from shoka.publish.delivery import push
from shoka.publish.models import PublishTarget

from ..conftest import AT

SHOKA = [sys.executable, "-m", "shoka.cli"]
SEED = 20100510
VISIBLE_WITHIN_S = 5.0


def _publish(opac, signing_key, *, full: bool = False) -> None:
    (build_full if full else build_pending)(key=signing_key)
    push(PublishTarget.objects.get(name="opac"), opac.url, sleep=lambda _s: None)


def _item_status(opac, item_id: int) -> str | None:
    rows = opac.query("SELECT status FROM public_publicitem WHERE id = ?", item_id)
    return rows[0][0] if rows else None


def _hold_queue(opac, bib_id: int) -> int | None:
    rows = opac.query("SELECT hold_queue FROM public_publicrecord WHERE id = ?", bib_id)
    return int(rows[0][0]) if rows else None


def _shown_within(check, seconds: float, started: float) -> float:
    """Seconds from `started` until `check()` holds on the OPAC (fails after `seconds`)."""
    while not check():
        assert time.monotonic() - started < seconds, "not on the OPAC within 5 s"
        time.sleep(0.05)
    return time.monotonic() - started


def _scan(folder: Path, tmp_path: Path) -> tuple[int, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOKA_", "DJANGO_"))}
    env["SHOKA_HOME"] = str(tmp_path / "scanner")  # the investigator's machine, not the OPAC
    done = subprocess.run(
        [*SHOKA, "audit", "scan", "--format", "json", "--fail-on-findings", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 3), done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout)


def _overdue_list(rows: list[dict[str, str]]) -> bytes:
    """督促リスト as the 2010 vendor's system exported it: CP932 CSV, one line per overdue book."""
    out = io.StringIO()
    fields = [
        "利用者番号",
        "氏名",
        "フリガナ",
        "郵便番号",
        "住所",
        "電話番号",
        "書名",
        "貸出日",
        "返却期限",
    ]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("cp932", errors="replace")


def test_nothing_personal_reaches_the_opac_and_the_scanner_would_see_it(
    world, signing_key, opac, tmp_path
):
    rng = random.Random(SEED)
    # The catalogue: generated titles with authors and readings, one copy each.
    bibs, items = [], []
    for demo in generate_bibs(SEED, 30):
        bib = create_bib(world.library, _bib_data(demo), actor=world.staff, at=AT)
        bibs.append(bib)
        items.append([world.item(bib)])
    _publish(opac, signing_key, full=True)
    assert opac.query("SELECT count(*) FROM public_publicrecord") == [(len(bibs),)]
    # Authors with their readings are public catalogue data: the scan below reads them too.
    [(authors,)] = opac.query("SELECT authors FROM public_publicrecord WHERE id = ?", bibs[0].pk)
    authors = json.loads(authors) if isinstance(authors, str) else authors  # SQLite: text
    assert authors[0]["name"] == _bib_data(generate_bibs(SEED, 1)[0]).contributors[0].name

    # Registrations: generated people of 松本市, children with their guardians.
    codes = municipality_postal_codes("長野県", "松本市")
    crowd = [
        p
        for p in generate_people(SEED, 14, today=AT.date(), postal_codes=codes)
        if p.category != "group"
    ][:12]
    patrons = []
    for n, person in enumerate(crowd):
        data = replace(_patron_data(person, f"{300001 + n}", rng), home_branch="main", area_code="")
        patrons.append(
            (
                register_patron(
                    world.library, data, actor=world.staff, at=AT, allow_duplicate=True
                ),
                person,
            )
        )

    # Checkouts, each on the OPAC within 5 s of the desk action.
    delays: list[float] = []
    lent: list[tuple[int, int]] = []  # (patron index, bib index)
    for n, (patron, _person) in enumerate(patrons):
        for b in (n, n + 12):
            item = items[b][0]
            started = time.monotonic()
            services.checkout(item.barcode, patron, branch=world.main, actor=world.staff, at=AT)
            _publish(opac, signing_key)
            delays.append(
                _shown_within(lambda i=item: _item_status(opac, i.pk) == "on_loan", 5, started)
            )
            lent.append((n, b))
    # Holds on lent titles: the queue length shows, nobody's name.
    for n in range(4):
        bib = bibs[n]
        started = time.monotonic()
        services.place_hold(
            bib, patrons[11 - n][0], pickup_branch=world.main, actor=world.staff, at=AT
        )
        _publish(opac, signing_key)
        delays.append(_shown_within(lambda b=bib: _hold_queue(opac, b.pk) == 1, 5, started))
    # Returns: a held title goes to the hold shelf, the others back on the shelf.
    for n in range(6):
        item = items[n][0]
        started = time.monotonic()
        services.checkin(item.barcode, branch=world.main, actor=world.staff, at=AT)
        _publish(opac, signing_key)
        expected = "on_hold_shelf" if n < 4 else "available"
        delays.append(
            _shown_within(lambda i=item, s=expected: _item_status(opac, i.pk) == s, 5, started)
        )
    assert max(delays) < VISIBLE_WITHIN_S

    # The public side at work: pages, API and feed requests (in its access log), and the
    # nightly open-data dumps (`shoka opac dump`, served at /data/).
    for path in (
        "/",
        f"/search?q={urllib.parse.quote(bibs[0].title)}",
        f"/records/{bibs[0].pk}",
        "/new/",
        f"/api/v1/records/{bibs[1].pk}",
        "/feeds/new-arrivals.atom",
    ):
        assert opac.get(path)[0] == 200, path
    opac.shoka("opac", "dump", "--quiet")

    # Everything the OPAC wrote: its home folder (on PostgreSQL with its database dumped there).
    home = opac.home
    opac.dump()
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    assert any(p.startswith("logs/access.log") for p in written)
    assert (home / "logs" / "access.log").stat().st_size > 0  # the receiver's requests
    assert any(p.startswith("data/index/opac/") for p in written)
    assert any(p.startswith("data/opendata/") and p.endswith(".csv.gz") for p in written)
    assert any(p.startswith(("data/opac.sqlite3", "dump/public_publicrecord.csv")) for p in written)
    status, report = _scan(home, tmp_path)
    assert (status, report["files"]) == (0, []), report
    assert report["units_scanned"] >= len(written)

    # The 2010 mistake: the staff side's overdue list copied to the web server.
    rows = []
    for n, b in lent[6:]:
        patron, person = patrons[n]
        rows.append(
            {
                "利用者番号": patron.card_number,
                "氏名": person.name,
                "フリガナ": person.name_kana,
                "郵便番号": f"{person.postal_code[:3]}-{person.postal_code[3:]}",
                "住所": person.address,
                "電話番号": person.phone,
                "書名": bibs[b].title,
                "貸出日": AT.date().isoformat(),
                "返却期限": (AT.date() + dt.timedelta(days=14)).isoformat(),
            }
        )
    leak = home / "www" / "tokusoku" / "tokusoku_list.csv"
    leak.parent.mkdir(parents=True)
    leak.write_bytes(_overdue_list(rows))
    status, report = _scan(home, tmp_path)
    assert status == 3
    [finding] = report["files"]
    assert finding["path"] == "www/tokusoku/tokusoku_list.csv"
    assert finding["personal"] and finding["records"] == len(rows)
    assert finding["persons"] == len({n for n, _b in lent[6:]})
    assert {"name", "kana", "address", "phone", "patron_id"} <= set(finding["attributes"])
    assert finding["origin"] == "長野県松本市"
