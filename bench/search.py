"""Catalogue import and search at the scale of a large city library.

    python -m bench.search --db sqlite [--bibs 1000000]
    python -m bench.search --db postgresql --pg-url postgres://postgres@127.0.0.1:5432/postgres

What it does (bench/README.md has the long version):

1. Generates the synthetic catalogue of `shoka demo --bibs N` (titles from `shoka.demo`, with
   1–3 copies each) and writes it once as an ISO 2709 MARC file with 852 holdings
   (bench/work/search-<N>-<seed>.mrc), the way a library would bring its catalogue in.
2. Draws queries from the generated titles (1,000 per class by default): `ja2` a two-character
   Japanese word, `ja4` a four-character one, `and2` two words of one title, `en` an
   English word, `isbn` an ISBN with hyphens. Words are drawn in proportion to their use, so
   the set leans towards heavy queries, as the baseline did.
   They are drawn before the import and the titles dropped, so the importing process does
   not carry a million of them through its garbage collections.
3. In a fresh instance (SHOKA_HOME = bench/work/search-<db>/; on PostgreSQL the database
   `shoka_bench_search`, dropped and created), imports the file through the real import
   service (`read_marc` in a reader process, as `shoka import marc` does for big files →
   `import_records`) and then lets the index writer apply the queue
   (`IndexWriter.catch_up`): import rate including indexing. Then `IndexWriter.rebuild()`
   (index build time from the database) and the index size on disk.
4. For each query, in rounds, times (a) the search service — parsing, analysis, query
   building, tantivy, facet counts, and the page of 20 display fields — and (b) the engine
   alone on the same query: the same tantivy query object, prebuilt, top 20 with the exact
   count and the 20 stored documents fetched. Interleaved, one client, one thread.
5. Writes bench/results/search-<db>.md and appends a line to bench/results/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .machine import describe, python_speed

BENCH_DIR = Path(__file__).resolve().parent
WORK = BENCH_DIR / "work"
RESULTS = BENCH_DIR / "results"
PG_DB = "shoka_bench_search"
CLASSES = ("ja2", "ja4", "and2", "en", "isbn")
_KANJI = re.compile(r"[\u4e00-\u9fff]+")
_LATIN = re.compile(r"[A-Za-z]{4,}")


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


# --- set-up -----------------------------------------------------------------------------


def prepare_environment(db: str, pg_url: str) -> Path:
    home = WORK / f"search-{db}"
    if home.exists():
        shutil.rmtree(home)
    (home / "keys").mkdir(parents=True)
    (home / "data").mkdir()
    os.environ["SHOKA_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shoka.settings.staff"
    os.environ["SHOKA_SECRET_KEY"] = "bench-only"  # noqa: S105 — not a secret
    if db == "postgresql":
        import psycopg

        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        base = pg_url.rsplit("/", 1)[0]
        os.environ["SHOKA_DATABASE_URL"] = f"{base}/{PG_DB}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from shoka.security.keyring import KeyRing, reset_keyring_cache, write_key_file

    write_key_file(Path(getattr(settings, "SHOKA_KEY_FILE")), KeyRing.generate())  # noqa: B009
    reset_keyring_cache()
    call_command("migrate", interactive=False, verbosity=0)
    return home


def marc_file(bibs: int, seed: int) -> tuple[Path, list[Any]]:
    """The catalogue as MARC with holdings (made once per size and seed) and the titles."""
    from shoka.demo.bibdata import generate_bibs

    log(f"generating {bibs:,} titles (seed {seed}) …")
    demo = generate_bibs(seed, bibs)
    path = WORK / f"search-{bibs}-{seed}.mrc"
    if path.exists():
        return path, demo
    from shoka.catalogue.marc.writer import write_marc
    from shoka.catalogue.records import ExportRecord
    from shoka.demo.loader import catalogue_records
    from shoka.organisation.models import Branch, BranchKind

    class _B:  # branch stand-ins: the generator needs codes and kinds only
        def __init__(self, code: str, kind: str) -> None:
            self.code, self.kind = code, kind

    branches: list[Any] = [_B("main", BranchKind.MAIN), _B("east", "branch"), _B("north", "branch")]
    bookmobile: Any = _B("bm", BranchKind.BOOKMOBILE)
    _ = Branch
    records = catalogue_records(
        branches, bookmobile, demo, random.Random(seed), dt.date(2026, 11, 30)
    )
    log(f"writing {path.name} …")
    WORK.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        write_marc(
            (ExportRecord(n, r.bib, r.holdings) for n, r in enumerate(records, start=1)),
            out,
            "marc21",
        )
    tmp.rename(path)
    return path, demo


# --- import and indexing -----------------------------------------------------------------


def _progress(done: int) -> None:
    if done % 100_000 == 0:
        log(f"  {done:,} records")


def run_import(path: Path) -> dict[str, Any]:
    from django.utils import timezone

    from shoka.audit.actors import Actor
    from shoka.audit.log import audited_atomic
    from shoka.catalogue.importing import import_records
    from shoka.catalogue.marc.reader import read_marc
    from shoka.catalogue.readahead import read_ahead
    from shoka.demo.loader import categories_and_rules, organisation
    from shoka.search.indexer import IndexWriter, index_path

    with audited_atomic():
        lib = organisation(dt.date(2026, 11, 30))
        categories_and_rules(lib.library, lib.bookmobile)
    log(
        f"importing {path.name} ({path.stat().st_size / 2**20:,.0f} MiB) with the index writer alongside …"
    )
    # As deployed: the index writer (`shoka index run`) is its own process, consuming the
    # queue while the import writes; the clock stops when the queue is empty.
    index_process = subprocess.Popen(
        [sys.executable, "-m", "shoka.cli", "index", "run", "--interval", "0.5"],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
    )
    started = time.perf_counter()
    report = import_records(
        lib.library,
        read_ahead(read_marc, path),  # as `shoka import marc` reads a big file
        source=path.name,
        actor=Actor.system("bench"),
        at=timezone.now(),
        progress=_progress,
    )
    import_s = time.perf_counter() - started
    log(report.summary())
    from shoka.search.models import IndexChange

    while IndexChange.objects.exists():
        if index_process.poll() is not None:
            raise SystemExit("the index writer stopped")
        time.sleep(0.1)
    total_s = time.perf_counter() - started
    index_process.terminate()
    index_process.wait(timeout=60)
    log(f"queue empty {total_s - import_s:.1f} s after the import")
    log("rebuilding the index from the database …")
    started = time.perf_counter()
    with IndexWriter.for_rebuild() as writer:
        rebuilt = writer.rebuild()
    rebuild_s = time.perf_counter() - started
    size = sum(f.stat().st_size for f in index_path().rglob("*") if f.is_file())
    return {
        "records": report.read,
        "added": report.added,
        "skipped": report.skipped,
        "items": report.items_added,
        "import_s": import_s,
        "total_s": total_s,
        "rebuild_s": rebuild_s,
        "rebuilt": rebuilt,
        "index_mb": size / 2**20,
    }


# --- queries -------------------------------------------------------------------------------


def draw_queries(demo: list[Any], per_class: int, seed: int) -> dict[str, list[str]]:
    from stdnum import isbn as stdnum_isbn

    rng = random.Random(seed)
    ja = [b for b in demo if b.language == "jpn"]
    en = [b for b in demo if b.language == "eng"]
    out: dict[str, list[str]] = {name: [] for name in CLASSES}
    kanji2 = Counter(
        w[i : i + 2]
        for b in ja[:200_000]
        for w in _KANJI.findall(b.title)
        for i in range(0, len(w) - 1, 2)
    )
    kanji4 = Counter(w[:4] for b in ja[:200_000] for w in _KANJI.findall(b.title) if len(w) >= 4)
    words2, weights2 = zip(*kanji2.items(), strict=True)
    words4, weights4 = zip(*kanji4.items(), strict=True)
    out["ja2"] = list(rng.choices(words2, weights2, k=per_class))
    out["ja4"] = list(rng.choices(words4, weights4, k=per_class))
    while len(out["and2"]) < per_class:
        words = _KANJI.findall(rng.choice(ja).title)
        if len(words) >= 2:
            a, b = rng.sample(words, 2)
            out["and2"].append(f"{a} {b}")
    english = Counter(w.lower() for b in en[:100_000] for w in _LATIN.findall(b.title))
    words_en, weights_en = zip(*english.items(), strict=True)
    out["en"] = list(rng.choices(words_en, weights_en, k=per_class))
    with_isbn = [b for b in demo if b.isbns]
    out["isbn"] = [stdnum_isbn.format(rng.choice(with_isbn).isbns[0]) for _ in range(per_class)]
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def measure(queries: dict[str, list[str]], rounds: int) -> dict[str, Any]:
    from shoka.search.indexer import index_path
    from shoka.search.service import FACET_AGGREGATION, SearchRequest, SearchService

    service = SearchService(index_path())
    searcher = service.index.searcher()
    built = {c: [service.build_query(SearchRequest(q=q)) for q in qs] for c, qs in queries.items()}
    hits: dict[str, list[int]] = {c: [] for c in queries}
    for c, qs in queries.items():  # warm-up: every query once, and count hits
        for q in qs:
            hits[c].append(service.search(SearchRequest(q=q, facets=False)).total)
    per_round: list[dict[str, dict[str, list[float]]]] = []
    clock = time.perf_counter
    for r in range(rounds):
        log(f"round {r + 1}/{rounds}")
        times: dict[str, dict[str, list[float]]] = {}
        for c, qs in queries.items():
            svc: list[float] = []
            eng: list[float] = []
            eng_facets: list[float] = []
            for q, prebuilt in zip(qs, built[c], strict=True):
                t0 = clock()
                service.search(SearchRequest(q=q, per_page=20, facets=True))
                t1 = clock()
                result = searcher.search(prebuilt, 20, count=True)
                for _, address in result.hits:
                    searcher.doc(address)
                t2 = clock()
                if (getattr(result, "count", 0) or 0) > 20:  # the service aggregates only then
                    searcher.aggregate(prebuilt, FACET_AGGREGATION)
                t3 = clock()
                svc.append((t1 - t0) * 1000)
                eng.append((t2 - t1) * 1000)
                eng_facets.append((t3 - t1) * 1000)
            times[c] = {"service": svc, "engine": eng, "engine_facets": eng_facets}
        per_round.append(times)
    return {"rounds": per_round, "hits": hits}


# --- results ---------------------------------------------------------------------------------


def write_results(
    db: str, args: argparse.Namespace, load: dict[str, Any], data: dict[str, Any], db_version: str
) -> Path:
    import django
    import tantivy

    rounds = data["rounds"]

    def stat(c: str, kind: str, f: Callable[[list[float]], float]) -> tuple[float, float, float]:
        values = [f(r[c][kind]) for r in rounds]
        return statistics.median(values), min(values), max(values)

    rate_with_index = load["records"] / load["total_s"]
    lines = [
        f"# Search benchmark — {'SQLite' if db == 'sqlite' else 'PostgreSQL'}",
        "",
        "Catalogue import and search through `shoka.catalogue.importing` and `shoka.search.service`, "
        "one client, one thread. Written by `python -m bench.search`; bench/README.md explains it.",
        "",
        "| | |",
        "|---|---|",
        f"| date | {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC |",
        f"| machine | {describe()} |",
        f"| Python / Django / tantivy-py | {platform.python_version()} / {django.get_version()} / {getattr(tantivy, '__version__', '0.27')} |",
        f"| database | {db_version} |",
        f"| catalogue | {load['records']:,} MARC records (synthetic, seed {args.seed}) with {load['items']:,} items in 852 holdings |",
        f"| machine load | {args.load_before:.1f} before, {os.getloadavg()[0]:.1f} after (1-minute load average; other work shares this VM) |",
        f"| machine speed | {args.speed_before:.2f} s before the import, {args.speed_after:.2f} s after (`bench.machine.python_speed`: a fixed Python loop, lower is faster; this VM's speed varies by hour) |",
        "",
        "## Import and index",
        "",
        "| step | time | rate |",
        "|---|---:|---:|",
        f"| import (read, map, match, write bibs, items, audit events, queue) | {load['import_s']:,.0f} s | {load['records'] / load['import_s']:,.0f} records/s |",
        f"| **import including indexing** (index writer `shoka index run` alongside; until its queue is empty) | **{load['total_s']:,.0f} s** | **{rate_with_index:,.0f} records/s** |",
        f"| index rebuild from the database (`shoka index rebuild`) | {load['rebuild_s']:,.0f} s | {load['rebuilt'] / load['rebuild_s']:,.0f} records/s |",
        "",
        f"Index size on disk: {load['index_mb']:,.0f} MiB. Records skipped: {load['skipped']}.",
        "",
        "## Query latency",
        "",
        f"{args.queries} queries per class, {args.rounds} rounds after a warm-up pass; milliseconds, the median over rounds of each round's value (spread = lowest–highest round). "
        "Service = parse + analysis + query + tantivy + facet counts + page of 20 display fields. "
        "Engine = the same prebuilt tantivy query, top 20 with exact count and the 20 stored documents (the baseline of ../shared/notes). "
        "Engine + facet aggregation = that plus the one tantivy aggregation the service runs for facet counts when the result is longer than the page: the same work as the service, without Python.",
        "",
        "| class | hits (median / max) | service p50 | service p99 | service max | service q/s | engine p50 | engine p99 | service ÷ engine p50 | service ÷ engine p99 | engine + facet aggregation p50 / p99 | service ÷ that p50 / p99 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in CLASSES:
        s50 = stat(c, "service", lambda v: percentile(v, 0.5))
        s99 = stat(c, "service", lambda v: percentile(v, 0.99))
        smax = stat(c, "service", max)
        e50 = stat(c, "engine", lambda v: percentile(v, 0.5))
        e99 = stat(c, "engine", lambda v: percentile(v, 0.99))
        f50 = stat(c, "engine_facets", lambda v: percentile(v, 0.5))
        f99 = stat(c, "engine_facets", lambda v: percentile(v, 0.99))
        qps = statistics.median(1000 / statistics.mean(r[c]["service"]) for r in rounds)
        h = data["hits"][c]
        lines.append(
            f"| {c} | {statistics.median(h):,.0f} / {max(h):,} | {s50[0]:.2f} ({s50[1]:.2f}–{s50[2]:.2f}) | "
            f"{s99[0]:.2f} ({s99[1]:.2f}–{s99[2]:.2f}) | {smax[0]:.2f} | {qps:,.0f} | {e50[0]:.2f} | {e99[0]:.2f} | "
            f"×{s50[0] / e50[0]:.1f} | ×{s99[0] / e99[0]:.1f} | "
            f"{f50[0]:.2f} / {f99[0]:.2f} | ×{s50[0] / f50[0]:.1f} / ×{s99[0] / f99[0]:.1f} |"
        )
    lines += [
        "",
        'Targets (issue "Catalogue import and Japanese search"): import ≥ 2,000 records/s including indexing; '
        "service p99 < 20 ms for every class; service within 3× of engine-only.",
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"search-{db}.md"
    out.write_text("\n".join(lines))
    p99 = ", ".join(
        f"{c} {stat(c, 'service', lambda v: percentile(v, 0.99))[0]:.2f}" for c in CLASSES
    )
    with (RESULTS / "README.md").open("a") as fh:
        fh.write(
            f"- {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · search · {db} · import+index "
            f"{rate_with_index:,.0f} rec/s · service p99 {p99} ms · {load['records']:,} records · "
            f"{describe().split(',')[0]}\n"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--bibs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--queries", type=int, default=1000, help="per class")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]
    sys.path.insert(0, str(BENCH_DIR.parent / "src"))
    prepare_environment(args.db, args.pg_url)
    path, demo = marc_file(args.bibs, args.seed)
    # Draw the queries now and let the generated titles go: a million of them kept alive in
    # the importing process made each of its full garbage collections walk them, which
    # `shoka import marc` never pays (the 2026-12-01 03:40 run held them: 1,706 records/s).
    queries = draw_queries(demo, args.queries, args.seed)
    del demo
    gc.collect()
    args.speed_before = python_speed()
    load = run_import(path)
    args.speed_after = python_speed()
    data = measure(queries, args.rounds)
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db_version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            db_version = f"SQLite {cursor.fetchone()[0]} (WAL, synchronous=NORMAL)"
    out = write_results(args.db, args, load, data, db_version)
    log(f"results: {out}")
    print(out.read_text())


if __name__ == "__main__":
    main()
