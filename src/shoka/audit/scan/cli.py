"""The `shoka audit scan` command (registered on the `audit` group in shoka.cli)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shoka.audit.scan import report

DEFAULT_IGNORE_FILE = ".shoka-scan-ignore"


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option("--fail-on-findings", is_flag=True, help="Exit with status 3 if a unit is personal.")
@click.option("--all", "all_units", is_flag=True, help="List every unit, not only personal ones.")
@click.option(
    "--ignore-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Paths or globs not to scan, each with a reason (default: {DEFAULT_IGNORE_FILE}).",
)
@click.option("--jobs", default=1, show_default=True, help="Scan this many files at once.")
def scan_command(
    paths: tuple[Path, ...],
    output: str,
    fail_on_findings: bool,
    all_units: bool,
    ignore_file: Path | None,
    jobs: int,
) -> None:
    """Find personal data in files, folders, archives, SQLite databases and workbooks."""
    from shoka.audit.scan import scan

    try:
        ignore = _ignore(ignore_file)
    except (report.IgnoreFileError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(report.EXIT_USAGE)
    findings = scan(list(paths), ignore=ignore, jobs=max(1, jobs))
    root: str | list[str] = str(paths[0]) if len(paths) == 1 else [str(p) for p in paths]
    if output == "json":
        click.echo(report.as_json(root, findings, all_units=all_units))
    elif output == "csv":
        click.echo(report.as_csv(findings, all_units=all_units), nl=False)
    else:
        _table(findings, all_units=all_units)
    for f in findings:
        if f.error:
            click.echo(f"unreadable: {f.path}: {f.error}", err=True)
    if fail_on_findings:
        if any(f.personal for f in findings):
            sys.exit(report.EXIT_FINDINGS)
        if any(f.error for f in findings):
            sys.exit(report.EXIT_UNREADABLE)


def _ignore(path: Path | None) -> report.Ignore:
    if path is None:
        default = Path(DEFAULT_IGNORE_FILE)
        return report.Ignore.read(default) if default.is_file() else report.Ignore()
    return report.Ignore.read(path)


def _table(findings: list[report.Finding], *, all_units: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("No.", "path", "records", "persons", "attributes", "origin")
    for row in report.as_table(findings, all_units=all_units):
        table.add_row(*row)
    console = Console(width=200)
    console.print(table)
    total = report.summary(findings)
    console.print(
        f"{len(findings)} units scanned · {total['personal_units']} with personal data · "
        f"{total['records']:,} records · {total['persons']:,} persons"
    )


@click.command("downloads")
@click.option(
    "--log",
    "logs",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="xferlog, combined or shoka JSON access log (.gz too); repeat for several.",
)
@click.option(
    "--scan",
    "scan_report",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A `shoka audit scan --format json` report: list fetches of its personal units.",
)
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def downloads_command(logs: tuple[Path, ...], scan_report: Path | None, output: str) -> None:
    """Who fetched which personal file, when, how much, and the number of recipients."""
    import gzip
    import json

    from shoka.audit.scan import downloads

    if scan_report is not None:
        try:
            units, sizes = downloads.read_scan(scan_report)
        except (OSError, downloads.ScanReportError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(report.EXIT_USAGE)
    transfers = []
    for log in logs:
        opener = gzip.open if log.suffix == ".gz" else open
        stats = downloads.LogStats()
        try:
            with opener(log, "rt", encoding="utf-8", errors="replace") as lines:
                transfers += list(downloads.parse(lines, stats))
        except (OSError, EOFError) as exc:
            click.echo(f"error: {log}: cannot read: {exc}", err=True)
            sys.exit(report.EXIT_USAGE)
        if stats.lines and not stats.recognised:
            click.echo(
                f"warning: {log}: no line in a known log format "
                "(xferlog, combined, shoka JSON): nothing read from it",
                err=True,
            )
    if scan_report is None:
        units, sizes = sorted({t.path.lstrip("/") for t in transfers}), {}
    fetches = downloads.match(transfers, units, sizes)
    complete, partial = downloads.recipients(fetches)
    if output == "json":
        data = {
            "version": 1,
            "fetches": [
                {
                    "unit": f.unit,
                    "client": f.client,
                    "time": f.time.isoformat(),
                    "bytes": f.bytes,
                    "complete": f.complete,
                    "log": f.log,
                }
                for f in fetches
            ],
            "recipients": len(complete),
            "recipient_clients": sorted(complete),
            "partial_only_clients": sorted(partial),
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("No.", "unit", "client", "time", "bytes", "complete", "log")
    for i, f in enumerate(fetches, 1):
        done = {True: "yes", False: "no", None: "?"}[f.complete]
        table.add_row(str(i), f.unit, f.client, f.time.isoformat(), f"{f.bytes:,}", done, f.log)
    console = Console(width=200)
    console.print(table)
    console.print(
        f"{len({f.unit for f in fetches})} units fetched · 流出先件数 (distinct recipients): "
        f"{len(complete)} · {len(partial)} more with incomplete transfers only"
    )


@click.command("register")
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def register_command(output: str) -> None:
    """shoka's own personal-data files (個人情報ファイル簿), from the models and the database."""
    import json
    from dataclasses import asdict

    from shoka.clitools import setup

    setup()
    from shoka.audit.register import register

    entries = register()
    if output == "json":
        data = [asdict(e) | {"must_register": e.must_register} for e in entries]
        click.echo(json.dumps({"version": 1, "files": data}, ensure_ascii=False, indent=2))
        return
    for e in entries:
        click.echo(f"■ {e.model} (table {e.table})")
        click.echo(f"  purpose:    {e.purpose}")
        click.echo(f"  attributes: {', '.join(e.attributes)}")
        if e.encrypted_fields:
            click.echo(f"  encrypted:  {', '.join(e.encrypted_fields)}")
        registrable = " — more than 1,000 people: register it" if e.must_register else ""
        click.echo(f"  records:    {e.records:,} · persons: {e.persons:,}{registrable}")
        click.echo(f"  retention:  {e.retention}")
        click.echo(f"  access:     {', '.join(e.access) or 'nobody'}")


AUDIT_COMMANDS: list[click.Command] = [scan_command, downloads_command, register_command]
