"""`shoka publish` (staff side) and `shoka opac init` (public side); docs/cli.md."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import click

from shoka.clitools import OPAC_SETTINGS, STAFF_SETTINGS, progress_bar, setup


@click.group("publish", invoke_without_command=True)
@click.option("--full", is_flag=True, help="Re-publish every record (a new or lagging OPAC).")
@click.option("--url", default=None, help="The OPAC receiver URL (default SHOKA_PUBLISH_URL).")
@click.option(
    "--watch",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Keep publishing, looking for changes every SECONDS.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def publish_group(
    ctx: click.Context, full: bool, url: str | None, watch: float | None, quiet: bool
) -> None:
    """Build changesets from the queued catalogue and availability changes, sign them and
    push them to the OPAC (docs/publishing.md)."""
    if ctx.invoked_subcommand is not None:
        return
    setup(STAFF_SETTINGS)
    from django.conf import settings

    from .signing import PublishKeyError

    url = url or settings.SHOKA_PUBLISH_URL
    if not url:
        raise click.ClickException(
            "no OPAC to publish to: set SHOKA_PUBLISH_URL (printed by `shoka opac init`)"
        )
    try:
        if not watch:
            _publish_once(url, full=full, quiet=quiet)
            return
        while True:  # --watch: report a failed round and try again in the next one
            try:
                _publish_once(url, full=full, quiet=True)
                full = False
            except click.ClickException as exc:
                click.echo(f"publish: {exc.format_message()} (retrying)", err=True)
            time.sleep(watch)
    except PublishKeyError as exc:
        raise click.ClickException(str(exc)) from exc


def _publish_once(url: str, *, full: bool, quiet: bool) -> None:
    from .builder import build_full, build_pending, target_name
    from .delivery import DeliveryError, push
    from .models import PublishTarget

    if full:
        with progress_bar("building", quiet=quiet) as update:
            built = build_full(progress=update)
    else:
        built = build_pending()
    target, _ = PublishTarget.objects.get_or_create(name=target_name())
    try:
        with progress_bar("sending", unit="changesets", quiet=quiet or not full) as update:
            report = push(target, url, progress=update)
    except DeliveryError as exc:
        raise click.ClickException(str(exc)) from exc
    if not quiet or report.sent:
        click.echo(
            f"published: {len(built)} changeset(s) built, {report.sent} applied by the OPAC, "
            f"{report.already_there} already there; the OPAC expects #{report.expected} next"
        )


@publish_group.command("key")
def publish_key() -> None:
    """Create the Ed25519 signing key if there is none, and print its PUBLIC half (give it
    to `shoka opac init --staff-key` on the OPAC)."""
    setup(STAFF_SETTINGS)
    from django.conf import settings

    from .signing import generate_key_file, load_private_key, public_key_text

    path = Path(settings.SHOKA_PUBLISH_KEY_FILE)
    if path.exists():
        key = load_private_key(path)
        click.echo(f"signing key: {path} (kept)", err=True)
    else:
        key = generate_key_file(path)
        click.echo(
            f"signing key: {path} (created, mode 0600 — never copy it to the OPAC)", err=True
        )
    click.echo(public_key_text(key))


@click.group("opac")
def opac_group() -> None:
    """The public (OPAC) instance."""


@opac_group.command("init")
@click.option(
    "--staff-key",
    default=None,
    help="The staff side's public signing key (from `shoka publish key`).",
)
@click.option(
    "--url",
    "public_url",
    default="http://127.0.0.1:8001/",
    show_default=True,
    help="Where this OPAC will be reachable from the staff side.",
)
@click.option(
    "--staff-api",
    default=None,
    help="The staff side's patron API URL, e.g. https://staff.example/patron-api/v1/ "
    "(self-service; docs/opac-self-service.md).",
)
def opac_init(staff_key: str | None, public_url: str, staff_api: str | None) -> None:
    """Create an empty public instance: its Django secret, its database (migrated), the
    staff public key it verifies changesets with and its own service key for the patron
    API; print what the staff side needs."""
    os.environ["DJANGO_SETTINGS_MODULE"] = OPAC_SETTINGS
    from shoka.settings.base import SHOKA_DATA_DIR, SHOKA_KEY_DIR

    from .signing import PublishKeyError, parse_public_key

    SHOKA_DATA_DIR.mkdir(parents=True, exist_ok=True)
    SHOKA_KEY_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret_file = SHOKA_KEY_DIR / "django-secret"
    if not secret_file.exists():
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    key_file = SHOKA_KEY_DIR / "publish-staff.pub"
    if staff_key:
        try:
            parse_public_key(staff_key)
        except PublishKeyError as exc:
            raise click.ClickException(str(exc)) from exc
        key_file.write_text(staff_key.strip() + "\n", encoding="ascii")
        click.echo(f"staff public key: {key_file}")
    elif not key_file.exists() and not os.environ.get("SHOKA_PUBLISH_STAFF_KEY"):
        click.echo(
            "no staff public key yet: run `shoka publish key` on the staff side and give its "
            "output to `shoka opac init --staff-key KEY` (or SHOKA_PUBLISH_STAFF_KEY)"
        )
    from shoka.opac.account import keys as service_keys

    if staff_api:
        try:
            click.echo(
                f"staff patron API: {service_keys.write_staff_api_url(SHOKA_KEY_DIR, staff_api)}"
            )
        except ValueError as exc:
            raise click.ClickException(f"--staff-api: {exc}") from exc
    service_file = os.environ.get("SHOKA_OPAC_SERVICE_KEY_FILE")
    service_public, _ = service_keys.service_key(
        SHOKA_KEY_DIR, Path(service_file) if service_file else None
    )
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": OPAC_SETTINGS},
        check=True,
    )
    click.echo("public (OPAC) database: migrated (catalogue and availability only)")
    receiver = public_url.rstrip("/") + "/publish/"
    click.echo("")
    click.echo("On the staff side, set:")
    click.echo(f"  SHOKA_PUBLISH_URL={receiver}")
    click.echo(f"  SHOKA_PATRON_API_OPAC_KEY={service_public}")
    click.echo("then run `shoka publish --full` once, and `shoka publish` after changes.")


def pair_local_opac(key_dir: Path, key_file: Path) -> str:
    """For one machine serving both sites (`shoka init`): create the signing key if needed
    and give the OPAC its public half in the shared key directory. Returns a report line."""
    from .signing import generate_key_file, load_private_key, public_key_text

    created = not key_file.exists()
    key = generate_key_file(key_file) if created else load_private_key(key_file)
    public = key_dir / "publish-staff.pub"
    if not public.exists():
        public.write_text(public_key_text(key) + "\n", encoding="ascii")
    state = "created, mode 0600" if created else "kept"
    return f"publishing key: {key_file} ({state}); the local OPAC trusts it"
