"""Scan results: one :class:`Finding` per unit, the ignore file, and the three output formats
(JSON, CSV, and the investigators' table)."""

from __future__ import annotations

import csv
import fnmatch
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from shoka.audit.scan.records import ATTRIBUTES, Tally

REPORT_VERSION: Final = 1
# Exit codes of `shoka audit scan` (docs/cli.md).
EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
EXIT_FINDINGS: Final = 3
EXIT_UNREADABLE: Final = 4
# The keys of each unit in the JSON report and the columns of the CSV, in order.
COLUMNS: Final = tuple(
    "path personal records persons attributes origin encoding format severity".split()
)
# A municipality must register a personal-data file about more than 1,000 people.
REGISTER_THRESHOLD: Final = 1000
_SENSITIVE: Final = frozenset({"my_number", "guardian", "birth_date"})


@dataclass(slots=True)
class Finding:
    path: str
    personal: bool
    records: int
    persons: int
    attributes: list[str]
    origin: str | None
    encoding: str | None
    format: str
    severity: str
    rows: int = 0  # rows, lines or letters read (personal or not); not in the report
    persons_exact: bool = True  # False: more keys than MAX_KEYS, persons is an upper bound
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The nine keys of the report (docs/cli.md), plus ``persons_exact: false`` when
        ``persons`` is an upper bound and ``error`` when the unit could not be read."""
        data = {key: getattr(self, key) for key in COLUMNS}
        if not self.persons_exact:
            data["persons_exact"] = False
        if self.error is not None:
            data["error"] = self.error
        return data


def severity(tally: Tally) -> str:
    """``high``: My Number, a child's guardian or birth dates, or more than 1,000 people;
    ``medium``: a name with a way to reach or find the person; ``low``: other personal data;
    ``none`` when the unit is not personal."""
    if not tally.records:
        return "none"
    attributes = tally.attributes
    if attributes & _SENSITIVE or tally.persons > REGISTER_THRESHOLD:
        return "high"
    if attributes & {"address", "phone", "email", "postal_code"}:
        return "medium"
    return "low"


def finding(path: str, tally: Tally, *, encoding: str | None, format: str, rows: int) -> Finding:
    return Finding(
        path=path,
        personal=tally.records > 0,
        records=tally.records,
        persons=tally.persons,
        attributes=[a for a in ATTRIBUTES if a in tally.attributes],
        origin=tally.origin() if tally.records else None,
        encoding=encoding,
        format=format,
        severity=severity(tally),
        rows=rows,
        persons_exact=tally.persons_exact,
    )


def unreadable(path: str, format: str, error: str) -> Finding:
    return Finding(path, False, 0, 0, [], None, None, format, "none", error=error)


# -- ignore file -----------------------------------------------------------------------------


class IgnoreFileError(ValueError):
    pass


@dataclass(slots=True)
class Ignore:
    """Paths or globs not to scan, each with the written reason it is safe."""

    rules: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Ignore:
        rules = []
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            pattern, _, reason = line.partition(" # ")
            if not reason.strip():
                raise IgnoreFileError(
                    f"{path}:{number}: every ignored path needs a reason: `PATTERN # reason`"
                )
            rules.append((pattern.strip(), reason.strip()))
        return cls(rules)

    def matches(self, unit: str) -> bool:
        """A unit is ignored when it or one of its containers (before a ``::``) matches."""
        parts = unit.split("::")
        candidates = ["::".join(parts[: i + 1]) for i in range(len(parts))] + parts[1:]
        return any(fnmatch.fnmatchcase(c, pattern) for pattern, _ in self.rules for c in candidates)


# -- output --------------------------------------------------------------------------------------


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    personal = [f for f in findings if f.personal]
    return {
        "personal_units": len(personal),
        "records": sum(f.records for f in personal),
        "persons": sum(f.persons for f in personal),
    }


def as_json(root: str | list[str], findings: Sequence[Finding], *, all_units: bool) -> str:
    listed = [f for f in findings if all_units or f.personal or f.error]
    return json.dumps(
        {
            "version": REPORT_VERSION,
            "root": root,
            "units_scanned": len(findings),
            "files": [f.as_json() for f in listed],
            "summary": summary(findings),
        },
        ensure_ascii=False,
        indent=2,
    )


def as_csv(findings: Sequence[Finding], *, all_units: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in findings:
        if all_units or f.personal:
            row = f.as_json()
            row["attributes"] = " ".join(f.attributes)
            writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    return out.getvalue()


def as_table(findings: Sequence[Finding], *, all_units: bool) -> list[list[str]]:
    """Rows of the investigators' table: No., path, records, persons, attributes, origin."""
    rows = []
    for f in findings:
        if all_units or f.personal:
            attributes = ", ".join(f.attributes) if f.personal else "—"
            persons = f"{f.persons:,}" if f.persons_exact else f"≤ {f.persons:,}"
            rows.append([f.path, f"{f.records:,}", persons, attributes, f.origin or "—"])
    return [[str(i), *row] for i, row in enumerate(rows, 1)]
