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
import array
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH_DIR = Path(__file__).resolve().parent
WORK = BENCH_DIR / "work"
RESULTS = BENCH_DIR / "results"
KEY_FILE = WORK / "keys" / "shoka.keys"
SQLITE_DIR = WORK / "sqlite"
PG_DB_NAME = "shoka_bench"
LOADER_VERSION = 3  # bump when the generated dataset changes, so --keep reloads

TOKYO = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC
# The benchmark's "today": Tuesday 2 June 2026, an ordinary opening day. Fixed (not the wall
# clock) so that a kept dataset means the same thing on every run.
REF_DAY = dt.date(2026, 6, 2)
REF_AT = dt.datetime(2026, 6, 2, 10, 0, tzinfo=TOKYO)
# Generated timestamps are seconds since EPOCH, naive UTC (what Django stores on SQLite).
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC).replace(tzinfo=None)
DAY = 86400

BRANCHES = (("main", "本館", "main"), ("east", "東分館", "branch"), ("west", "西分館", "branch"))
BRANCH_WEIGHTS = (0.5, 0.25, 0.25)
PATRON_CATEGORIES = (  # code, name, requires guardian, is group, share of patrons
    ("adult", "一般", False, False, 0.60),
    ("child", "児童", True, False, 0.18),
    ("student", "学生", False, False, 0.14),
    ("out_of_area", "市外", False, False, 0.075),
    ("group", "団体", False, True, 0.005),
)
LOAN_CATEGORIES = (  # code, name, loanable
    ("book", "図書", True),
    ("av", "視聴覚", True),
    ("kamishibai", "紙芝居", True),
    ("magazine", "雑誌", True),
    ("reference", "参考図書", False),
)
LC_BOOK, LC_AV, LC_KAMISHIBAI, LC_MAGAZINE, LC_REFERENCE = range(5)
LOCATIONS = (
    ("general", "一般書架"),
    ("children", "児童書架"),
    ("reference", "参考図書"),
    ("av", "視聴覚資料"),
)
ITEMS_PER_BIB = (1, 1, 1, 1, 2, 2, 3, 3, 4, 7)  # mean 2.5 copies per title
POSTAL_CODES = (
    "3900811",
    "3900871",
    "3900874",
    "3900815",
    "3900817",
    "3900802",
    "3900852",
    "3900863",
    "3990033",
    "3990001",
    "3900826",
    "3900831",
    "3900842",
    "3900821",
    "3900813",
    "3900812",
    "3900814",
    "3900816",
    "3900861",
    "3900862",
    "3900865",
    "3900866",
    "3900872",
    "3900873",
    "3900875",
    "3900876",
    "3900877",
)
AREAS = tuple(f"A{n:02d}" for n in range(1, 21))
# Item status codes in the generator's bytearray
ST_AVAILABLE, ST_ON_LOAN, ST_HOLD_SHELF, ST_TRANSIT, ST_MISSING, ST_REPAIR, ST_WITHDRAWN = range(7)
ITEM_STATUS = (
    "available",
    "on_loan",
    "on_hold_shelf",
    "in_transit",
    "missing",
    "in_repair",
    "withdrawn",
)


def card_number(patron_id: int) -> str:
    return f"2{patron_id:09d}"


def item_barcode(item_id: int) -> str:
    return f"1{item_id:09d}"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


# --- sizes, the marker of a kept dataset ----------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    patrons: int
    items: int
    loans: int  # returned (historical) loans
    open_loans: int
    holds_waiting: int
    holds_ready: int
    holds_in_transit: int
    holds_closed: int
    audit_history: bool

    @classmethod
    def for_args(cls, patrons: int, items: int, loans: int, audit_history: bool) -> Sizes:
        open_loans = min(items // 10, patrons * 3)
        return cls(
            patrons=patrons,
            items=items,
            loans=loans,
            open_loans=open_loans,
            holds_waiting=min(patrons // 5, open_loans // 3),
            holds_ready=min(patrons // 50, items // 200, 6000),
            holds_in_transit=min(patrons // 200, items // 500, 1500),
            holds_closed=patrons * 3 // 2,
            audit_history=audit_history,
        )


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


# --- bulk writers ---------------------------------------------------------------------------


class Writer:
    """Streams rows into a table and defers secondary indexes. Rows hold plain Python values:
    naive UTC datetimes, dates, bools, str, int, bytes; `dt`/`d`/`js` adapt them."""

    vendor = ""
    note = ""

    def dt(self, value: dt.datetime | None) -> Any:
        raise NotImplementedError

    def d(self, value: dt.date | None) -> Any:
        raise NotImplementedError

    def js(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        raise NotImplementedError

    def defer_indexes(self, tables: Sequence[str]) -> None:
        raise NotImplementedError

    def restore_indexes(self) -> None:
        raise NotImplementedError

    def finish(self, tables: Sequence[str]) -> None:
        raise NotImplementedError


class _Counting:
    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows, self.n = rows, 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.n += 1
            yield row


class SqliteWriter(Writer):
    vendor = "sqlite"
    note = (
        "one transaction, PRAGMA journal_mode=OFF, synchronous=OFF, foreign_keys=OFF "
        "during the load only; secondary indexes built after the rows"
    )

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "foreign_keys=OFF",
            "cache_size=-1000000",
            "temp_store=MEMORY",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("BEGIN")
        self._deferred: list[str] = []

    def dt(self, value: dt.datetime | None) -> Any:
        return None if value is None else str(value)  # what Django stores: naive UTC

    def d(self, value: dt.date | None) -> Any:
        return None if value is None else value.isoformat()

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        counted = _Counting(rows)
        self.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', counted)
        return counted.n

    def defer_indexes(self, tables: Sequence[str]) -> None:
        for table in tables:
            for name, sql in self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (table,),
            ).fetchall():
                self._deferred.append(sql)
                self.conn.execute(f'DROP INDEX "{name}"')

    def restore_indexes(self) -> None:
        for sql in self._deferred:
            self.conn.execute(sql)
        self._deferred.clear()

    def finish(self, tables: Sequence[str]) -> None:
        self.conn.execute("COMMIT")
        # Back to what shoka's settings use; no ANALYZE: shoka never runs it on SQLite.
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.close()


class PgWriter(Writer):
    vendor = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.conn = psycopg.connect(url, autocommit=False)
        notes = [
            "COPY in one transaction",
            "secondary indexes and unique constraints built after the rows",
        ]
        try:
            self.conn.execute("SET session_replication_role = replica")
            notes.append(
                "foreign-key triggers off during the load (session_replication_role "
                "= replica; the generated data is consistent by construction)"
            )
        except psycopg.Error:
            self.conn.rollback()
            notes.append("foreign keys checked during the load (not a superuser)")
        self.conn.execute("SET synchronous_commit = off")
        self.conn.execute("SET maintenance_work_mem = '1GB'")
        self.conn.execute("SET TIME ZONE 'UTC'")
        self.note = "; ".join(notes)
        self._deferred: list[str] = []

    def dt(self, value: dt.datetime | None) -> Any:
        return value  # naive UTC, read in the session time zone UTC

    def d(self, value: dt.date | None) -> Any:
        return value

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n

    def defer_indexes(self, tables: Sequence[str]) -> None:
        for table in tables:
            rows = self.conn.execute(
                """SELECT i.relname, pg_get_indexdef(i.oid), c.conname,
                          pg_get_constraintdef(c.oid)
                     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                     LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid
                                              AND c.conrelid = x.indrelid
                                              AND c.contype IN ('u', 'x')
                    WHERE x.indrelid = %s::regclass AND NOT x.indisprimary""",
                (f'"{table}"',),
            ).fetchall()
            for index, indexdef, constraint, condef in rows:
                if constraint:
                    self._deferred.append(
                        f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {condef}'
                    )
                    self.conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
                else:
                    self._deferred.append(indexdef)
                    self.conn.execute(f'DROP INDEX "{index}"')

    def restore_indexes(self) -> None:
        for sql in self._deferred:
            self.conn.execute(sql)
        self._deferred.clear()

    def finish(self, tables: Sequence[str]) -> None:
        import psycopg

        for table in tables:
            has_id = self.conn.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_name = %s "
                "AND column_name = 'id'",
                (table,),
            ).fetchone()
            if has_id:
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'
                )
        self.conn.execute("SET session_replication_role = origin")
        self.conn.commit()
        self.conn.close()
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")  # what autovacuum would have done by now


# --- the synthetic library ------------------------------------------------------------------


@dataclass
class Reference:
    library_id: int
    branch_ids: list[int]
    location_ids: dict[tuple[int, str], int]  # (branch index, location code)
    patron_category_ids: list[int]
    loan_category_ids: list[int]
    user_id: int


def create_reference_data() -> Reference:
    """The small tables, through the ORM: library, branches and calendars, categories, rules,
    the staff user the benchmark acts as."""
    from django.contrib.auth import get_user_model

    from shoka.catalogue.models import LoanCategory
    from shoka.circulation.models import LoanRule, PatronRule, PeriodUnit
    from shoka.organisation.models import (
        Branch,
        ClosedPeriod,
        ClosedPeriodKind,
        Library,
        Location,
        SpecialOpening,
    )
    from shoka.patrons.models import PatronCategory

    library = Library.objects.create(
        code="bench", name="書架ベンチ市立図書館", name_en="Shoka Bench City Library"
    )
    branches = []
    for i, (code, name, kind) in enumerate(BRANCHES):
        branches.append(
            Branch.objects.create(
                library=library,
                code=code,
                name=name,
                kind=kind,
                weekly_closed_days=[0],
                annual_closures=[["12-29", "01-03"]],
                monthly_closed_rule=[{"week": -1, "weekday": 3}] if i == 0 else [],
            )
        )
    locations = {}
    for i, branch in enumerate(branches):
        for code, name in LOCATIONS:
            locations[(i, code)] = Location.objects.create(branch=branch, code=code, name=name).pk
    # Closures: yearly stocktaking per branch, a few ad-hoc closed days, a special opening.
    for year in range(REF_DAY.year - 3, REF_DAY.year + 2):
        for i, branch in enumerate(branches):
            start = dt.date(year, 2, 9 + 7 * i)
            ClosedPeriod.objects.create(
                library=library,
                branch=branch,
                start=start,
                end=start + dt.timedelta(days=6),
                kind=ClosedPeriodKind.STOCKTAKING,
                reason="蔵書点検",
            )
        ClosedPeriod.objects.create(
            library=library,
            start=dt.date(year, 9, 1),
            end=dt.date(year, 9, 1),
            reason="電気設備点検",
        )
    ClosedPeriod.objects.create(
        library=library,
        branch=branches[1],
        start=dt.date(2026, 6, 16),
        end=dt.date(2026, 6, 17),
        reason="空調工事",
    )
    SpecialOpening.objects.create(
        branch=branches[0], date=dt.date(2026, 6, 15), reason="おはなし会"
    )
    pcats = [
        PatronCategory.objects.create(
            library=library, code=code, name=name, requires_guardian=guardian, is_group=group
        ).pk
        for code, name, guardian, group, _ in PATRON_CATEGORIES
    ]
    lcats = [
        LoanCategory.objects.create(library=library, code=code, name=name, loanable=loanable)
        for code, name, loanable in LOAN_CATEGORIES
    ]
    rule = LoanRule.objects.create
    rule(library=library, loan_period=14, renewals=1)
    rule(library=library, loan_category=lcats[LC_AV], loan_period=14, max_items=3, renewals=1)
    rule(library=library, loan_category=lcats[LC_KAMISHIBAI], loan_period=14, max_items=2)
    rule(library=library, loan_category=lcats[LC_MAGAZINE], loan_period=7, renewals=0)
    rule(
        library=library,
        branch=branches[2],
        loan_period=10,
        period_unit=PeriodUnit.OPENING_DAYS,
        renewals=1,
    )
    prule = PatronRule.objects.create
    prule(library=library, max_loans=10, max_holds=10)
    prule(library=library, patron_category_id=pcats[3], max_loans=5, max_holds=5)
    prule(library=library, patron_category_id=pcats[4], max_loans=50, max_holds=20)
    user = get_user_model().objects.create_user("bench-librarian", password=None)
    return Reference(
        library_id=library.pk,
        branch_ids=[b.pk for b in branches],
        location_ids=locations,
        patron_category_ids=pcats,
        loan_category_ids=[c.pk for c in lcats],
        user_id=user.pk,
    )


def _marc(bib: Any) -> bytes:
    """A small ISO 2709 record for the bib (JAPAN/MARC-shaped enough for row size)."""
    fields: list[tuple[str, bytes]] = [("001", b"B" + bib.title_reading[:8].encode())]
    for isbn in bib.isbns:
        fields.append(("020", b"  \x1fa" + isbn.encode()))
    fields.append(("245", b"00\x1fa" + bib.title.encode() + b"\x1fc" + bib.responsibility.encode()))
    fields.append(("260", b"  \x1fb" + bib.publisher.encode() + b"\x1fc" + str(bib.year).encode()))
    for author in bib.authors:
        fields.append(
            ("700", b"1 \x1fa" + author.heading.encode() + b"\x1fe" + author.role.encode())
        )
    fields.append(("880", b"00\x1fa" + bib.title_reading.encode()))
    directory, body = b"", b""
    for tag, data in fields:
        data += b"\x1e"
        directory += f"{tag}{len(data):04d}{len(body):05d}".encode()
        body += data
    base = 24 + len(directory) + 1
    length = base + len(body) + 1
    leader = f"{length:05d}nam a22{base:05d}   4500".encode()
    return leader + directory + b"\x1e" + body + b"\x1d"


def _age_band(birth_ord: int, on_ord: int) -> str:
    if not birth_ord or on_ord < birth_ord:
        return ""
    from shoka.patrons.contact import age_band, age_on

    return age_band(age_on(dt.date.fromordinal(birth_ord), dt.date.fromordinal(on_ord)))


class Generator:
    """Deterministic (seeded) rows for every large table, written through a Writer."""

    def __init__(self, sizes: Sizes, seed: int, ref: Reference, writer: Writer) -> None:
        self.s, self.ref, self.w = sizes, ref, writer
        self.seed = seed
        self.rng = random.Random(seed)
        self.stages: dict[str, float] = {}
        self.counts: Counter[str] = Counter()
        self.ref_ord = REF_DAY.toordinal()
        self.epoch_ord = EPOCH.date().toordinal()

    # time helpers: seconds since EPOCH (naive UTC) <-> values
    def ts(self, day_ord: int, seconds_utc: int) -> int:
        return (day_ord - self.epoch_ord) * DAY + seconds_utc

    def dtv(self, seconds: int) -> dt.datetime:
        return EPOCH + dt.timedelta(seconds=seconds)

    def opening_time(self) -> int:
        return self.rng.randrange(1800, 36000)  # 09:30–19:00 JST, as seconds after 00:00 UTC

    def stage(self, name: str, fn: Callable[[], None]) -> None:
        started = time.perf_counter()
        fn()
        self.stages[name] = time.perf_counter() - started
        log(f"  {name}: {self.stages[name]:.1f} s")

    def run(self) -> None:
        from shoka.audit.models import AuditEvent, ChainHead
        from shoka.catalogue.models import Bib, Item
        from shoka.circulation.models import Hold, Loan
        from shoka.patrons.models import Patron, PatronSearchToken

        self.tables = {
            m: m._meta.db_table
            for m in (Bib, Item, Patron, PatronSearchToken, Loan, Hold, AuditEvent, ChainHead)
        }
        big = [
            self.tables[m] for m in (Bib, Item, Patron, PatronSearchToken, Loan, Hold, AuditEvent)
        ]
        self.stage("plan (in memory)", self.plan)
        self.w.defer_indexes(big)
        self.stage("bibs", self.write_bibs)
        self.stage("items", self.write_items)
        self.stage("patrons (encrypted) + search tokens", self.write_patrons)
        self.stage("loans", self.write_loans)
        self.stage("holds", self.write_holds)
        if self.s.audit_history:
            self.stage("audit log (hash chain)", self.write_audit)
        self.stage("secondary indexes", self.w.restore_indexes)
        self.stage(
            "commit" + (", VACUUM ANALYZE" if self.w.vendor == "postgresql" else ""),
            lambda: self.w.finish([*big, self.tables[ChainHead]]),
        )

    # --- planning: everything that later rows refer to -------------------------------------
    def plan(self) -> None:
        from faker import Faker

        from shoka.demo.bibdata import call_number, generate_bibs
        from shoka.patrons.contact import complete_address

        rng, s = self.rng, self.s
        pool_size = max(1, min(50_000, s.items // 3))
        self.pool = generate_bibs(self.seed, pool_size)
        self.pool_call = [call_number(b) for b in self.pool]
        self.pool_marc = [_marc(b) for b in self.pool]
        # titles and their copies
        self.bib_first = array.array("I", [0])  # 1-based bib id -> first item id
        self.bib_count = array.array("B", [0])
        n = 0
        while n < s.items:
            k = min(rng.choice(ITEMS_PER_BIB), s.items - n)
            self.bib_first.append(n + 1)
            self.bib_count.append(k)
            n += k
        self.n_bibs = len(self.bib_first) - 1
        self.item_bib = array.array("I", [0]) * (s.items + 1)
        for b in range(1, self.n_bibs + 1):
            for i in range(self.bib_first[b], self.bib_first[b] + self.bib_count[b]):
                self.item_bib[i] = b
        # copies: category, branch, status
        self.item_cat = bytearray(s.items + 1)
        self.item_branch = bytearray(s.items + 1)
        self.item_status = bytearray(s.items + 1)
        cat_of = {
            "book": LC_BOOK,
            "large_print": LC_BOOK,
            "picture_book": LC_BOOK,
            "kamishibai": LC_KAMISHIBAI,
            "magazine": LC_MAGAZINE,
            "cd": LC_AV,
            "dvd": LC_AV,
            "daisy": LC_AV,
        }
        for i in range(1, s.items + 1):
            bib = self.pool[(self.item_bib[i] - 1) % len(self.pool)]
            cat = cat_of.get(bib.material_type, LC_BOOK)
            if cat == LC_BOOK and rng.random() < 0.05:
                cat = LC_REFERENCE
            self.item_cat[i] = cat
            r = rng.random()
            self.item_branch[i] = 0 if r < BRANCH_WEIGHTS[0] else (1 if r < 0.75 else 2)
        self.loanable = array.array(
            "I", (i for i in range(1, s.items + 1) if self.item_cat[i] != LC_REFERENCE)
        )
        # patrons
        fake = Faker("ja_JP")
        fake.seed_instance(self.seed)
        self.last_names = [fake.last_name_pair()[:2] for _ in range(400)]
        self.first_names = [fake.first_name_female_pair()[:2] for _ in range(300)] + [
            fake.first_name_male_pair()[:2] for _ in range(300)
        ]
        self.addresses = [(code, complete_address(code, "")) for code in POSTAL_CODES]
        weights = [c[4] for c in PATRON_CATEGORIES]
        self.p_cat = bytearray(s.patrons + 1)
        self.p_birth = array.array("i", [0]) * (s.patrons + 1)
        self.p_area = bytearray(s.patrons + 1)
        self.p_keeps = bytearray(s.patrons + 1)
        self.p_active = bytearray(s.patrons + 1)  # active, card valid on REF_DAY
        ages = {0: (19, 90), 1: (3, 12), 2: (13, 22), 3: (19, 85), 4: (0, 0)}
        for p in range(1, s.patrons + 1):
            cat = rng.choices(range(len(PATRON_CATEGORIES)), weights)[0]
            self.p_cat[p] = cat
            lo, hi = ages[cat]
            if hi:
                self.p_birth[p] = self.ref_ord - rng.randint(lo * 365, hi * 365 + 364)
            self.p_area[p] = rng.randrange(len(AREAS))
            self.p_keeps[p] = rng.random() < 0.10
        self.p_status = bytearray(s.patrons + 1)  # 0 active, 1 blocked, 2 withdrawn
        self.p_registered = array.array("i", [0]) * (s.patrons + 1)
        self.p_expires = array.array("i", [0]) * (s.patrons + 1)
        for p in range(1, s.patrons + 1):
            r = rng.random()
            self.p_status[p] = 1 if r < 0.005 else (2 if r < 0.02 else 0)
            reg = self.ref_ord - rng.randint(1, 3650)
            self.p_registered[p] = reg
            exp = (
                self.ref_ord + rng.randint(1, 1095)
                if rng.random() < 0.93
                else self.ref_ord - rng.randint(1, 400)
            )
            self.p_expires[p] = max(exp, reg)
            self.p_active[p] = self.p_status[p] == 0 and self.p_expires[p] >= self.ref_ord
        self.active_patrons = array.array(
            "I", (p for p in range(1, s.patrons + 1) if self.p_active[p])
        )
        # open loans on distinct loanable copies; trapped holds and odd statuses on others
        taken = bytearray(s.items + 1)

        def pick_free() -> int:
            while True:
                i = self.loanable[rng.randrange(len(self.loanable))]
                if not taken[i]:
                    taken[i] = 1
                    return i

        self.open_items = [pick_free() for _ in range(s.open_loans)]
        for i in self.open_items:
            self.item_status[i] = ST_ON_LOAN
        self.ready_items = [pick_free() for _ in range(s.holds_ready)]
        for i in self.ready_items:
            self.item_status[i] = ST_HOLD_SHELF
        self.transit_items = [pick_free() for _ in range(s.holds_in_transit)]
        for i in self.transit_items:
            self.item_status[i] = ST_TRANSIT
        for share, status in ((0.005, ST_MISSING), (0.002, ST_REPAIR), (0.01, ST_WITHDRAWN)):
            for _ in range(int(s.items * share)):
                self.item_status[pick_free()] = status
        self.item_current = bytearray(self.item_branch)  # current branch, set by loans/holds
        self.item_changed: dict[int, int] = {}  # status_changed_at for non-shelf items

    # --- catalogue -------------------------------------------------------------------------
    def write_bibs(self) -> None:
        from shoka.catalogue.models import Bib

        w, lib = self.w, self.ref.library_id
        cols = (
            "id",
            "library_id",
            "title",
            "title_reading",
            "responsibility",
            "publisher",
            "publisher_reading",
            "year",
            "ndc",
            "ndc_edition",
            "subjects",
            "material_type",
            "language",
            "series",
            "volume",
            "notes",
            "source_format",
            "source_record",
            "source_id",
            "created_at",
            "updated_at",
        )
        pool_rows = []
        for k, b in enumerate(self.pool):
            created = w.dt(
                self.dtv(self.ts(dt.date(min(max(b.year, 1995), 2026), 4, 1).toordinal(), 3600))
            )
            pool_rows.append(
                (
                    lib,
                    b.full_title,
                    " ".join(
                        x for x in (b.title_reading, b.volume_reading, b.subtitle_reading) if x
                    ),
                    b.responsibility,
                    b.publisher,
                    b.publisher_reading,
                    b.year,
                    b.ndc,
                    b.ndc_edition,
                    w.js(list(b.subjects)),
                    b.material_type,
                    b.language,
                    b.series,
                    b.volume,
                    "; ".join(b.notes),
                    "iso2709",
                    self.pool_marc[k],
                    f"JP{k:08d}",
                    created,
                    created,
                )
            )
        n = len(pool_rows)
        self.counts["bibs"] = w.write(
            Bib._meta.db_table,
            cols,
            ((bib_id, *pool_rows[(bib_id - 1) % n]) for bib_id in range(1, self.n_bibs + 1)),
        )

    def write_items(self) -> None:
        from shoka.catalogue.models import Item

        w, rng, ref = self.w, self.rng, self.ref
        cols = (
            "id",
            "library_id",
            "barcode",
            "bib_id",
            "branch_id",
            "location_id",
            "call_number",
            "loan_category_id",
            "status",
            "current_branch_id",
            "status_changed_at",
            "acquired_on",
            "price",
            "staff_note",
            "created_at",
            "updated_at",
        )
        # loans and holds decide these; plan them now so items are written once
        self._plan_open_loans()
        self._plan_trapped_holds()
        pool = self.pool
        floor_ord = dt.date(1990, 1, 1).toordinal()

        def rows() -> Iterator[tuple[Any, ...]]:
            for i in range(1, self.s.items + 1):
                b = self.item_bib[i]
                bib = pool[(b - 1) % len(pool)]
                cat = self.item_cat[i]
                br = self.item_branch[i]
                loc = (
                    "reference"
                    if cat == LC_REFERENCE
                    else "av"
                    if cat == LC_AV
                    else "children"
                    if bib.juvenile or cat == LC_KAMISHIBAI
                    else "general"
                )
                start = max(dt.date(bib.year, 1, 1).toordinal(), floor_ord)
                acquired = rng.randint(min(start, self.ref_ord - 30), self.ref_ord - 30)
                created = w.dt(self.dtv(self.ts(acquired, 1800)))
                changed = self.item_changed.get(i)
                yield (
                    i,
                    ref.library_id,
                    item_barcode(i),
                    b,
                    ref.branch_ids[br],
                    ref.location_ids[(br, loc)],
                    pool_call(b),
                    ref.loan_category_ids[cat],
                    ITEM_STATUS[self.item_status[i]],
                    ref.branch_ids[self.item_current[i]],
                    w.dt(self.dtv(changed)) if changed else created,
                    w.d(dt.date.fromordinal(acquired)),
                    rng.randrange(500, 4000, 10),
                    "",
                    created,
                    created,
                )

        def pool_call(b: int) -> str:
            return self.pool_call[(b - 1) % len(self.pool_call)]

        self.counts["items"] = w.write(Item._meta.db_table, cols, rows())

    # --- patrons ---------------------------------------------------------------------------
    def write_patrons(self) -> None:
        from django.db import connection

        from shoka.patrons import indexes
        from shoka.patrons.models import Patron, PatronSearchToken
        from shoka.patrons.services import PatronData, _apply
        from shoka.security.fields import EncryptedTextField
        from shoka.security.keyring import get_keyring

        w, rng, ref, s = self.w, self.rng, self.ref, self.s
        ring = get_keyring()
        fields = Patron._meta.concrete_fields
        names: list[tuple[str, str]] = [("", "")]

        def prep(f: Any, obj: Patron) -> Any:
            value = getattr(obj, f.attname)
            if isinstance(f, EncryptedTextField):  # the ORM's own encryption path
                blob = f.get_db_prep_save(value, connection)
                return None if blob is None else bytes(getattr(blob, "obj", blob))
            if f.get_internal_type() == "DateTimeField":
                return w.dt(value)
            if f.get_internal_type() == "DateField":
                return w.d(value)
            return value

        def rows() -> Iterator[list[Any]]:
            for p in range(1, s.patrons + 1):
                cat = self.p_cat[p]
                code = PATRON_CATEGORIES[cat][0]
                last, last_kana = self.last_names[rng.randrange(len(self.last_names))]
                first, first_kana = self.first_names[rng.randrange(len(self.first_names))]
                if cat == 4:
                    name, kana = f"松本市立{first_kana}小学校 3年{p % 5 + 1}組", "ガッコウ"
                else:
                    name, kana = f"{last} {first}", f"{last_kana} {first_kana}"
                names.append((name, kana))
                postal, town = self.addresses[rng.randrange(len(self.addresses))]
                address = f"{town}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}"
                phone = (
                    (
                        f"+8190{rng.randrange(10**8):08d}"
                        if rng.random() < 0.6
                        else f"+81263{rng.randrange(10**6):06d}"
                    )
                    if rng.random() < 0.9
                    else None
                )
                email = f"p{p}.{rng.randrange(10**6)}@example.jp" if rng.random() < 0.4 else None
                channel = (
                    "email"
                    if email and rng.random() < 0.7
                    else "phone"
                    if phone and rng.random() < 0.5
                    else "postcard"
                )
                birth = self.p_birth[p]
                guardian = cat == 1
                data = PatronData(
                    card_number=card_number(p),
                    category=code,
                    home_branch=BRANCHES[p % 3][0],
                    name=name,
                    name_kana=kana,
                    birth_date=dt.date.fromordinal(birth) if birth else None,
                    postal_code=postal,
                    address=address,
                    phone=phone,
                    email=email,
                    guardian_name=f"{last} {self.first_names[p % 300][0]}" if guardian else None,
                    guardian_relation="母" if guardian else None,
                    guardian_contact=phone if guardian else None,
                    notify_channel=channel,
                    keeps_reading_history=bool(self.p_keeps[p]),
                    area_code=AREAS[self.p_area[p]],
                )
                reg = dt.date.fromordinal(self.p_registered[p])
                created = dt.datetime.combine(reg, dt.time(1, 0))
                status = ("active", "blocked", "withdrawn")[self.p_status[p]]
                patron = Patron(
                    id=p,
                    library_id=ref.library_id,
                    category_id=ref.patron_category_ids[cat],
                    home_branch_id=ref.branch_ids[p % 3],
                    status=status,
                    block_reason="延滞督促不達" if status == "blocked" else "",
                    registered_on=reg,
                    expires_on=dt.date.fromordinal(self.p_expires[p]),
                    suspended_until=None,
                    created_at=created,
                    updated_at=created,
                )
                _apply(patron, data)
                yield [prep(f, patron) for f in fields]

        self.counts["patrons"] = w.write(Patron._meta.db_table, [f.column for f in fields], rows())

        def token_rows() -> Iterator[tuple[int, int, str]]:
            n = 0
            for p in range(1, s.patrons + 1):
                for token in sorted(indexes.name_tokens(*names[p], ring=ring)):
                    n += 1
                    yield (n, p, token)

        self.counts["patron search tokens"] = w.write(
            PatronSearchToken._meta.db_table, ("id", "patron_id", "token"), token_rows()
        )

    # --- circulation -----------------------------------------------------------------------
    def _plan_open_loans(self) -> None:
        rng, s = self.rng, self.s
        borrowers = [
            self.active_patrons[rng.randrange(len(self.active_patrons))]
            for _ in range(max(1, s.open_loans // 3))
        ]
        per_patron: Counter[int] = Counter()
        self.open_plan = []  # (item, patron, branch, out_ts, due_ord)
        for item in self.open_items:
            patron = borrowers[rng.randrange(len(borrowers))]
            while per_patron[patron] >= 8:
                patron = borrowers[rng.randrange(len(borrowers))]
            per_patron[patron] += 1
            branch = self.item_branch[item] if rng.random() < 0.85 else rng.randrange(3)
            overdue = rng.random() < 0.08
            day = self.ref_ord - (rng.randint(15, 45) if overdue else rng.randint(1, 6))
            out = self.ts(day, self.opening_time())
            period = 7 if self.item_cat[item] == LC_MAGAZINE else 14
            self.open_plan.append((item, patron, branch, out, day + period))
            self.item_current[item] = branch
            self.item_changed[item] = out

    def _plan_trapped_holds(self) -> None:
        rng = self.rng
        self.trapped_plan = []  # (item, patron, pickup branch, status, trapped ts)
        self.holders: set[tuple[int, int]] = set()
        numbers = Counter[int]()
        for items, status in ((self.ready_items, "ready"), (self.transit_items, "in_transit")):
            for item in items:
                patron = self._holder(self.item_bib[item])
                pickup = rng.randrange(3)
                trapped = self.ts(self.ref_ord - rng.randint(1, 5), self.opening_time())
                numbers[pickup] += 1
                self.trapped_plan.append(
                    (item, patron, pickup, status, trapped, f"{numbers[pickup]:04d}")
                )
                self.item_current[item] = pickup
                self.item_changed[item] = trapped

    def _holder(self, bib: int) -> int:
        while True:
            patron = self.active_patrons[self.rng.randrange(len(self.active_patrons))]
            if (patron, bib) not in self.holders:
                self.holders.add((patron, bib))
                return patron

    def write_loans(self) -> None:
        from shoka.circulation.models import Loan

        w, rng, ref, s = self.w, self.rng, self.ref, self.s
        cols = (
            "id",
            "item_id",
            "patron_id",
            "branch_id",
            "checked_out_at",
            "due_on",
            "renewals",
            "returned_at",
            "return_branch_id",
            "history_kept",
            "patron_category",
            "age_band",
            "area_code",
            "overridden",
        )
        first_day = self.ref_ord - 60 - 1035  # about three years of history
        span = 1035
        # compact copies for the audit log
        self.l_item = array.array("I")
        self.l_out = array.array("q")
        self.l_ret = array.array("q")
        self.l_due = array.array("i")
        self.l_branch = bytearray()
        self.l_rbranch = bytearray()
        self.l_late = array.array("H")
        n_loanable = len(self.loanable)

        def stats(patron: int, day: int) -> tuple[str, str, str]:
            return (
                PATRON_CATEGORIES[self.p_cat[patron]][0],
                _age_band(self.p_birth[patron], day),
                AREAS[self.p_area[patron]],
            )

        def history() -> Iterator[tuple[Any, ...]]:
            for k in range(s.loans):
                r = rng.random()
                item = self.loanable[int(n_loanable * r * r)]  # popular copies go out more
                day = first_day + span * k // s.loans
                out = self.ts(day, self.opening_time())
                period = 7 if self.item_cat[item] == LC_MAGAZINE else 14
                due = day + period
                late = rng.random() < 0.08
                ret_day = due + rng.randint(1, 20) if late else day + rng.randint(0, period)
                ret = max(self.ts(ret_day, self.opening_time()), out + 60)
                home = self.item_branch[item]
                branch = home if rng.random() < 0.8 else rng.randrange(3)
                rbranch = branch if rng.random() < 0.85 else rng.randrange(3)
                patron = rng.randrange(s.patrons) + 1
                keep = bool(self.p_keeps[patron])
                cat, band, area = stats(patron, day)
                self.l_item.append(item)
                self.l_out.append(out)
                self.l_ret.append(ret)
                self.l_due.append(due)
                self.l_branch.append(branch)
                self.l_rbranch.append(rbranch)
                self.l_late.append(max(0, ret_day - due))
                yield (
                    k + 1,
                    item,
                    patron if keep else None,
                    ref.branch_ids[branch],
                    w.dt(self.dtv(out)),
                    w.d(dt.date.fromordinal(due)),
                    int(rng.random() < 0.1),
                    w.dt(self.dtv(ret)),
                    ref.branch_ids[rbranch],
                    keep,
                    cat,
                    band,
                    area,
                    False,
                )
            for j, (item, patron, branch, out, due) in enumerate(self.open_plan):
                cat, band, area = stats(patron, due - 14)
                self.l_item.append(item)
                self.l_out.append(out)
                self.l_ret.append(0)
                self.l_due.append(due)
                self.l_branch.append(branch)
                self.l_rbranch.append(0)
                self.l_late.append(0)
                yield (
                    s.loans + j + 1,
                    item,
                    patron,
                    ref.branch_ids[branch],
                    w.dt(self.dtv(out)),
                    w.d(dt.date.fromordinal(due)),
                    0,
                    None,
                    None,
                    False,
                    cat,
                    band,
                    area,
                    False,
                )

        n = w.write(Loan._meta.db_table, cols, history())
        self.counts["loans (returned)"] = s.loans
        self.counts["loans (open)"] = n - s.loans

    def write_holds(self) -> None:
        from shoka.circulation.models import Hold

        w, rng, ref, s = self.w, self.rng, self.ref, self.s
        cols = (
            "id",
            "bib_id",
            "patron_id",
            "pickup_branch_id",
            "notify_channel",
            "placed_at",
            "status",
            "item_id",
            "trapped_at",
            "ready_at",
            "expires_on",
            "pickup_number",
            "closed_at",
            "closed_by",
            "patron_category",
        )
        channels = ("postcard", "phone", "email")
        self.h_events: list[tuple[int, int, int, int]] = []  # hold id, bib, pickup, placed ts

        def cat(patron: int) -> str:
            return PATRON_CATEGORIES[self.p_cat[patron]][0]

        def rows() -> Iterator[tuple[Any, ...]]:
            hid = 0
            # waiting queues on titles whose copies are out
            bibs = list({self.item_bib[i] for i in self.open_items})
            rng.shuffle(bibs)
            waiting = 0
            for bib in bibs:
                if waiting >= s.holds_waiting:
                    break
                for _ in range(
                    min(rng.choice((1, 1, 1, 2, 2, 3, 5, 8)), s.holds_waiting - waiting)
                ):
                    patron = self._holder(bib)
                    hid += 1
                    waiting += 1
                    placed = self.ts(self.ref_ord - rng.randint(1, 60), self.opening_time())
                    pickup = rng.randrange(3)
                    self.h_events.append((hid, bib, pickup, placed))
                    yield (
                        hid,
                        bib,
                        patron,
                        ref.branch_ids[pickup],
                        channels[hid % 3],
                        w.dt(self.dtv(placed)),
                        "waiting",
                        None,
                        None,
                        None,
                        None,
                        "",
                        None,
                        "",
                        cat(patron),
                    )
            self.counts["holds (waiting)"] = waiting
            for item, patron, pickup, status, trapped, number in self.trapped_plan:
                hid += 1
                bib = self.item_bib[item]
                placed = trapped - rng.randint(1, 40) * DAY
                ready = status == "ready"
                self.h_events.append((hid, bib, pickup, placed))
                yield (
                    hid,
                    bib,
                    patron,
                    ref.branch_ids[pickup],
                    channels[hid % 3],
                    w.dt(self.dtv(placed)),
                    status,
                    item,
                    w.dt(self.dtv(trapped)),
                    w.dt(self.dtv(trapped + 3600)) if ready else None,
                    w.d(REF_DAY + dt.timedelta(days=rng.randint(1, 7))) if ready else None,
                    number,
                    None,
                    "",
                    cat(patron),
                )
                self.counts[f"holds ({status})"] += 1
            for _ in range(s.holds_closed):
                hid += 1
                bib = rng.randrange(self.n_bibs) + 1
                placed = self.ts(self.ref_ord - rng.randint(60, 1100), self.opening_time())
                closed = placed + rng.randint(1, 30) * DAY
                r = rng.random()
                status, by = (
                    ("fulfilled", "patron")
                    if r < 0.7
                    else ("cancelled", "patron")
                    if r < 0.9
                    else ("expired", "system")
                )
                item = self.bib_first[bib] if status != "cancelled" else None
                patron = rng.randrange(s.patrons) + 1
                keep = self.p_keeps[patron]
                pickup = rng.randrange(3)
                self.h_events.append((hid, bib, pickup, placed))
                yield (
                    hid,
                    bib,
                    patron if keep else None,
                    ref.branch_ids[pickup],
                    channels[hid % 3],
                    w.dt(self.dtv(placed)),
                    status,
                    item,
                    w.dt(self.dtv(placed + DAY)) if item else None,
                    w.dt(self.dtv(placed + DAY + 3600)) if item else None,
                    None,
                    "",
                    w.dt(self.dtv(closed)),
                    by,
                    cat(patron),
                )
            self.counts["holds (closed)"] = s.holds_closed

        w.write(Hold._meta.db_table, cols, rows())

    # --- the audit log that this history would have written --------------------------------
    def write_audit(self) -> None:
        from shoka.audit.log import GENESIS, canonical, chain_hash
        from shoka.audit.models import AuditEvent, ChainHead
        from shoka.security.keyring import get_keyring

        w, s = self.w, self.s
        key = get_keyring().audit_key
        actor = f"user:{self.ref.user_id}"
        codes = [b[0] for b in BRANCHES]
        cols = (
            "id",
            "seq",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "data",
            "prev_hash",
            "hash",
        )
        self.chain_seq, self.chain_hash = 0, GENESIS

        def events() -> Iterator[tuple[int, str, str, int, dict[str, Any]]]:
            for p in range(1, s.patrons + 1):
                yield (
                    self.ts(self.p_registered[p], 3600),
                    "patron.registered",
                    "patrons.patron",
                    p,
                    {"category": PATRON_CATEGORIES[self.p_cat[p]][0], "duplicate_confirmed": False},
                )
            for k in range(len(self.l_item)):
                item = self.l_item[k]
                yield (
                    self.l_out[k],
                    "loan.checked_out",
                    "circulation.loan",
                    k + 1,
                    {
                        "item": item,
                        "branch": codes[self.l_branch[k]],
                        "due_on": dt.date.fromordinal(self.l_due[k]).isoformat(),
                    },
                )
                if self.l_ret[k]:
                    yield (
                        self.l_ret[k],
                        "loan.returned",
                        "circulation.loan",
                        k + 1,
                        {
                            "item": item,
                            "branch": codes[self.l_rbranch[k]],
                            "days_late": self.l_late[k],
                            "suspension_applied": False,
                        },
                    )
            for hid, bib, pickup, placed in self.h_events:
                yield (
                    placed,
                    "hold.placed",
                    "circulation.hold",
                    hid,
                    {"bib": bib, "pickup": codes[pickup]},
                )

        def rows() -> Iterator[tuple[Any, ...]]:
            prev, seq = GENESIS, 0
            for ts, action, otype, oid, data in events():
                seq += 1
                at = self.dtv(ts)
                digest = chain_hash(
                    key,
                    prev,
                    canonical(seq, at.replace(tzinfo=UTC), actor, action, otype, str(oid), data),
                )
                yield (seq, seq, w.dt(at), actor, action, otype, str(oid), w.js(data), prev, digest)
                prev = digest
            self.chain_seq, self.chain_hash = seq, prev

        self.counts["audit events"] = w.write(AuditEvent._meta.db_table, cols, rows())
        w.write(
            ChainHead._meta.db_table,
            ("chain", "seq", "hash"),
            [("audit", self.chain_seq, self.chain_hash)],
        )


def load_dataset(db: str, sizes: Sizes, seed: int, pg_url: str | None) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    log("migrating")
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - started
    ref = create_reference_data()
    connection.close()
    writer: Writer = (
        SqliteWriter(sqlite_path()) if db == "sqlite" else PgWriter(bench_pg_url(pg_url or ""))
    )
    log(f"bulk load: {writer.note}")
    gen = Generator(sizes, seed, ref, writer)
    gen.run()
    total = time.perf_counter() - started
    stages = {"migrate + reference data": migrate_s, **gen.stages}
    counts = dict(gen.counts)
    counts["bibs"] = gen.n_bibs
    log(f"loaded in {total:.0f} s")
    return {
        "load_seconds": total,
        "stages": stages,
        "counts": counts,
        "load_note": writer.note,
        "loaded_at": dt.datetime.now(UTC).isoformat(timespec="seconds"),
    }


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

    def round(self, n: int, *, record: bool = True) -> Round:
        from shoka.circulation import services

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

        from shoka.circulation import services

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
        marker = {**wanted, **load_dataset(args.db, sizes, args.seed, args.pg_url)}
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
