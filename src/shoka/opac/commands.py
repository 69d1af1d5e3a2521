"""`shoka opac dump`: the nightly open-data dumps of the public catalogue (docs/opac-api.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from shoka.clitools import OPAC_SETTINGS, setup


@click.command("dump")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write (default: SHOKA_DATA_DIR/opendata, which the site serves at /data/).",
)
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def opac_dump(directory: Path | None, quiet: bool) -> None:
    """Write the catalogue and its holdings as JSON Lines and CSV (gzip) with a manifest,
    streamed from the OPAC's database and renamed into place when complete. Run it nightly
    on the OPAC (cron or a systemd timer)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = OPAC_SETTINGS
    # A batch job, not a web request: the public site's per-query timeout does not apply
    # (even where the environment sets one for the site's processes).
    os.environ["SHOKA_OPAC_STATEMENT_TIMEOUT_MS"] = "0"
    setup(OPAC_SETTINGS)
    from shoka.opac.opendata import opendata_dir, write_dump

    def progress(stem: str, count: int) -> None:
        if not quiet and count % 100_000 == 0:
            click.echo(f"  {stem}: {count:,} rows", err=True)

    manifest = write_dump(directory, progress=progress)
    if not quiet:
        for entry in manifest["files"]:
            click.echo(f"{entry['name']}: {entry['records']:,} rows, {entry['bytes']:,} bytes")
        where = directory or opendata_dir()
        click.echo(f"open data: {where} (up to changeset #{manifest['sequence']})")
