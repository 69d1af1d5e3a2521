"""Checkout and check-in through the service layer at the scale of a city library.

    python -m bench.circulation --db sqlite
    python -m bench.circulation --db postgresql --pg-url postgres://postgres@127.0.0.1:5432/postgres

What it does (bench/README.md has the long version):

1. Configures Django itself (settings `shoka.settings.staff`, SHOKA_HOME = bench/work/), writes
   a key file with `shoka.security.keyring` under bench/work/keys and creates an empty database:
   bench/work/sqlite/staff.sqlite3, or the PostgreSQL database `shoka_bench` (dropped and
   created; no other database is touched).
2. Migrates, then bulk-loads a synthetic library (default 100k patrons, 1M items, 2M returned
   loans, plus open loans, holds and the audit log that history would have written). Patrons
   are real rows: personal fields encrypted with the key file, blind indexes and name search
   tokens built with the helpers the services use (`shoka.patrons.services._apply`,
   `shoka.patrons.indexes`). Loading uses COPY on PostgreSQL and one unjournalled transaction
   on SQLite, with secondary indexes built after the rows.
3. Measures, in rounds, N checkouts (random eligible patron, random available item, scanned by
   card number and barcode like the desk does) and then their N check-ins, one client, each
   through `shoka.circulation.services`. Before each checkout the same item goes through the
   baseline transaction: lock the item row by barcode and update its `status_changed_at`
   (the cheapest transaction touching the same row), so ratios compare like with like.
4. Writes bench/results/circulation-<db>.md and appends a line to bench/results/README.md.

`--keep` keeps the database (and reuses it on the next `--keep` run when the sizes, seed and key
file match); without it the database is removed after the run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import platform
import random
import secrets
import shutil
import sqlite3
import statistics
import sys
import time
import traceback
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .bulk import PgWriter, SqliteWriter, Writer, log
from .library import LOADER_VERSION, REF_AT, REF_DAY, UTC, Sizes, card_number, load_dataset

BENCH_DIR = Path(__file__).resolve().parent
WORK = BENCH_DIR / "work"
RESULTS = BENCH_DIR / "results"
KEY_FILE = WORK / "keys" / "shoka.keys"
SQLITE_DIR = WORK / "sqlite"
PG_DB_NAME = "shoka_bench"


def key_fingerprint() -> str:
    from shoka.security.keyring import load_key_file

    ring = load_key_file(KEY_FILE)
    material = ring.data_keys[ring.active_data_key] + ring.index_keys[ring.active_index_key]
    return hashlib.sha256(material).hexdigest()[:16]


def marker_path(db: str) -> Path:
    return WORK / f"dataset-{db}.json"


def wanted_marker(db: str, sizes: Sizes, seed: int) -> dict[str, Any]:
    return {
        "loader_version": LOADER_VERSION,
        "db": db,
        "sizes": asdict(sizes),
        "seed": seed,
        "key": key_fingerprint(),
    }


def read_marker(db: str) -> dict[str, Any] | None:
    try:
        return json.loads(marker_path(db).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


# --- environment and databases --------------------------------------------------------------


def bench_pg_url(pg_url: str) -> str:
    parts = urllib.parse.urlsplit(pg_url)
    return parts._replace(path=f"/{PG_DB_NAME}").geturl()


def configure_django(db: str, pg_url: str | None) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "shoka.settings.staff"
    os.environ["SHOKA_HOME"] = str(WORK)
    os.environ["SHOKA_DATA_DIR"] = str(SQLITE_DIR)
    os.environ["SHOKA_KEY_FILE"] = str(KEY_FILE)
    os.environ["SHOKA_SECRET_KEY"] = secrets.token_urlsafe(32)
    os.environ["SHOKA_LOG_LEVEL"] = "WARNING"
    os.environ["SHOKA_DEBUG"] = "0"
    if db == "postgresql":
        assert pg_url
        os.environ["SHOKA_DATABASE_URL"] = bench_pg_url(pg_url)
    else:
        os.environ.pop("SHOKA_DATABASE_URL", None)
    import django

    django.setup()


def ensure_key_file() -> None:
    from shoka.security.keyring import KeyRing, write_key_file

    if not KEY_FILE.exists():
        write_key_file(KEY_FILE, KeyRing.generate())
        log(f"key file written: {KEY_FILE}")


def pg_database_exists(pg_url: str) -> bool:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DB_NAME,)).fetchone()
    return row is not None


def pg_drop(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        try:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB_NAME}" WITH (FORCE)')
        except psycopg.errors.SyntaxError:  # PostgreSQL < 13
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB_NAME}"')


def pg_create(pg_url: str) -> None:
    import psycopg

    pg_drop(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{PG_DB_NAME}"')


def sqlite_path() -> Path:
    return SQLITE_DIR / "staff.sqlite3"


def drop_dataset(db: str, pg_url: str | None) -> None:
    if db == "postgresql":
        assert pg_url
        pg_drop(pg_url)
    else:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
    marker_path(db).unlink(missing_ok=True)


def dataset_present(db: str, pg_url: str | None) -> bool:
    if db == "postgresql":
        assert pg_url
        return pg_database_exists(pg_url)
    return sqlite_path().exists()


# --- measuring ------------------------------------------------------------------------------


def pct(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(len(sorted_values), rank) - 1]


@dataclass
class OpStats:
    n: int
    p50: float
    p90: float
    p99: float
    max: float
    mean: float
    ops_s: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> OpStats:
        v = sorted(x * 1000 for x in seconds)
        return cls(
            n=len(v),
            p50=pct(v, 50),
            p90=pct(v, 90),
            p99=pct(v, 99),
            max=v[-1],
            mean=statistics.fmean(v),
            ops_s=len(v) / (sum(v) / 1000),
        )


@dataclass
class Round:
    baseline: OpStats
    checkout: OpStats
    checkin: OpStats
    refusals: Counter[str] = field(default_factory=Counter)
    routes: Counter[str] = field(default_factory=Counter)


class Bench:
    def __init__(self, sizes: Sizes, seed: int, ops: int, rounds: int) -> None:
        from django.contrib.auth import get_user_model

        from shoka.audit.actors import Actor
        from shoka.organisation.models import Branch, Library

        self.sizes, self.ops, self.rounds = sizes, ops, rounds
        self.rng = random.Random(seed + 1)
        self.library = Library.objects.get(code="bench")
        self.branches = {
            b.pk: b for b in Branch.objects.select_related("library").filter(library=self.library)
        }
        self.actor = Actor.for_user(get_user_model().objects.get(username="bench-librarian"))
        self.clock = REF_AT
        self.used_items: set[int] = set()
        self.used_patrons: set[int] = set()

    def at(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=1)
        return self.clock

    def sample_items(self, n: int) -> list[tuple[str, int]]:
        from shoka.catalogue.models import Item

        found: list[tuple[str, int]] = []
        while len(found) < n:
            want = [
                i
                for i in {
                    self.rng.randrange(1, self.sizes.items + 1)
                    for _ in range(2 * (n - len(found)) + 50)
                }
                if i not in self.used_items
            ]
            for chunk in range(0, len(want), 500):
                rows = Item.objects.filter(
                    pk__in=want[chunk : chunk + 500],
                    status="available",
                    loan_category__loanable=True,
                ).values_list("id", "barcode", "branch_id")
                for pk, barcode, branch_id in rows:
                    if len(found) < n and pk not in self.used_items:
                        self.used_items.add(pk)
                        found.append((barcode, branch_id))
        self.rng.shuffle(found)
        return found

    def sample_patrons(self, n: int) -> list[str]:
        """Cards of patrons a desk would serve without a refusal: active, valid card, not
        suspended, no overdue loans, room under the loan limits."""
        from django.db.models import Count, Q

        from shoka.circulation.models import Loan
        from shoka.patrons.models import Patron

        found: list[str] = []
        while len(found) < n:
            want = [
                p
                for p in {
                    self.rng.randrange(1, self.sizes.patrons + 1)
                    for _ in range(3 * (n - len(found)) + 50)
                }
                if p not in self.used_patrons
            ]
            for chunk in range(0, len(want), 500):
                ids = want[chunk : chunk + 500]
                ok = set(
                    Patron.objects.filter(pk__in=ids, status="active", expires_on__gte=REF_DAY)
                    .filter(Q(suspended_until__isnull=True) | Q(suspended_until__lt=REF_DAY))
                    .exclude(category__code="out_of_area")
                    .values_list("pk", flat=True)
                )
                busy = (
                    Loan.objects.filter(patron_id__in=ids, returned_at__isnull=True)
                    .values("patron_id")
                    .annotate(n=Count("id"), late=Count("id", filter=Q(due_on__lt=REF_DAY)))
                    .filter(Q(n__gte=6) | Q(late__gt=0))
                    .values_list("patron_id", flat=True)
                )
                ok -= set(busy)
                for pk in ids:
                    if pk in ok and len(found) < n:
                        self.used_patrons.add(pk)
                        found.append(card_number(pk))
        return found

    def check_dataset(self) -> None:
        """The card formula must match the stored (encrypted) card number."""
        from shoka.patrons.models import Patron
        from shoka.patrons.services import find_patron_by_card

        patron = Patron.objects.get(pk=1)
        assert patron.card_number == card_number(1), "card numbers do not match the generator"
        found = find_patron_by_card(self.library.pk, card_number(1))
        assert found is not None and found.pk == 1, "blind index lookup failed"

    def baseline(self, barcode: str, at: dt.datetime) -> None:
        from django.db import transaction

        from shoka.catalogue.models import Item

        with transaction.atomic():
            item = (
                Item.objects.select_for_update()
                .only("id")
                .get(library_id=self.library.pk, barcode=barcode)
            )
            Item.objects.filter(pk=item.pk).update(status_changed_at=at)

    def round(self, n: int) -> Round:
        import shoka.circulation.services as services

        items = self.sample_items(n)
        cards = self.sample_patrons(n)
        base_t: list[float] = []
        out_t: list[float] = []
        in_t: list[float] = []
        refusals: Counter[str] = Counter()
        routes: Counter[str] = Counter()
        lent: list[tuple[str, int]] = []
        clock = time.perf_counter
        for (barcode, home), card in zip(items, cards, strict=True):
            branch = self.branches[home]
            at = self.at()
            t0 = clock()
            self.baseline(barcode, at)
            t1 = clock()
            try:
                services.checkout(barcode, card, branch=branch, actor=self.actor, at=self.at())
            except services.CirculationRefused as exc:
                refusals.update(str(r.code) for r in exc.refusals)
                continue
            t2 = clock()
            base_t.append(t1 - t0)
            out_t.append(t2 - t1)
            lent.append((barcode, home))
        self.rng.shuffle(lent)
        others = list(self.branches)
        for barcode, home in lent:
            branch_id = home if self.rng.random() < 0.85 else self.rng.choice(others)
            at = self.at()
            t0 = clock()
            result = services.checkin(
                barcode, branch=self.branches[branch_id], actor=self.actor, at=at
            )
            in_t.append(clock() - t0)
            routes[result.routing.route.value] += 1
        return Round(OpStats.of(base_t), OpStats.of(out_t), OpStats.of(in_t), refusals, routes)

    def count_queries(self) -> tuple[int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        import shoka.circulation.services as services

        ((barcode, home),) = self.sample_items(1)
        (card,) = self.sample_patrons(1)
        with CaptureQueriesContext(connection) as out:
            services.checkout(
                barcode, card, branch=self.branches[home], actor=self.actor, at=self.at()
            )
        with CaptureQueriesContext(connection) as back:
            services.checkin(barcode, branch=self.branches[home], actor=self.actor, at=self.at())
        return len(out.captured_queries), len(back.captured_queries)

    def profile(self, n: int, path: Path) -> str:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        self.round(n)
        profiler.disable()
        buf = io.StringIO()
        stats = pstats.Stats(profiler, stream=buf)
        stats.sort_stats("cumulative").print_stats(70)
        stats.sort_stats("tottime").print_stats(40)
        path.write_text(buf.getvalue(), encoding="utf-8")
        return buf.getvalue()


# --- reporting ------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu, mem = "unknown", "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": mem,
        "kernel": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def database_description() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]
            settings = []
            for name in ("shared_buffers", "synchronous_commit", "fsync"):
                cur.execute(f"SHOW {name}")
                settings.append(f"{name}={cur.fetchone()[0]}")
            return f"PostgreSQL {version} ({', '.join(settings)}; local TCP)"
        cur.execute("PRAGMA journal_mode")
        journal = cur.fetchone()[0]
        cur.execute("PRAGMA synchronous")
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cur.fetchone()[0], "?")
        return f"SQLite {sqlite3.sqlite_version} (journal_mode={journal}, synchronous={sync})"


def database_size(db: str) -> str:
    from django.db import connection

    if db == "sqlite":
        return f"{sqlite_path().stat().st_size / 2**30:.1f} GiB"
    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        return f"{cur.fetchone()[0] / 2**30:.1f} GiB"


def _med(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def _f(x: float) -> str:
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def render(
    db: str,
    meta: dict[str, Any],
    rounds: list[Round],
    queries: tuple[int, int],
    info: dict[str, Any],
) -> str:
    import django

    m = machine()
    counts = meta["counts"]
    stages = ", ".join(f"{k} {v:.0f} s" for k, v in meta["stages"].items())
    reuse = f" (dataset reused, loaded {meta['loaded_at']})" if info["reused"] else ""
    lines = [
        f"# Circulation benchmark — {'PostgreSQL' if db == 'postgresql' else 'SQLite'}",
        "",
        "Checkout and check-in through `shoka.circulation.services`, one client, sequential. "
        "Written by `python -m bench.circulation`; see bench/README.md for how to read it.",
        "",
        "| | |",
        "|---|---|",
        f"| date | {info['date']} |",
        f"| machine | {m['cpu']}, {m['cores']} cores, {m['ram']} RAM, {m['kernel']} |",
        f"| Python / Django | {m['python']} / {django.get_version()} |",
        f"| database | {info['database']} |",
        f"| dataset | {counts.get('patrons', 0):,} patrons "
        f"({counts.get('patron search tokens', 0):,} search tokens) · "
        f"{counts.get('items', 0):,} items of {counts.get('bibs', 0):,} titles"
        f" in 3 branches · {counts.get('loans (returned)', 0):,} returned loans · "
        f"{counts.get('loans (open)', 0):,} open loans · "
        f"{counts.get('holds (waiting)', 0):,} waiting, {counts.get('holds (ready)', 0):,} ready,"
        f" {counts.get('holds (in_transit)', 0):,} in-transit and "
        f"{counts.get('holds (closed)', 0):,} closed holds · "
        f"{counts.get('audit events', 0):,} audit events · {info['db_size']} on disk |",
        f"| load | {meta['load_seconds']:.0f} s{reuse}: {stages} |",
        f"| load method | {meta['load_note']} |",
        f"| run | {len(rounds)} rounds × {info['ops']:,} checkouts then their check-ins, seed "
        f"{info['seed']}, {info['warmup']} warm-up pairs; {queries[0]} queries per checkout, "
        f"{queries[1]} per check-in |",
        f"| machine load | {info['loadavg']} |",
        "",
        "Latency in milliseconds: median over the rounds of each round's value; spread = "
        "lowest–highest round.",
        "",
        "| operation | p50 | p90 | p99 | max | ops/s | p50 spread | p99 spread |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, key in (
        ("baseline: lock item by barcode + update", "baseline"),
        ("checkout", "checkout"),
        ("check-in", "checkin"),
    ):
        ss = [getattr(r, key) for r in rounds]
        lines.append(
            f"| {label} | {_f(_med(s.p50 for s in ss))} | {_f(_med(s.p90 for s in ss))} | "
            f"{_f(_med(s.p99 for s in ss))} | {_f(_med(s.max for s in ss))} | "
            f"{_med(s.ops_s for s in ss):.0f} | "
            f"{_f(min(s.p50 for s in ss))}–{_f(max(s.p50 for s in ss))} | "
            f"{_f(min(s.p99 for s in ss))}–{_f(max(s.p99 for s in ss))} |"
        )
    lines += ["", "| ratio to the baseline (same run) | p50 | p99 |", "|---|---:|---:|"]
    for label, key in (("checkout / baseline", "checkout"), ("check-in / baseline", "checkin")):
        r50 = _med(getattr(r, key).p50 / r.baseline.p50 for r in rounds)
        r99 = _med(getattr(r, key).p99 / r.baseline.p99 for r in rounds)
        lines.append(f"| {label} | ×{r50:.1f} | ×{r99:.1f} |")
    p99 = _med(r.checkout.p99 for r in rounds)
    refusals = sum((r.refusals for r in rounds), Counter())
    routes = sum((r.routes for r in rounds), Counter())
    lines += [
        "",
        "Per round (ms):",
        "",
        "| round | baseline p50/p99 | checkout p50/p99 | check-in p50/p99 |",
        "|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(rounds, 1):
        lines.append(
            f"| {i} | {_f(r.baseline.p50)} / {_f(r.baseline.p99)} | "
            f"{_f(r.checkout.p50)} / {_f(r.checkout.p99)} | "
            f"{_f(r.checkin.p50)} / {_f(r.checkin.p99)} |"
        )
    lines += [
        "",
        f"Check-in routes: {', '.join(f'{k} {v}' for k, v in sorted(routes.items()))}. "
        f"Refused checkouts (excluded from the timings): "
        f"{', '.join(f'{k} {v}' for k, v in refusals.items()) or 'none'}.",
    ]
    if db == "postgresql":
        verdict = "met" if p99 < 20 else "NOT met"
        lines += [
            "",
            f"Target (p99 checkout < 20 ms on PostgreSQL on this machine): **{verdict}**"
            f" — p99 {p99:.2f} ms.",
        ]
    return "\n".join(lines) + "\n"


RESULTS_README_HEAD = """# Benchmark results

Tables written by the benchmarks in bench/ (see bench/README.md for what each one measures).
Run them with `make bench`, or one at a time:

    .venv/bin/python -m bench.circulation --db sqlite
    .venv/bin/python -m bench.circulation --db postgresql --pg-url postgres://postgres@127.0.0.1:5432/postgres

How to read the tables:

- Latencies are in milliseconds, measured with `time.perf_counter` around one service call
  (one transaction, including its commit). p50/p90/p99 are nearest-rank percentiles within a
  round; the table shows the median over the rounds, and the spread is the lowest–highest
  round. ops/s is operations divided by the time spent in them (one client, sequential).
- Each run also measures a **baseline** on the same rows and connection: the cheapest
  transaction that touches the item (lock it by barcode, update one column, commit). The
  machine is a shared, noisy 2-core VM, so compare the **ratios** to the baseline across runs
  and machines, not the absolute times.
- The header records the machine, date, versions, dataset and load time. A result is only
  comparable with another of the same dataset size.

## Runs

One line per run (newest last): date · benchmark · database · checkout p50/p99 · check-in
p50/p99 · ratios to the baseline · dataset · machine.

"""


def append_summary(db: str, rounds: list[Round], info: dict[str, Any], sizes: Sizes) -> str:
    out50 = _med(r.checkout.p50 for r in rounds)
    out99 = _med(r.checkout.p99 for r in rounds)
    in50 = _med(r.checkin.p50 for r in rounds)
    in99 = _med(r.checkin.p99 for r in rounds)
    r50 = _med(r.checkout.p50 / r.baseline.p50 for r in rounds)
    r99 = _med(r.checkout.p99 / r.baseline.p99 for r in rounds)
    m = machine()
    line = (
        f"- {info['date']} · circulation · {db} · checkout {out50:.2f}/{out99:.2f} ms · "
        f"check-in {in50:.2f}/{in99:.2f} ms · checkout/baseline ×{r50:.1f} (p50) "
        f"×{r99:.1f} (p99) · {sizes.patrons:,} patrons, {sizes.items:,} items, "
        f"{sizes.loans:,} loans · {m['cpu']} {m['cores']} cores"
        f"{' · ' + info['label'] if info.get('label') else ''}\n"
    )
    readme = RESULTS / "README.md"
    if not readme.exists():
        readme.write_text(RESULTS_README_HEAD, encoding="utf-8")
    with readme.open("a", encoding="utf-8") as fh:
        fh.write(line)
    return line


# --- main -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.circulation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument(
        "--pg-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help=f"a server URL; the benchmark uses its own database {PG_DB_NAME!r} there",
    )
    parser.add_argument("--patrons", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--loans", type=int, default=2_000_000, help="returned loans")
    parser.add_argument("--ops", type=int, default=2000, help="checkouts (and check-ins) a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=50, help="unrecorded pairs first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-audit-history",
        action="store_true",
        help="do not load the audit events of the loaded history",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database afterwards and reuse a matching one"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile one extra round (cProfile, bench/work/profile-*.txt)",
    )
    parser.add_argument("--label", default="", help="a note for the summary line")
    parser.add_argument("--no-write", action="store_true", help="print only, write no results")
    args = parser.parse_args(argv)
    if args.db == "postgresql" and not args.pg_url:
        parser.error("--pg-url is required for PostgreSQL")
    if args.ops < 100 or args.rounds < 1:
        parser.error("--ops must be at least 100 and --rounds at least 1")

    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = Sizes.for_args(args.patrons, args.items, args.loans, not args.no_audit_history)
    ensure_key_file()
    wanted = wanted_marker(args.db, sizes, args.seed)
    marker = read_marker(args.db)
    reuse = bool(
        args.keep
        and marker
        and all(marker.get(k) == v for k, v in wanted.items())
        and dataset_present(args.db, args.pg_url)
    )
    if reuse:
        assert marker is not None
        log(f"reusing the {args.db} dataset loaded {marker['loaded_at']}")
    else:
        drop_dataset(args.db, args.pg_url)
        if args.db == "postgresql":
            pg_create(args.pg_url)
        else:
            SQLITE_DIR.mkdir(parents=True, exist_ok=True)
    configure_django(args.db, args.pg_url)
    if not reuse:
        log(f"loading {sizes}")

        def make_writer() -> Writer:
            if args.db == "sqlite":
                return SqliteWriter(sqlite_path())
            return PgWriter(bench_pg_url(args.pg_url))

        marker = {**wanted, **load_dataset(sizes, args.seed, make_writer)}
        if args.keep:
            marker_path(args.db).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    assert marker is not None

    from django.db import connection

    try:
        bench = Bench(sizes, args.seed, args.ops, args.rounds)
        bench.check_dataset()
        log(f"warm-up: {args.warmup} checkout/check-in pairs")
        if args.warmup:
            bench.round(max(args.warmup, 1))
        rounds = []
        load_before = os.getloadavg()
        for i in range(args.rounds):
            r = bench.round(args.ops)
            rounds.append(r)
            log(
                f"round {i + 1}: baseline p50 {r.baseline.p50:.2f} p99 {r.baseline.p99:.2f} · "
                f"checkout p50 {r.checkout.p50:.2f} p99 {r.checkout.p99:.2f} · check-in p50 "
                f"{r.checkin.p50:.2f} p99 {r.checkin.p99:.2f} ms · refused "
                f"{sum(r.refusals.values())}"
            )
        load_after = os.getloadavg()
        queries = bench.count_queries()
        if args.profile:
            text = bench.profile(min(args.ops, 500), WORK / f"profile-{args.db}.txt")
            print("\n".join(text.splitlines()[:60]))
        info = {
            "date": dt.datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "reused": reuse,
            "database": database_description(),
            "db_size": database_size(args.db),
            "ops": args.ops,
            "seed": args.seed,
            "warmup": args.warmup,
            "label": args.label,
            "loadavg": f"{load_before[0]:.1f} before, {load_after[0]:.1f} after the "
            "rounds (1-minute load average; other work shares this VM)",
        }
        table = render(args.db, marker, rounds, queries, info)
        print()
        print(table)
        if not args.no_write:
            (RESULTS / f"circulation-{args.db}.md").write_text(table, encoding="utf-8")
            print(append_summary(args.db, rounds, info, sizes), end="")
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        connection.close()
        if not args.keep:
            log("removing the benchmark database (use --keep to keep it)")
            drop_dataset(args.db, args.pg_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
