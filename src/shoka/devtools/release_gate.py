"""The release gate (`make release-gate`, part of `make test`): build the sdist and the wheel,
archive the committed tree (`git archive HEAD`), and scan all three for personal data as
`shoka audit scan --fail-on-findings` would, honouring the project's `.shoka-scan-ignore`.
Exits with the scanner's status: 0 clean, 3 personal data found, 4 something could not be
read, 2 an ignore-file line without a reason; 1 when the build or the archive fails.

    python -m shoka.devtools.release_gate [--project DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from shoka.audit.scan import report, scan


def run(project: Path, out: Path) -> int:
    if out.exists():
        shutil.rmtree(out)
    dist = out / "dist"
    dist.mkdir(parents=True)
    build = [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel"]
    built = subprocess.run(  # noqa: S603
        [*build, "--outdir", str(dist), str(project)], capture_output=True, text=True
    )
    if built.returncode != 0:
        print(built.stdout[-4000:], built.stderr[-4000:], sep="\n", file=sys.stderr)
        print("release gate: the build failed", file=sys.stderr)
        return 1
    tree = out / "tree.tar"
    archived = subprocess.run(  # noqa: S603
        ["git", "-C", str(project), "archive", "--format=tar", "-o", str(tree), "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
    )
    if archived.returncode != 0:
        print(f"release gate: git archive failed: {archived.stderr.strip()}", file=sys.stderr)
        return 1
    targets = [*sorted(dist.iterdir()), tree]
    ignore_file = project / ".shoka-scan-ignore"
    try:
        ignore = report.Ignore.read(ignore_file) if ignore_file.is_file() else report.Ignore()
    except report.IgnoreFileError as exc:
        print(f"release gate: FAILED — {exc}", file=sys.stderr)
        return report.EXIT_USAGE
    findings = scan(targets, ignore=ignore)
    for finding in findings:
        if finding.personal:
            print(
                f"PERSONAL DATA: {finding.path}: {finding.records} records, "
                f"{finding.persons} persons, {', '.join(finding.attributes)}",
                file=sys.stderr,
            )
        elif finding.error:
            print(f"UNREADABLE: {finding.path}: {finding.error}", file=sys.stderr)
    names = ", ".join(t.name for t in targets)
    if any(f.personal for f in findings):
        hit = sorted({t.name for t in targets for f in findings if f.personal and _in(f, t)})
        print(f"release gate: FAILED — personal data in {', '.join(hit)}", file=sys.stderr)
        return report.EXIT_FINDINGS
    if any(f.error for f in findings):
        print(f"release gate: FAILED — unreadable units in {names}", file=sys.stderr)
        return report.EXIT_UNREADABLE
    print(f"release gate: {len(findings)} units scanned in {names}: no personal data")
    return report.EXIT_OK


def _in(finding: Any, target: Path) -> bool:
    """Whether a finding's unit lies in ``target`` (its path starts with the file's name)."""
    return str(finding.path) == target.name or str(finding.path).startswith(f"{target.name}::")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--project", type=Path, default=Path.cwd())
    parser.add_argument("--out", type=Path, default=Path("var/release-gate"))
    args = parser.parse_args(argv)
    return run(args.project.resolve(), args.out.resolve())


if __name__ == "__main__":
    sys.exit(main())
