"""The personal-data scanner behind `shoka audit scan` (docs/audit.md).

:func:`scan` walks files, folders, archives, databases and workbooks and returns one
:class:`~shoka.audit.scan.report.Finding` per unit. Nothing here needs Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from shoka.audit.scan.report import Finding, Ignore
from shoka.audit.scan.units import scan_file, walk

__all__ = ["Finding", "Ignore", "scan"]


def scan(paths: Sequence[Path], *, ignore: Ignore | None = None, jobs: int = 1) -> list[Finding]:
    """Scan every unit under ``paths``; unit paths are relative to the path given."""
    ignore = ignore or Ignore()
    files = [(label, path) for root in paths for label, path in walk(root)]
    if jobs <= 1 or len(files) <= 1:
        return [f for label, path in files for f in scan_file(label, path, ignore)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(scan_file, *zip(*files, strict=True), [ignore] * len(files))
        return [f for found in results for f in found]
