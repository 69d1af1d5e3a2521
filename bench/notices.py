"""Overdue letters: 1,000 letters as one PDF (target: under 30 seconds).

    python -m bench.notices [--letters 1000] [--rounds 3]

1. Configures Django itself (staff settings, SQLite under bench/work/notices/, its own key
   file), migrates a fresh database and loads a synthetic library through the real services:
   the demo organisation and rules, ``--letters`` patrons from shoka.demo.people (names,
   addresses, guardians of children — synthetic, nobody real), two items each from
   shoka.demo.bibdata, lent at once and never returned; a ladder that sends a letter on day
   14; then the daily notices job, which records the letters.
2. In ``--rounds`` rounds: the printer's batch (`print_batch`: read the notices, decrypt
   the addresses, render the library's templates, lay out the PDF, mark them sent), the
   notices put back to pending between rounds; and, separately, the PDF layout alone of the
   same letters.
3. Baseline, measured in the same run: a reportlab document with the same number of A4 pages
   and text lines in Helvetica (no Japanese, no database) — the floor the PDF library sets —
   and ``bench.machine.python_speed()``.
4. Writes bench/results/notices.md and appends a line to bench/results/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import secrets
import shutil
import statistics
import sys
import time
from pathlib import Path

from .machine import describe, python_speed

BENCH_DIR = Path(__file__).resolve().parent
WORK = BENCH_DIR / "work" / "notices"
RESULTS = BENCH_DIR / "results"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def configure_django() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "data").mkdir(parents=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shoka.settings.staff"
    os.environ["SHOKA_HOME"] = str(WORK)
    os.environ["SHOKA_DATA_DIR"] = str(WORK / "data")
    os.environ["SHOKA_KEY_FILE"] = str(WORK / "keys" / "bench.keys")
    os.environ["SHOKA_SECRET_KEY"] = secrets.token_urlsafe(32)
    os.environ.pop("SHOKA_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from shoka.security.keyring import KeyRing, write_key_file

    write_key_file(WORK / "keys" / "bench.keys", KeyRing.generate())
    call_command("migrate", interactive=False, verbosity=0)


def load(letters: int, today: dt.date) -> tuple[object, dt.datetime, float]:
    """The library, the patrons and their loans; returns (library, when the job runs, s)."""
    import random

    from shoka.audit.actors import Actor
    from shoka.audit.log import audited_atomic
    from shoka.catalogue.services import ItemData, add_item, create_bib
    from shoka.circulation import services
    from shoka.demo.bibdata import generate_bibs
    from shoka.demo.loader import TZ, _bib_data, _patron_data, categories_and_rules, organisation
    from shoka.demo.people import generate_people, municipality_postal_codes
    from shoka.notices.daily import run_notices
    from shoka.notices.models import LadderStage
    from shoka.organisation.models import CheckDigit
    from shoka.patrons.checkdigits import with_check_digit
    from shoka.patrons.services import register_patron

    started = time.perf_counter()
    actor = Actor.system("bench")
    lent_at = dt.datetime.combine(today - dt.timedelta(days=40), dt.time(10, 0), TZ)
    with audited_atomic():
        lib = organisation(today)
        categories_and_rules(lib.library, lib.bookmobile)
        LadderStage.objects.create(library=lib.library, stage=1, days=14, channel="letter")
    rng = random.Random(7)
    people = [
        p
        for p in generate_people(
            7,
            letters * 2,
            today=today,
            postal_codes=municipality_postal_codes("長野県", "松本市"),
        )
        if p.address and p.postal_code and p.category != "group"
    ][:letters]
    bibs = generate_bibs(7, letters * 2)
    branch = lib.branches[0]
    for i, person in enumerate(people):
        with audited_atomic():
            card = with_check_digit(CheckDigit.MOD10_W21, f"{3000000 + i:09d}")
            data = _patron_data(person, card, rng)
            patron = register_patron(
                lib.library,
                type(data)(**{**data.__dict__, "card_number": card}),
                actor=actor,
                at=lent_at - dt.timedelta(days=30),
                allow_duplicate=True,
            )
            for j in (2 * i, 2 * i + 1):
                bib = create_bib(lib.library, _bib_data(bibs[j]), actor=actor, at=lent_at)
                item = add_item(
                    bib,
                    ItemData(
                        barcode=f"9{j:08d}",
                        branch=branch.code,
                        location="general",
                        loan_category="book",
                        call_number="913/ア",
                    ),
                    actor=actor,
                    at=lent_at,
                )
                services.checkout(item.barcode, patron, branch=branch, actor=actor, at=lent_at)
        if (i + 1) % 200 == 0:
            log(f"  {i + 1} patrons with their loans")
    job_at = dt.datetime.combine(today, dt.time(7, 0), TZ)
    report = run_notices(lib.library, at=job_at)
    log(f"  daily job: {report}")
    return lib.library, job_at, time.perf_counter() - started


def baseline_pdf(pages: int, lines: int) -> float:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    started = time.perf_counter()
    canvas = Canvas(io.BytesIO(), pagesize=A4, pageCompression=1)
    for _ in range(pages):
        canvas.setFont("Helvetica", 10)
        for k in range(lines):
            canvas.drawString(72, 800 - 14 * k, "Lorem ipsum dolor sit amet, consectetur elit.")
        canvas.showPage()
    canvas.save()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    log("configuring Django and migrating a fresh SQLite database …")
    configure_django()
    from shoka.audit.actors import Actor
    from shoka.notices.models import Notice, Status
    from shoka.notices.pdf import document
    from shoka.notices.printing import pages_of, print_batch

    today = dt.date(2026, 6, 2)
    log(f"loading {args.letters} patrons with two overdue loans each …")
    library, job_at, load_seconds = load(args.letters, today)
    count = Notice.objects.filter(channel="letter").count()
    actor = Actor.system("bench")
    batch, layout, sizes, pages = [], [], [], 0
    notices = list(Notice.objects.filter(channel="letter").order_by("pk"))
    for r in range(args.rounds):
        Notice.objects.update(status=Status.PENDING, sent_at=None, sent_by="")
        started = time.perf_counter()
        data, printed, _batch = print_batch(library, "letter", at=job_at, actor=actor)
        batch.append(time.perf_counter() - started)
        sizes.append(len(data))
        assert printed == count
        prepared = pages_of(notices, library, "letter", today)
        started = time.perf_counter()
        document(prepared, title="bench")
        layout.append(time.perf_counter() - started)
        if r == 0:
            from pypdf import PdfReader

            pages = len(PdfReader(io.BytesIO(data)).pages)
        log(f"  round {r + 1}: batch {batch[-1]:.2f} s, layout alone {layout[-1]:.2f} s")
    base = [baseline_pdf(pages, 22) for _ in range(args.rounds)]
    speed = python_speed()
    write(args, count, pages, batch, layout, base, speed, sizes, load_seconds)


def _fmt(values: list[float]) -> tuple[str, str]:
    return f"{statistics.median(values):.2f}", f"{min(values):.2f}–{max(values):.2f}"


def write(args, count, pages, batch, layout, base, speed, sizes, load_seconds) -> None:
    import django

    now = dt.datetime.now(dt.UTC)
    load_avg = os.getloadavg()[0]
    b_med, b_spread = _fmt(batch)
    l_med, l_spread = _fmt(layout)
    f_med, f_spread = _fmt(base)
    verdict = "met" if statistics.median(batch) * 1000 / count < 30 else "NOT met"
    text = f"""# Overdue letters benchmark

{count:,} overdue letters as one PDF. Written by `python -m bench.notices`; see bench/README.md.

| | |
|---|---|
| date | {now:%Y-%m-%d %H:%M} UTC |
| machine | {describe()} |
| Python / Django | {platform.python_version()} / {django.get_version()} |
| python_speed | {speed:.2f} s (bench.machine.python_speed: 10M additions; compare runs with it) |
| dataset | {count:,} patrons (synthetic, shoka.demo.people), two overdue loans each, SQLite; loaded in {load_seconds:.0f} s |
| rounds | {args.rounds}; median, spread lowest–highest |
| machine load | {load_avg:.1f} (1-minute load average after the rounds) |

| measurement | seconds (median) | spread | per letter ms | ratio to baseline |
|---|---:|---:|---:|---:|
| print batch: read, decrypt, render templates, lay out, mark sent | {b_med} | {b_spread} | {statistics.median(batch) / count * 1000:.1f} | ×{statistics.median(batch) / statistics.median(base):.1f} |
| PDF layout alone (prepared letters) | {l_med} | {l_spread} | {statistics.median(layout) / count * 1000:.1f} | ×{statistics.median(layout) / statistics.median(base):.1f} |
| baseline: reportlab, {pages:,} A4 pages × 22 lines of Helvetica | {f_med} | {f_spread} | — | ×1.0 |

Target: under 30 s for 1,000 letters (scaled from {count:,}) — **{verdict}**. The PDF has {pages:,} pages
({statistics.median(sizes) / 1e6:.1f} MB; the Japanese fonts are not embedded: reportlab's CID
fonts are named, and the viewer or printer supplies them).
"""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "notices.md").write_text(text, encoding="utf-8")
    line = (
        f"- {now:%Y-%m-%d %H:%M} UTC · notices · sqlite · {count:,} letters as one PDF "
        f"{b_med} s (layout alone {l_med} s, reportlab floor {f_med} s) · python_speed "
        f"{speed:.2f} s · {describe().split(',')[0]}\n"
    )
    with (RESULTS / "README.md").open("a", encoding="utf-8") as fh:
        fh.write(line)
    log(text)


if __name__ == "__main__":
    main()
