"""The OPAC under crawlers and floods (issue 6, acceptance "bench/load" (a)–(d)).

    python -m bench.load [--db sqlite|postgresql] [--records 1000000] [--minutes 10]

Everything runs against 127.0.0.1 and stops itself (``--max-minutes`` bounds the whole run;
the server is stopped whatever happens). bench/README.md has the long version.

1. **Preparation** (cached under bench/work/load-<db>-<records>-<seed>/, reused by later runs):
   a staff instance of its own (`shoka init`, `shoka demo --bibs N`: the synthetic catalogue of
   bench/search.py, same generator and seed, with copies, patrons and ten weeks of
   circulation), an empty OPAC of its own (`shoka opac init` with the staff side's public
   key, its own database and index), then `shoka publish --full` over HTTP to that OPAC
   served as in production: the time and the receiver's rate are recorded. Patron queries
   are drawn from the generated titles as bench/search.py draws them.
2. **Serving**: gunicorn with `shoka serve --site opac`'s own command line
   (`shoka.cli._gunicorn`: workers per core, SHOKA_OPAC_THREADS threads, 30 s timeout, the
   JSON access log) and the OPAC's settings plus bench-only views (bench/load_settings.py,
   bench/load_urls.py), in its own process group.
3. **Clients** (asyncio + aiohttp in this process): 20 patrons, each from its own /24
   (source addresses 127.0.<10+n>.1: the admission middleware groups clients by network),
   searching with drawn queries and opening records, with think times; a crawler from
   127.0.200.1; a flooder from 127.0.250.1; the throughput clients of (d) spread over 64
   networks 127.1.<n>.1.
   (a) baseline and crawler at 1 request/s in alternating slices (``--slice`` s) for
       ``--minutes`` each, so both see the same machine; after each crawler request the
       database connections in use are counted (PostgreSQL: pg_stat_activity of the OPAC's
       database; SQLite: the server processes' open descriptors of the database file, from
       /proc) and compared with the idle count plus the requests in flight at that moment.
   (b) the crawler at 100 requests/s, (c) 200 connections flooding from one network, each
       for ``--short-minutes`` beside the patrons; (d) closed-loop search throughput at rising
       concurrency, the search page and the minimal view (/bench/search) in turn.
4. Writes bench/results/load.md (SQLite) or load-postgresql.md and a line in
   bench/results/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .machine import describe, python_speed

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK = BENCH_DIR / "work"
RESULTS = BENCH_DIR / "results"
PG_DB = "shoka_bench_load_opac"
SHOKA = [sys.executable, "-m", "shoka.cli"]
CLASSES = ("ja2", "ja4", "and2", "en", "isbn")
PATRON_NETWORK = "127.0.{}.1"  # n = 10 … 29
CRAWLER_ADDRESS = "127.0.200.1"
FLOODER_ADDRESS = "127.0.250.1"
THROUGHPUT_NETWORK = "127.1.{}.1"  # n = 0 … THROUGHPUT_NETWORKS - 1
# Enough networks that no one of them nears its rate limit at the highest throughput
# (each server process allows its share of 600 a minute per network).
THROUGHPUT_NETWORKS = 250
PATHS = {
    # --paths opac: the public pages (helper "pages"; URL scheme of the shared contract)
    "opac": {
        "search": "/search?q={q}",
        "record": "/records/{id}",
        "new": "/new/?category={category}&page={page}",
    },
    # --paths bench: stand-ins on the same query layer (bench/load_urls.py)
    "bench": {
        "search": "/bench/search?q={q}",
        "record": "/bench/records/{id}",
        "new": "/bench/new/?category={category}&page={page}",
    },
}
MINIMAL_SEARCH = "/bench/search?q={q}"
RECORD_LINK = re.compile(rb"/records/(\d+)")
PAGE_LINK = re.compile(rb"[?&;]page=(\d+)")


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOKA_", "DJANGO_"))}
    paths = (str(REPO / "src"), str(REPO), env.get("PYTHONPATH", ""))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def _run(env: dict[str, str], *args: str, timeout: float = 7200) -> str:
    done = subprocess.run(  # noqa: S603 — our own interpreter and arguments
        [*SHOKA, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"shoka {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --- the OPAC server --------------------------------------------------------------------------


@dataclass
class Opac:
    home: Path
    env: dict[str, str]
    database_url: str | None
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, access_log: Path) -> None:
        from shoka.cli import _gunicorn, _opac_threads

        self.port = _free_port()
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "bench.load_settings"}
        command = _gunicorn("127.0.0.1", self.port, os.cpu_count() or 1, _opac_threads())
        with access_log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
                command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the OPAC did not start (see {access_log})") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def pids(self) -> list[int]:
        """The gunicorn master and its workers."""
        if self.process is None:
            return []
        master = self.process.pid
        out = [master]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                out.append(int(entry.name))
        return out


class ConnectionCounter:
    """Database connections the OPAC holds now. PostgreSQL: backends on the OPAC's database
    (pg_stat_activity, read over a connection to another database, so it does not count
    itself). SQLite: descriptors of the database file open in the server's processes."""

    def __init__(self, opac: Opac) -> None:
        self.opac = opac
        self.conn: Any = None
        self.db_file = (opac.home / "data" / "opac.sqlite3").resolve()
        self.pids: list[int] = []
        if opac.database_url:
            import psycopg

            admin = opac.database_url.rsplit("/", 1)[0] + "/postgres"
            self.conn = psycopg.connect(admin, autocommit=True)
            # The OPAC's pool keeps a few connections open between requests (idle, no
            # transaction): a connection is in use while its state is anything else.
            self.method = "pg_stat_activity rows for the OPAC database not in state 'idle'"
        else:
            self.method = "open descriptors of opac.sqlite3 in the gunicorn processes (/proc)"

    def refresh(self) -> None:
        self.pids = self.opac.pids()

    def count(self) -> int:
        if self.conn is not None:
            row = self.conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state <> 'idle'",
                (PG_DB,),
            ).fetchone()
            return int(row[0])
        target = str(self.db_file)
        n = 0
        for pid in self.pids:
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        n += 1
                except OSError:
                    continue
        return n

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


# --- preparation ------------------------------------------------------------------------------


def _pg_admin(pg_url: str) -> str:
    return pg_url.rsplit("/", 1)[0] + "/postgres"


def prepare(args: argparse.Namespace) -> tuple[Opac, dict[str, Any]]:
    """The prepared OPAC (made once per engine, size and seed) and what preparing it took."""
    work = WORK / f"load-{args.db}-{args.records}-{args.seed}"
    staff = WORK / f"load-staff-{args.records}-{args.seed}"  # shared by both engines' OPACs
    staff_home, opac_home = staff / "home", work / "opac"
    env_opac = {**_clean_env(), "SHOKA_HOME": str(opac_home)}
    database_url = None
    if args.db == "postgresql":
        database_url = f"{args.pg_url.rsplit('/', 1)[0]}/{PG_DB}"
        env_opac["SHOKA_OPAC_DATABASE_URL"] = database_url
    opac = Opac(opac_home, env_opac, database_url)
    done = work / "prepared.json"
    if done.exists() and not (args.reprepare or args.republish):
        info: dict[str, Any] = json.loads(done.read_text())
        if args.db == "sqlite" or _pg_has_catalogue(args.pg_url, info["records"]):
            log(f"reusing the OPAC prepared {info['date']} ({work.relative_to(REPO)})")
            return opac, info
    staff_done = staff / "staff.json"
    if args.reprepare or not staff_done.exists():
        for folder in (staff, work):
            if folder.exists():
                shutil.rmtree(folder)
        staff.mkdir(parents=True)
        env_staff = {**_clean_env(), "SHOKA_HOME": str(staff_home)}
        log(f"staff side: shoka init, shoka demo --bibs {args.records:,} …")
        _run(env_staff, "init")
        started = time.perf_counter()
        _run(env_staff, "demo", "--bibs", str(args.records), "--patrons",
             str(args.patrons_registered), "--seed", str(args.seed))  # fmt: skip
        log("drawing the patrons' queries from the generated titles …")
        queries = _draw_queries(args.records, args.seed)
        (staff / "queries.json").write_text(json.dumps(queries, ensure_ascii=False))
        staff_done.write_text(json.dumps({"demo_s": time.perf_counter() - started}))
    demo_s = float(json.loads(staff_done.read_text())["demo_s"])
    env_staff = {**_clean_env(), "SHOKA_HOME": str(staff_home)}
    work.mkdir(parents=True, exist_ok=True)
    if opac_home.exists():
        shutil.rmtree(opac_home)
    if args.db == "postgresql":
        import psycopg

        with psycopg.connect(_pg_admin(args.pg_url), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    key = _run(env_staff, "publish", "key").strip().splitlines()[-1]
    log("OPAC side: shoka opac init, serve, shoka publish --full from the staff side …")
    _run(env_opac, "opac", "init", "--staff-key", key, "--url", "http://127.0.0.1:1")
    receiver_log = work / "prepare-access.log"
    receiver_log.unlink(missing_ok=True)
    opac.start(receiver_log)
    try:
        speed = python_speed()
        started = time.perf_counter()
        # A full re-publish, as an operator runs it for a new OPAC (every changeset built on
        # the staff side, signed, and pushed; the staff side's earlier changesets are history).
        _run(env_staff, "publish", "--full", "--quiet", "--url", f"{opac.base}/publish/")
        publish_s = time.perf_counter() - started
    finally:
        opac.stop()
    records, items = _opac_counts(opac)
    posts = [
        json.loads(line)
        for line in receiver_log.read_text().splitlines()
        if line.startswith("{") and '"/publish/changesets"' in line
    ]
    receiver_s = sum(float(p["ms"]) for p in posts) / 1000
    log(
        f"  published {records:,} records ({items:,} copies) in {publish_s:,.0f} s; the "
        f"receiver's {len(posts):,} changesets took {receiver_s:,.0f} s"
    )
    info = {
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "records": records,
        "items": items,
        "demo_s": demo_s,
        "publish_s": publish_s,
        "rate": records / publish_s,
        "changesets": len(posts),
        "receiver_s": receiver_s,
        "receiver_rate": records / receiver_s if receiver_s else 0.0,
        "python_speed": speed,
        "load": os.getloadavg()[0],
        "machine": describe(),
    }
    done.write_text(json.dumps(info, indent=1))
    return opac, info


def _pg_has_catalogue(pg_url: str, records: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(f"{pg_url.rsplit('/', 1)[0]}/{PG_DB}") as conn:
            row = conn.execute("SELECT count(*) FROM public_publicrecord").fetchone()
    except psycopg.Error:
        return False
    return row is not None and int(row[0]) == records


def _opac_counts(opac: Opac) -> tuple[int, int]:
    sql = "SELECT (SELECT count(*) FROM public_publicrecord), (SELECT count(*) FROM public_publicitem)"
    row = _opac_query(opac, sql)[0]
    return int(row[0]), int(row[1])


def _opac_query(opac: Opac, sql: str) -> list[tuple[Any, ...]]:
    if opac.database_url:
        import psycopg

        with psycopg.connect(opac.database_url) as conn:
            return list(conn.execute(sql).fetchall())
    import sqlite3

    uri = (opac.home / "data" / "opac.sqlite3").resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        return list(conn.execute(sql).fetchall())


def _draw_queries(records: int, seed: int) -> dict[str, list[str]]:
    from shoka.demo.bibdata import generate_bibs

    from .search import draw_queries

    demo = generate_bibs(seed, records)
    queries = draw_queries(demo, 1000, seed)
    del demo
    gc.collect()
    return queries


# --- clients ----------------------------------------------------------------------------------


@dataclass
class Sample:
    start: float
    ms: float
    status: int  # 0: no answer (connection error, timeout)
    kind: str  # search | record | new | minimal
    phase: str
    retry_after: bool = False


@dataclass
class Run:
    base: str
    paths: dict[str, str]
    queries: list[str]
    record_ids: list[int]
    phase: str = "warm-up"
    stop: bool = False
    in_flight: int = 0
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    def record(self, who: str, sample: Sample) -> None:
        self.samples.setdefault(who, []).append(sample)


def _session(address: str, limit: int = 1) -> Any:
    import aiohttp

    connector = aiohttp.TCPConnector(local_addr=(address, 0), limit=limit, force_close=False)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=30),
        headers={"Accept-Language": "ja"},
    )


async def _get(run: Run, session: Any, url: str, kind: str) -> tuple[Sample, bytes]:
    import aiohttp

    run.in_flight += 1
    start = time.perf_counter()
    try:
        async with session.get(run.base + url, allow_redirects=False) as response:
            body = await response.read()
            status = response.status
            retry = "Retry-After" in response.headers
    except (aiohttp.ClientError, TimeoutError):
        body, status, retry = b"", 0, False
    finally:
        run.in_flight -= 1
    ms = (time.perf_counter() - start) * 1000
    return Sample(start, ms, status, kind, run.phase, retry), body


def _search_url(template: str, q: str) -> str:
    return template.format(q=urllib.parse.quote(q))


def _linked_ids(body: bytes) -> list[int]:
    found = [int(m) for m in RECORD_LINK.findall(body)]
    if not found and body.startswith(b"{"):
        try:
            found = [int(i) for i in json.loads(body).get("ids", [])]
        except (ValueError, AttributeError):
            found = []
    return found


async def patron(run: Run, n: int, think: float, seed: int) -> None:
    """Search, open one or two of the hits (or any record), think, again."""
    rng = random.Random(seed * 1000 + n)
    who = f"patron-{n}"
    async with _session(PATRON_NETWORK.format(10 + n), limit=2) as session:
        await asyncio.sleep(rng.uniform(0, think))
        while not run.stop:
            sample, body = await _get(
                run, session, _search_url(run.paths["search"], rng.choice(run.queries)), "search"
            )
            run.record(who, sample)
            hits = _linked_ids(body) or [rng.choice(run.record_ids)]
            for record_id in rng.sample(hits, min(len(hits), rng.choice((1, 1, 2)))):
                if run.stop:
                    break
                await asyncio.sleep(rng.expovariate(1 / think))
                sample, _ = await _get(
                    run, session, run.paths["record"].format(id=record_id), "record"
                )
                run.record(who, sample)
            await asyncio.sleep(rng.expovariate(1 / think))


@dataclass
class ConnectionCheck:
    idle: int
    seen: int
    in_flight: int
    waited: float = 0.0  # seconds from the answer until the count was back (or 1 s)

    @property
    def excess(self) -> int:
        return self.seen - self.idle - self.in_flight


async def crawler(
    run: Run,
    rate: float,
    active: Callable[[], bool],
    counter: ConnectionCounter | None,
    idle: int,
    checks: list[ConnectionCheck],
) -> None:
    """The 2010 crawl: new-arrivals list pages of every category in turn, each followed by
    the record pages it links, serially, at `rate` requests per second (never faster; when a
    request takes longer than the interval, the next follows at once)."""
    interval = 1 / rate
    async with _session(CRAWLER_ADDRESS) as session:
        plan = _crawl_plan(run)
        next_at = time.perf_counter()
        while not run.stop:
            if not active():
                await asyncio.sleep(0.05)
                next_at = time.perf_counter()
                continue
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            kind, url = next(plan)
            sample, body = await _get(run, session, url, kind)
            run.record("crawler", sample)
            if kind == "new":
                plan.send_page(body)
            next_at += interval
            if counter is not None and rate <= 2:
                checks.append(await _settled(run, counter, idle))
            if next_at < time.perf_counter() - 1:
                next_at = time.perf_counter()


async def _settled(run: Run, counter: ConnectionCounter, idle: int) -> ConnectionCheck:
    """From the crawler's answer on, the connections held, polled every 20 ms until they are
    back to the idle count plus the requests in flight at that moment (each may hold one) —
    or one second has passed. The check keeps the last count and how long it took."""
    answered = time.perf_counter()
    while True:
        seen = await asyncio.to_thread(counter.count)
        waited = time.perf_counter() - answered
        check = ConnectionCheck(idle, seen, run.in_flight, waited)
        if check.excess <= 0 or waited >= 1.0:
            return check
        await asyncio.sleep(0.02)


class _CrawlPlan(Iterator[tuple[str, str]]):
    """Category 0 pages 1…, with their records, then category 1, …; a category ends at a
    page that links no next page (or after 200 pages, as the 2010 crawler's run did)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.category = 0
        self.page = 1
        self.pending: list[int] = []
        self.has_next = True

    def send_page(self, body: bytes) -> None:
        """The list page just fetched: its records come next, and the following page if the
        page links to it (pagination), else the next category."""
        self.pending = list(dict.fromkeys(_linked_ids(body)))
        self.has_next = self.page in {int(n) for n in PAGE_LINK.findall(body)}

    def __next__(self) -> tuple[str, str]:
        if self.pending:
            return "record", self.run.paths["record"].format(id=self.pending.pop(0))
        if not self.has_next or self.page > 200:
            self.category, self.page = (self.category + 1) % 10, 1
        url = self.run.paths["new"].format(category=self.category, page=self.page)
        self.page += 1
        return "new", url


def _crawl_plan(run: Run) -> _CrawlPlan:
    return _CrawlPlan(run)


async def flooder(run: Run, connections: int, active: Callable[[], bool]) -> None:
    """One client, one network, `connections` connections, no pause between requests."""
    rng = random.Random(7)

    async def one(session: Any) -> None:
        while not run.stop:
            if not active():
                await asyncio.sleep(0.05)
                continue
            if rng.random() < 0.5:
                url, kind = _search_url(run.paths["search"], rng.choice(run.queries)), "search"
            else:
                url, kind = run.paths["record"].format(id=rng.choice(run.record_ids)), "record"
            sample, _ = await _get(run, session, url, kind)
            run.record("flooder", sample)

    async with _session(FLOODER_ADDRESS, limit=connections) as session:
        await asyncio.gather(*(one(session) for _ in range(connections)))


async def _start_flooder(
    run: Run, args: argparse.Namespace, scratch: Path
) -> asyncio.subprocess.Process:
    """(c)'s flooder in a process of its own (bench/load_flood.py): its connections busy a
    loop of their own, not the one that times the patrons' requests here."""
    spec = {
        "base": run.base,
        "paths": run.paths,
        "queries": run.queries,
        "record_ids": run.record_ids,
        "connections": args.flood_connections,
        "seconds": args.short_minutes * 60,
    }
    (scratch / "spec.json").write_text(json.dumps(spec))
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.load_flood", str(scratch / "spec.json"),
        str(scratch / "samples.json"), cwd=REPO,
    )  # fmt: skip


async def _finish_flooder(run: Run, flood: asyncio.subprocess.Process, scratch: Path) -> None:
    try:
        await asyncio.wait_for(flood.wait(), timeout=60)
    except TimeoutError:
        flood.kill()
        await flood.wait()
    out = scratch / "samples.json"
    rows = json.loads(out.read_text()) if out.exists() else []
    if flood.returncode != 0 or not rows:
        log(f"  the flooder's process ended with {flood.returncode} and {len(rows)} samples")
    for start, ms, status, kind, retry in rows:
        run.record("flooder", Sample(start, ms, status, kind, "c", retry))


async def sample_connections(
    run: Run, counter: ConnectionCounter, out: list[tuple[str, int, int]]
) -> None:
    while not run.stop:
        seen = await asyncio.to_thread(counter.count)
        out.append((run.phase, seen, run.in_flight))
        await asyncio.sleep(0.5)


async def throughput(
    run: Run, template: str, concurrency: int, seconds: float, kind: str, seed: int
) -> list[Sample]:
    """`concurrency` closed-loop clients, each request from the next of THROUGHPUT_NETWORKS
    networks."""
    rng = random.Random(seed)
    sessions = [
        _session(THROUGHPUT_NETWORK.format(n), limit=concurrency)
        for n in range(THROUGHPUT_NETWORKS)
    ]
    samples: list[Sample] = []
    deadline = time.perf_counter() + seconds
    turn = 0

    async def client() -> None:
        nonlocal turn
        while time.perf_counter() < deadline and not run.stop:
            turn += 1
            session = sessions[turn % len(sessions)]
            sample, _ = await _get(
                run, session, _search_url(template, rng.choice(run.queries)), kind
            )
            samples.append(sample)

    try:
        await asyncio.gather(*(client() for _ in range(concurrency)))
    finally:
        for s in sessions:
            await s.close()
    return samples


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Measured:
    slices: list[tuple[str, float, float]] = field(default_factory=list)  # phase, start, end
    checks: list[ConnectionCheck] = field(default_factory=list)
    connections: list[tuple[str, int, int]] = field(default_factory=list)
    idle_connections: int = 0
    throughput: dict[str, list[tuple[int, list[Sample], float]]] = field(default_factory=dict)
    load: list[float] = field(default_factory=list)


async def measure(args: argparse.Namespace, run: Run, counter: ConnectionCounter) -> Measured:
    m = Measured()
    counter.refresh()
    m.idle_connections = await asyncio.to_thread(counter.count)
    think = args.think
    patrons = [asyncio.create_task(patron(run, n, think, args.seed)) for n in range(args.patrons)]
    sampler = asyncio.create_task(sample_connections(run, counter, m.connections))
    crawl_a = asyncio.create_task(
        crawler(run, 1.0, lambda: run.phase == "a", counter, m.idle_connections, m.checks)
    )
    crawl_b = asyncio.create_task(
        crawler(run, args.fast_rate, lambda: run.phase == "b", None, 0, m.checks)
    )

    async def phase(name: str, seconds: float) -> None:
        run.phase = name
        counter.refresh()
        start = time.perf_counter()
        m.load.append(os.getloadavg()[0])
        await asyncio.sleep(seconds)
        m.slices.append((name, start, time.perf_counter()))

    log(f"warm-up {args.warmup:.0f} s (patrons only)")
    await phase("warm-up", args.warmup)
    slice_s = min(args.slice, args.minutes * 60)
    n_slices = max(1, round(args.minutes * 60 / slice_s))
    log(f"(a) {n_slices} × {slice_s:.0f} s baseline and crawler at 1/s, alternating")
    for k in range(n_slices):
        for name in ("baseline", "a") if k % 2 == 0 else ("a", "baseline"):
            await phase(name, slice_s)
    log(f"(b) crawler at {args.fast_rate:.0f}/s for {args.short_minutes * 60:.0f} s")
    await phase("b", args.short_minutes * 60)
    log(f"(c) {args.flood_connections} connections flooding for {args.short_minutes * 60:.0f} s")
    with tempfile.TemporaryDirectory() as scratch:
        flood = await _start_flooder(run, args, Path(scratch))
        await phase("c", args.short_minutes * 60)
        await _finish_flooder(run, flood, Path(scratch))
    run.phase = "d"
    await asyncio.sleep(1)
    run.stop = True
    await asyncio.gather(*patrons, crawl_a, crawl_b, sampler, return_exceptions=True)
    run.stop = False
    log(f"(d) search throughput at concurrency {args.levels}, {args.level_seconds:.0f} s each")
    # Level by level, the page and then the minimal view, so that both see the same machine.
    views = (("page", run.paths["search"]), ("minimal", MINIMAL_SEARCH))
    for c in args.levels:
        for label, template in views:
            started = time.perf_counter()
            samples = await throughput(run, template, c, args.level_seconds, label, args.seed + c)
            m.throughput.setdefault(label, []).append((c, samples, time.perf_counter() - started))
    return m


# --- statistics and results -------------------------------------------------------------------


def pct(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (bench/results/README.md)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 1))
    return ordered[int(rank) - 1]


def _in(samples: list[Sample], phase: str) -> list[Sample]:
    return [s for s in samples if s.phase == phase]


def _patron_samples(run: Run) -> list[Sample]:
    return [s for who, ss in run.samples.items() if who.startswith("patron") for s in ss]


def _errors(samples: list[Sample]) -> int:
    return sum(1 for s in samples if s.status == 0 or s.status >= 400)


def _per_slice(samples: list[Sample], m: Measured, phase: str, p: float) -> list[float]:
    out = []
    for name, start, end in m.slices:
        if name == phase:
            ms = [s.ms for s in samples if start <= s.start < end and s.phase == phase]
            if ms:
                out.append(pct(ms, p))
    return out


def _fmt(v: float) -> str:
    return f"{v:,.1f}"


def write_results(
    args: argparse.Namespace,
    info: dict[str, Any],
    run: Run,
    m: Measured,
    counter: ConnectionCounter,
    speed: tuple[float, float],
) -> str:
    import aiohttp
    import django

    patrons = _patron_samples(run)
    base = [s.ms for s in _in(patrons, "baseline") if s.status == 200]
    base99 = pct(base, 0.99)
    lines = [
        f"# Load benchmark — the OPAC under crawlers and floods ({'SQLite' if args.db == 'sqlite' else 'PostgreSQL'})",
        "",
        "Issue 6 acceptance (a)–(d). Written by `python -m bench.load`; bench/README.md explains it.",
        "",
    ]
    if args.label:
        lines += [f"**{args.label}**", ""]
    lines += [
        "| | |",
        "|---|---|",
        f"| date | {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC |",
        f"| machine | {describe()} |",
        f"| Python / Django / aiohttp | {platform.python_version()} / {django.get_version()} / {aiohttp.__version__} |",
        f"| server | `shoka serve --site opac`'s gunicorn command line: {os.cpu_count()} workers × {os.environ.get('SHOKA_OPAC_THREADS', '8')} threads, admission defaults (20/s and 600/min per /24, each of the {os.cpu_count()} processes counting its share in memory; at most 2 of one network's requests at once per process; 4 requests at once per process, the next waiting up to 50 ms for a slot; a connection refused with 429 is read again after its Retry-After, 1–10 s, spread by up to half; PostgreSQL: a pool of 4 connections per process) |",
        f"| catalogue | {info['records']:,} published records, {info['items']:,} copies (`shoka demo --bibs {args.records:,}`, seed {args.seed}) |",
        f"| preparation | staff side `shoka demo` {info['demo_s']:,.0f} s; **`shoka publish --full` to the live OPAC: {info['publish_s']:,.0f} s, {info['rate']:,.0f} records/s** end to end (build, sign, push, apply); the receiver's own time {info['receiver_s']:,.0f} s over {info['changesets']:,} changesets, {info['receiver_rate']:,.0f} records/s ({info['date']}, load {info['load']:.1f}) |",
        f"| paths | search `{run.paths['search']}`, record `{run.paths['record']}`, new arrivals `{run.paths['new']}` |",
        f"| patrons | {args.patrons}, each from its own /24, think time {args.think:.1f} s (exponential) between requests |",
        f"| machine load | {min(m.load):.1f}–{max(m.load):.1f} (1-minute load average at each phase's start; the load generator runs on the same {os.cpu_count()} cores) |",
        f"| machine speed | {speed[0]:.2f} s before, {speed[1]:.2f} s after (`bench.machine.python_speed`, lower is faster) |",
        "",
        "## Patrons beside the crawler and the flood",
        "",
        f"Milliseconds, patrons' requests (search and record pages) answered 200. p50/p99 pooled over the phase; in brackets the median and lowest–highest of the per-slice p99 ((a) and the baseline alternate in {len([s for s in m.slices if s[0] == 'a'])} slices of {args.slice:.0f} s each). Ratio = p99 ÷ the baseline's pooled p99, same session.",
        "",
        f"The crawler of (b) sends its next request as soon as the previous one is answered, at most {args.fast_rate:.0f} a second; the flooder of (c), in a process of its own, sends on each of its connections without pause. "
        "After a 429 the server reads that connection's next request only once its Retry-After has passed (`shoka.admission.worker`), so the rates they reach (last column) are what the server let them have.",
        "",
        "| phase | patrons' requests | errors | p50 | p99 | p99 per slice | p99 ÷ baseline | target | other client: requests, statuses |",
        "|---|---:|---:|---:|---:|---|---:|---|---|",
    ]
    targets = {"baseline": "", "a": "≤ ×1.10, 0 errors", "b": "< ×2, 0 5xx", "c": "< ×3, 0 errors"}
    names = {
        "baseline": "baseline (patrons only)",
        "a": "(a) crawler 1/s",
        "b": f"(b) crawler {args.fast_rate:.0f}/s",
        "c": f"(c) flood, {args.flood_connections} connections",
    }
    for phase in ("baseline", "a", "b", "c"):
        ps = _in(patrons, phase)
        ok = [s.ms for s in ps if s.status == 200]
        slices = _per_slice([s for s in ps if s.status == 200], m, phase, 0.99)
        spread = (
            f"{statistics.median(slices):.1f} ({min(slices):.1f}–{max(slices):.1f})"
            if len(slices) > 1
            else "—"
        )
        other = ""
        who = {"a": "crawler", "b": "crawler", "c": "flooder"}.get(phase)
        if who:
            os_ = _in(run.samples.get(who, []), phase)
            statuses: dict[int, int] = {}
            for s in os_:
                statuses[s.status] = statuses.get(s.status, 0) + 1
            span = sum(e - s for n, s, e in m.slices if n == phase) or 1
            refused = [s for s in os_ if s.status in (429, 503)]
            with_retry = sum(1 for s in refused if s.retry_after)
            answered = [s.ms for s in os_ if s.status == 200]
            other = (
                f"{who}: {len(os_):,} ({len(os_) / span:,.1f}/s; its 200s p50/p99 "
                f"{_fmt(pct(answered, 0.5))}/{_fmt(pct(answered, 0.99))} ms); "
                + ", ".join(f"{k or 'no answer'}: {v:,}" for k, v in sorted(statuses.items()))
                + (f"; Retry-After on {with_retry:,}/{len(refused):,} refusals" if refused else "")
            )
        fivexx = sum(1 for s in ps if s.status >= 500)
        shed = sum(1 for s in ps if s.status == 503)
        lines.append(
            f"| {names[phase]} | {len(ps):,} | {_errors(ps)} ({fivexx} 5xx, of which {shed} 503) | {_fmt(pct(ok, 0.5))} | "
            f"{_fmt(pct(ok, 0.99))} | {spread} | ×{pct(ok, 0.99) / base99:.2f} | {targets[phase]} | {other} |"
        )
    idle = m.idle_connections
    excess = [c.excess for c in m.checks]
    phase_max = {
        p: max((seen for ph, seen, _f in m.connections if ph == p), default=0)
        for p in ("baseline", "a", "b", "c")
    }
    lines += [
        "",
        "## Database connections",
        "",
        f"Counted as {counter.method}. Idle (no request in flight) before the run: {idle}.",
        f"(a): after each of the crawler's {len(m.checks):,} answers the count was polled every 20 ms until it was back to the idle count "
        f"plus the requests in flight at that moment (the patrons', each of which may hold one): back within one second "
        f"{sum(1 for c in m.checks if c.excess <= 0):,} times, not back {sum(1 for c in m.checks if c.excess > 0)} times "
        f"(largest excess then {max(excess, default=0)}); longest wait {max((c.waited for c in m.checks), default=0) * 1000:.0f} ms, "
        f"most connections seen {max((c.seen for c in m.checks), default=0)}. Target: back within one second of each request.",
        "Highest count sampled every 0.5 s: "
        + ", ".join(f"{names[p]} {v}" for p, v in phase_max.items())
        + ".",
        "",
        "## (d) Search throughput, closed loop",
        "",
        f"Each level runs {args.level_seconds:.0f} s of back-to-back searches (the patrons' queries) from that many clients spread over {THROUGHPUT_NETWORKS} networks; "
        "the minimal view is /bench/search: the same `shoka.opac.catalogue.search` request as the page, answered as JSON without a template. "
        "Sustained = the highest throughput of a level with p99 < 100 ms and no errors.",
        "",
        "| view | concurrency | answered/s | p50 | p99 | errors (statuses) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    best: dict[str, float] = {}
    for label, levels in m.throughput.items():
        for c, samples, seconds in levels:
            ok = [s.ms for s in samples if s.status == 200]
            bad: dict[int, int] = {}
            for s in samples:
                if s.status != 200:
                    bad[s.status] = bad.get(s.status, 0) + 1
            rate = len(ok) / seconds
            if ok and pct(ok, 0.99) < 100 and not bad:
                best[label] = max(best.get(label, 0.0), rate)
            lines.append(
                f"| {label} | {c} | {rate:,.0f} | {_fmt(pct(ok, 0.5))} | {_fmt(pct(ok, 0.99))} | "
                + (", ".join(f"{k or 'no answer'}: {v}" for k, v in sorted(bad.items())) or "0")
                + " |"
            )
    page, minimal = best.get("page", 0.0), best.get("minimal", 0.0)
    ratio = f"{page / minimal:.0%}" if minimal else "—"
    lines += [
        "",
        f"Sustained with p99 < 100 ms: **page {page:,.0f}/s, minimal view {minimal:,.0f}/s — page ÷ minimal {ratio}** (target ≥ 60 %).",
        "",
    ]
    text = "\n".join(lines)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / ("load.md" if args.db == "sqlite" else f"load-{args.db}.md")
        out.write_text(text)
        a99 = pct([s.ms for s in _in(patrons, "a") if s.status == 200], 0.99)
        with (RESULTS / "README.md").open("a") as fh:
            fh.write(
                f"- {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · load · {args.db} · patrons p99 "
                f"baseline {base99:.1f} ms, crawler 1/s ×{a99 / base99:.2f} · search sustained page "
                f"{page:,.0f}/s, minimal {minimal:,.0f}/s ({ratio}) · publish --full "
                f"{info['rate']:,.0f} rec/s · {info['records']:,} records · {describe().split(',')[0]}"
                + (f" · {args.label}" if args.label else "")
                + "\n"
            )
        log(f"results: {out}")
    return text


@contextmanager
def _deadline(minutes: float, opac: Opac) -> Iterator[None]:
    """Whatever happens, stop the server and this process after `minutes`."""

    def expire(*_: object) -> None:
        opac.stop()
        raise SystemExit(f"stopped: the run took longer than --max-minutes {minutes}")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(max(1, int(minutes * 60)))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        opac.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--patrons-registered",
        type=int,
        default=1000,
        help="staff-side patrons of the demo library",
    )
    parser.add_argument("--reprepare", action="store_true", help="prepare both sides again")
    parser.add_argument(
        "--republish",
        action="store_true",
        help="a new OPAC, published again from the kept staff side",
    )
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--paths", choices=sorted(PATHS), default="opac")
    parser.add_argument("--minutes", type=float, default=10, help="(a) and its baseline, each")
    parser.add_argument("--slice", type=float, default=60, help="seconds per alternating slice")
    parser.add_argument("--short-minutes", type=float, default=2, help="(b) and (c), each")
    parser.add_argument("--warmup", type=float, default=20)
    parser.add_argument("--patrons", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="patrons' mean pause, seconds")
    parser.add_argument("--fast-rate", type=float, default=100)
    parser.add_argument("--flood-connections", type=int, default=200)
    parser.add_argument(
        "--levels", type=lambda t: [int(x) for x in t.split(",")], default=[1, 2, 3, 4, 6, 8]
    )
    parser.add_argument("--level-seconds", type=float, default=20)
    parser.add_argument(
        "--max-minutes", type=float, default=None, help="hard stop (default: planned time + 15)"
    )
    parser.add_argument("--label", default="", help="a note for the table and the summary line")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    opac, info = prepare(args)
    if args.prepare_only:
        return
    work = WORK / f"load-{args.db}-{args.records}-{args.seed}"
    queries = json.loads(
        (WORK / f"load-staff-{args.records}-{args.seed}" / "queries.json").read_text()
    )
    ids = [int(r[0]) for r in _opac_query(opac, "SELECT id FROM public_publicrecord ORDER BY id")]
    run = Run("", PATHS[args.paths], [q for c in CLASSES for q in queries[c]], ids)
    planned = (
        args.warmup / 60 + 2 * args.minutes + 2 * args.short_minutes
        + 2 * len(args.levels) * args.level_seconds / 60
    )  # fmt: skip
    log(f"measuring for about {planned:.0f} minutes …")
    with _deadline(args.max_minutes or planned + 15, opac):
        opac.start(work / "access.log")
        run.base = opac.base
        counter = ConnectionCounter(opac)
        try:
            before = python_speed()
            measured = asyncio.run(measure(args, run, counter))
            after = python_speed()
        finally:
            opac.stop()
        print(write_results(args, info, run, measured, counter, (before, after)))
        counter.close()


if __name__ == "__main__":
    main()
