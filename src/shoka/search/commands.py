"""`shoka index …` and `shoka search` (docs/cli.md, docs/search.md)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from shoka.clitools import progress_bar, setup


@click.group()
def index() -> None:
    """The search index: rebuild, check, and the index writer."""


def _writer(*, rebuild: bool = False) -> Any:
    from shoka.search.engine import SearchIndexError
    from shoka.search.indexer import IndexWriter

    try:
        return IndexWriter.for_rebuild() if rebuild else IndexWriter()
    except (RuntimeError, SearchIndexError) as exc:
        raise click.ClickException(str(exc)) from exc


STALL_SECONDS = 60


@contextmanager
def indexing_alongside() -> Iterator[None]:
    """Run an index writer beside a long job (an import), so that indexing uses the second
    core while the job writes; afterwards wait until the queue is empty. When another
    writer is running already it does the indexing and nothing is started here."""
    from shoka.search.indexer import IndexWriter

    try:
        IndexWriter().close()  # is the writer lock free?
    except RuntimeError:
        yield
        click.echo("search index: the running index writer applies the changes")
        return
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "")}
    writer = subprocess.Popen(
        [sys.executable, "-m", "shoka.cli", "index", "run", "--interval", "0.5"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        _drain(writer)


def _drain(writer: subprocess.Popen[bytes]) -> None:
    from shoka.search.models import IndexChange

    total = IndexChange.objects.count()
    last, moved = total, time.monotonic()
    with progress_bar("indexing", unit="records") as bar:
        while writer.poll() is None:
            left = IndexChange.objects.count()
            bar(total - left, total)
            if not left:
                break
            if left != last:
                last, moved = left, time.monotonic()
            elif time.monotonic() - moved > STALL_SECONDS:
                break  # the writer does not move: finish here
            time.sleep(0.2)
    writer.terminate()
    writer.wait(timeout=60)
    catch_up_now()  # whatever the writer left (it stopped early, or changes came late)


def catch_up_now() -> None:
    """Apply queued changes now, unless an index writer is running (it applies them)."""
    from shoka.search.indexer import IndexWriter

    try:
        writer = IndexWriter()
    except RuntimeError:
        click.echo("search index: the running index writer applies the changes")
        return
    with writer, progress_bar("indexing", unit="records") as bar:
        result = writer.catch_up(progress=bar)
    click.echo(f"search index: {result.records} record(s) indexed, {result.deleted} removed")


@index.command("rebuild")
def index_rebuild() -> None:
    """Re-index every record from the database (searches keep the old index meanwhile)."""
    setup()
    with (
        _writer(rebuild=True) as writer,
        progress_bar("indexing", unit="records") as bar,
    ):
        done = writer.rebuild(progress=bar)
        pending = writer.catch_up()
    click.echo(
        f"index rebuilt: {done} records in {writer.path}; "
        f"{pending.records + pending.deleted} change(s) made meanwhile applied"
    )


@index.command("catch-up")
def index_catch_up() -> None:
    """Apply the queued changes once and exit (when no `shoka index run` is running)."""
    setup()
    with _writer() as writer:
        result = writer.catch_up()
    click.echo(f"index: {result.records} record(s) re-indexed, {result.deleted} removed")


@index.command("run")
@click.option("--interval", default=0.2, show_default=True, help="Seconds between queue polls.")
def index_run(interval: float) -> None:
    """The index writer: catch up, then apply changes as they are queued, until stopped."""
    setup()
    stop = threading.Event()

    def handle(*_: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    with _writer() as writer:
        click.echo(f"index writer on {writer.path} (polling every {interval} s)")
        writer.run(stop, interval=interval)
    click.echo("index writer stopped")


@index.command("check")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def index_check(as_json: bool) -> None:
    """Compare the index with the database; exit 1 when they differ."""
    setup()
    from shoka.search.engine import SearchIndexError
    from shoka.search.indexer import check

    try:
        with progress_bar("checking", unit="records", quiet=as_json) as bar:
            drift = check(progress=bar)
    except SearchIndexError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": drift.ok,
                    "indexed": drift.indexed,
                    "in_database": drift.in_database,
                    "missing": drift.missing,
                    "extra": drift.extra,
                    "stale": drift.stale,
                    "queued": drift.queued,
                }
            )
        )
    else:
        click.echo(
            f"database: {drift.in_database} records; index: {drift.indexed} documents; "
            f"queued changes: {drift.queued}"
        )
        for label, ids in (
            ("missing from the index", drift.missing),
            ("in the index but not in the database", drift.extra),
            ("indexed from an older version", drift.stale),
        ):
            if ids:
                shown = ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")
                click.echo(f"  {len(ids)} {label}: {shown}")
        click.echo(
            "index matches the database"
            if drift.ok
            else "index differs: `shoka index catch-up` applies queued changes, "
            "`shoka index rebuild` repairs everything"
        )
    sys.exit(0 if drift.ok else 1)


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="The same JSON as the search API.")
@click.option(
    "--field",
    type=click.Choice(["title", "author", "publisher", "subject", "series", "isbn", "ndc", "year"]),
    help="Search only this field.",
)
@click.option("--facets", is_flag=True, help="Print facet counts.")
@click.option("--filter", "filters", multiple=True, help="NAME=VALUE, e.g. material_type=book.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "title"]), default="relevance")
@click.option("--page", default=1, show_default=True)
@click.option("--per-page", default=20, show_default=True)
def search(
    query: tuple[str, ...],
    as_json: bool,
    field: str | None,
    facets: bool,
    filters: tuple[str, ...],
    sort: str,
    page: int,
    per_page: int,
) -> None:
    """Search the catalogue and print ranked results (id, title, reading, authors, ISBN,
    score)."""
    setup()
    from shoka.search.engine import SearchIndexError
    from shoka.search.service import QueryError, SearchRequest, get_service

    text = " ".join(query)
    if field:
        text = f'{field}:"{text}"'
    wanted: dict[str, list[str]] = {}
    for item in filters:
        name, _, value = item.partition("=")
        if not value:
            raise click.BadParameter(f"{item!r}: write NAME=VALUE", param_hint="--filter")
        wanted.setdefault(name.strip(), []).append(value.strip())
    request = SearchRequest(
        q=text,
        filters={k: tuple(v) for k, v in wanted.items()},
        sort=sort,  # type: ignore[arg-type]
        page=page,
        per_page=per_page,
        facets=facets or as_json,
    )
    try:
        response = get_service().search(request)
    except (QueryError, SearchIndexError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(response.as_dict(), ensure_ascii=False, indent=1))
        return
    first = (response.page - 1) * response.per_page
    click.echo(
        f"{response.total} result(s); showing {first + 1 if response.hits else 0}–"
        f"{first + len(response.hits)} ({response.took_ms:.1f} ms)"
    )
    for hit in response.hits:
        f = hit.fields
        authors = "; ".join(f.get("authors") or [])
        click.echo(
            f"{hit.id:>8}  {f['title']}\n"
            f"          {f.get('title_reading') or ''}  {authors}  "
            f"{f.get('isbn') or ''}  score {hit.score:.2f}"
        )
    if facets:
        for name, counts in response.facets.items():
            shown = ", ".join(f"{c.value} ({c.count})" for c in counts[:12])
            click.echo(f"[{name}] {shown}")
