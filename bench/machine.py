"""The machine line of a benchmark's result table."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> str:
    """CPU model, cores, memory and kernel: ``"Intel(R) Xeon(R) …, 2 cores, 23.5 GiB RAM,
    Linux 6.18…"``."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, {mem:.1f} GiB RAM, {system}"


def python_speed(rounds: int = 5) -> float:
    """Seconds for a fixed pure-Python loop (10 million additions), the median of ``rounds``.

    This VM's speed changes from hour to hour (the same loop took 0.8 s one day and 1.7–2.6 s
    another); records/s figures of runs made at different times are comparable only together
    with this number."""
    import statistics
    import time

    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        times.append(time.perf_counter() - started)
    return statistics.median(times)
