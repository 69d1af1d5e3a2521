"""The flooder of bench/load.py (c), in a process of its own.

    python -m bench.load_flood SPEC OUT

SPEC is a JSON file written by bench/load.py: the OPAC's base URL, the paths, the patrons'
queries, the record ids, the number of connections and how long to flood. The flooder runs
its own event loop (so its 200 busy connections do not slow the loop that times the
patrons' requests in the parent process), floods from 127.0.250.1 for that long, and writes
its samples to OUT as JSON: [start (time.perf_counter, the same clock in every process on
Linux), ms, status, kind, had Retry-After].
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from .load import Run, flooder


async def _flood(spec: dict, run: Run) -> None:
    async def stop_later() -> None:
        await asyncio.sleep(float(spec["seconds"]))
        run.stop = True

    await asyncio.gather(stop_later(), flooder(run, int(spec["connections"]), lambda: True))


def main() -> None:
    spec_path, out_path = Path(sys.argv[1]), Path(sys.argv[2])
    spec = json.loads(spec_path.read_text())
    run = Run(spec["base"], spec["paths"], spec["queries"], spec["record_ids"], phase="c")
    asyncio.run(_flood(spec, run))
    samples = [
        [s.start, round(s.ms, 3), s.status, s.kind, s.retry_after]
        for s in run.samples.get("flooder", [])
    ]
    out_path.write_text(json.dumps(samples))


if __name__ == "__main__":
    main()
