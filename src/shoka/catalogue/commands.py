"""`shoka import marc|csv FILE…` and `shoka export` (docs/cli.md, docs/catalogue-import.md)."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TextIO, cast

import click

from shoka.clitools import progress_bar, setup
from shoka.search.commands import catch_up_now, indexing_alongside

ALONGSIDE_FROM = 5000
READ_AHEAD_FROM = 5000  # records; below that, starting a reader process costs more than it saves


def _advance(bar: Callable[[int, int], None], total: int, done: int) -> None:
    bar(done, max(total, done))


def _estimate_records(path: Path, kind: str) -> int:
    """A quick count of the records in a file, for the progress bar (0 when unknown)."""
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    if kind == "csv":
        return max(data.count(b"\n") - 1, 0)
    if data.lstrip()[:1] == b"<":
        return data.count(b"<record") + data.count(b":record") - data.count(b"<records")
    return data.count(b"\x1d")


def _import_options(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument(
            "files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
        ),
        click.option(
            "--dry-run",
            is_flag=True,
            help="Report what would be added, changed and skipped; write nothing.",
        ),
        click.option(
            "--no-items", is_flag=True, help="Ignore holdings (852/949, barcode columns)."
        ),
        click.option(
            "--branch",
            default="",
            help="Branch code for holdings that name none (default: the main library).",
        ),
        click.option("--location", default="", help="Location code for holdings that name none."),
        click.option(
            "--loan-category",
            default="book",
            show_default=True,
            help="Loan category for new items.",
        ),
        click.option(
            "--report",
            "report_path",
            type=click.Path(path_type=Path),
            default=None,
            help="Where to write the report (.txt and .json); default: the reports folder.",
        ),
        click.option(
            "--no-index", is_flag=True, help="Leave indexing to the running index writer."
        ),
        click.option(
            "--index-alongside/--index-after",
            default=None,
            help="Index while importing (in a second process) or afterwards; default: "
            f"alongside from {ALONGSIDE_FROM:,} records.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _run_import(kind: str, files: tuple[Path, ...], **opts: Any) -> None:
    setup()
    from django.utils import timezone

    from shoka.catalogue.importing import ImportOptions
    from shoka.organisation.models import Library

    library = Library.objects.order_by("id").first()
    if library is None:
        raise click.ClickException("no library yet: run `shoka demo` or configure one")
    options = ImportOptions(
        dry_run=opts["dry_run"],
        items=not opts["no_items"],
        branch=opts["branch"],
        location=opts["location"],
        loan_category=opts["loan_category"],
    )
    at = timezone.now()
    failed = False
    estimates = {path: _estimate_records(path, kind) for path in files}
    alongside = opts["index_alongside"]
    if alongside is None:  # by default for big files: small ones are indexed afterwards
        alongside = sum(estimates.values()) >= ALONGSIDE_FROM
    indexing = (
        indexing_alongside()
        if alongside and not opts["dry_run"] and not opts["no_index"]
        else contextlib.nullcontext()
    )
    with indexing:
        for path in files:
            failed |= not _import_file(
                kind, path, estimates[path], library, options, at, len(files) > 1, opts
            )
    if not opts["dry_run"] and not opts["no_index"] and not alongside:
        catch_up_now()
    if failed:
        sys.exit(1)


def _import_file(
    kind: str,
    path: Path,
    total: int,
    library: Any,
    options: Any,
    at: Any,
    several: bool,
    opts: dict[str, Any],
) -> bool:
    """Import one file and print its summary; False when it could not be opened."""
    from django.conf import settings

    from shoka.audit.actors import Actor
    from shoka.catalogue.importing import import_records
    from shoka.catalogue.tabular import TabularFile

    reader = _reader(kind)
    try:
        raw = path.open("rb")
    except OSError as exc:
        click.echo(f"{path}: cannot open ({exc.strerror})", err=True)
        return False
    with raw, progress_bar(path.name) as bar:
        if kind == "marc" and total >= READ_AHEAD_FROM:  # parse in a second process
            from shoka.catalogue.readahead import read_ahead

            records: Iterable[Any] = read_ahead(reader, path)
        else:
            records = reader(raw, name=str(path))
        report = import_records(
            library,
            records,
            source=str(path),
            actor=Actor.cli(),
            at=at,
            options=options,
            progress=functools.partial(_advance, bar, total),
        )
    if isinstance(records, TabularFile):  # the file's encoding, layout and remarks
        report.notes.append(
            f"encoding {records.encoding or '-'} ({records.detected_by or '-'}), "
            f"layout {records.layout or 'unknown'}"
        )
        report.notes.extend(records.warnings)
    stamp = at.strftime("%Y%m%d-%H%M%S")
    target = opts["report_path"] or Path(settings.SHOKA_REPORT_DIR) / f"import-{stamp}-{path.stem}"
    if several and opts["report_path"]:
        target = target.with_name(f"{target.name}-{path.stem}")
    text, _ = report.write(target)
    click.echo(report.summary())
    for note in report.notes:
        click.echo(f"  {note}")
    for bad in report.bad[:10]:
        click.echo(f"  skipped {bad.position}: {bad.reason}")
    if len(report.bad) > 10:
        click.echo(f"  … {len(report.bad) - 10} more skipped")
    click.echo(f"report: {text} (and .json)")
    return True


def _reader(kind: str) -> Callable[..., Iterable[Any]]:
    if kind == "marc":
        from shoka.catalogue.marc.reader import read_marc

        return read_marc
    from shoka.catalogue.tabular import read_tabular

    return read_tabular


@click.group("import")
def import_group() -> None:
    """Load catalogue records from files."""


@import_group.command("marc")
@_import_options
def import_marc(files: tuple[Path, ...], **opts: Any) -> None:
    """MARC21 (ISO 2709 or MARCXML; UTF-8 or MARC-8), JAPAN/MARC included."""
    _run_import("marc", files, **opts)


@import_group.command("csv")
@_import_options
def import_csv(files: tuple[Path, ...], **opts: Any) -> None:
    """CSV or TSV in the Enju or the shoka layout (UTF-8 or CP932, detected)."""
    _run_import("csv", files, **opts)


FORMATS = ("marc21", "marcxml", "csv", "jsonl")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="marc21", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option("--ids", default="", help="Only these record ids (comma-separated).")
def export(fmt: str, output: Path | None, ids: str) -> None:
    """Write the catalogue (records with their current holdings)."""
    setup()
    from shoka.catalogue.exporting import export_records
    from shoka.organisation.models import Library

    library = Library.objects.order_by("id").first()
    if library is None:
        raise click.ClickException("no library yet")
    try:
        wanted = [int(i) for i in ids.split(",") if i.strip()] or None
    except ValueError as exc:
        raise click.BadParameter("write ids as 1,2,3", param_hint="--ids") from exc
    records = export_records(library, ids=wanted)
    binary = fmt in ("marc21", "marcxml")
    if output is None:
        count = _write(fmt, records, sys.stdout.buffer if binary else sys.stdout)
    elif binary:
        with output.open("wb") as stream:
            count = _write(fmt, records, stream)
    else:
        with output.open("w", encoding="utf-8", newline="") as text:
            count = _write(fmt, records, text)
    where = f" to {output}" if output else ""
    click.echo(f"exported {count} record(s) as {fmt}{where}", err=True)


def _write(fmt: str, records: Iterator[Any], stream: IO[Any]) -> int:
    if fmt in ("marc21", "marcxml"):
        from shoka.catalogue.marc.writer import write_marc

        return int(write_marc(records, stream, fmt))  # type: ignore[arg-type]
    from shoka.catalogue import tabular

    text = cast(TextIO, stream)
    if fmt == "csv":
        return int(tabular.write_csv(records, text))
    return int(tabular.write_jsonl(records, text))
