"""`shoka notices …` (docs/cli.md, docs/notices.md). PDFs go to standard output — pipe them
to the printer (`| lp`) — or, with --keep, into a sealed copy that expires; never a file."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from shoka.clitools import setup


def _at(value: str | None) -> dt.datetime:
    from django.utils import timezone

    if not value:
        return timezone.now()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.ClickException(
            f"--at {value!r} is not a time: write it as 2026-06-02T07:00 (ISO 8601)"
        ) from exc
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _library() -> Any:
    from shoka.organisation.models import Library

    library = Library.objects.order_by("id").first()
    if library is None:
        raise click.ClickException("no library yet: run `shoka demo` or configure one")
    return library


def _actor(username: str | None) -> Any:
    from shoka.audit.actors import Actor

    if not username:
        return Actor.cli()
    from django.contrib.auth.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.ClickException(f"no active staff user {username!r}")
    return Actor.for_user(user)


def _refuse_terminal() -> None:
    """Before anything is marked printed: a PDF on a terminal helps nobody."""
    if sys.stdout.isatty():
        raise click.ClickException("refusing to write a PDF to a terminal: pipe it (| lp)")


def _stream(data: bytes) -> None:
    _refuse_terminal()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@click.group("notices")
def notices_group() -> None:
    """Overdue and hold-ready notices: the daily job, printing, sealed copies."""


@notices_group.command("daily")
@click.option("--at", "at_text", default=None, help="Run as of this time (ISO 8601).")
def daily_command(at_text: str | None) -> None:
    """Record today's notices, send the emails, purge expired copies (idempotent)."""
    setup()
    from shoka.notices.daily import run_notices

    report = run_notices(_library(), at=_at(at_text))
    click.echo(str(report))
    if report.emails_failed:
        sys.exit(2)


@notices_group.command("print")
@click.argument("channel", type=click.Choice(["letter", "postcard"]))
@click.option("--keep", is_flag=True, help="Keep a sealed copy (expires) instead of streaming.")
@click.option("--staff", "staff_user", default=None, help="Act as this staff user.")
@click.option("--at", "at_text", default=None)
def print_command(channel: str, keep: bool, staff_user: str | None, at_text: str | None) -> None:
    """All pending letters (or postcards) as one PDF on standard output, each in its
    patron's language."""
    setup()
    from shoka.notices import files
    from shoka.notices.printing import NothingToPrintError, print_batch

    library, at, actor = _library(), _at(at_text), _actor(staff_user)
    if not keep:
        _refuse_terminal()
    try:
        data, count, batch = print_batch(library, channel, at=at, actor=actor)
    except NothingToPrintError as exc:
        raise click.ClickException(str(exc)) from exc
    if keep:
        stored = files.keep(library, f"{channel}s", data, actor=actor, at=at, persons=count)
        click.echo(
            f"batch {batch}: {count} {channel}(s) kept until {stored.expires_at:%Y-%m-%d %H:%M}: "
            f"`shoka notices fetch {stored.token}`"
        )
        return
    click.echo(f"batch {batch}: {count} {channel}(s)", err=True)
    _stream(data)


@notices_group.command("batches")
@click.option("--limit", default=10, show_default=True, help="How many, newest first.")
def batches_command(limit: int) -> None:
    """The printer's batches printed lately (to reprint one)."""
    setup()
    from django.utils import timezone

    from shoka.notices.printing import recent_batches

    rows = recent_batches(_library(), limit=limit)
    if not rows:
        click.echo("no batch printed yet")
    for b in rows:
        click.echo(
            f"{b.pk}\t{timezone.localtime(b.printed_at):%Y-%m-%d %H:%M}\t{b.channel}\t"
            f"{b.count}\t{b.printed_by}"
        )


@notices_group.command("reprint")
@click.argument("batch", type=int)
@click.option("--staff", "staff_user", default=None, help="Act as this staff user.")
def reprint_command(batch: int, staff_user: str | None) -> None:
    """Print a batch again (standard output): nothing is recorded or sent anew."""
    setup()
    from django.utils import timezone

    from shoka.notices.printing import NothingToPrintError, reprint_batch

    _refuse_terminal()
    try:
        printed = reprint_batch(_library(), batch, at=timezone.now(), actor=_actor(staff_user))
    except NothingToPrintError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"batch {batch} again: {printed.notices} notice(s)", err=True)
    _stream(printed.data)


@notices_group.command("fetch")
@click.argument("token")
@click.option("--staff", "staff_user", default=None)
def fetch_command(token: str, staff_user: str | None) -> None:
    """Write a kept copy to standard output (audit-logged)."""
    setup()
    from django.utils import timezone

    from shoka.notices import files

    try:
        _stored, data = files.fetch(token, actor=_actor(staff_user), at=timezone.now())
    except files.FileGoneError as exc:
        raise click.ClickException(str(exc)) from exc
    _stream(data)


@notices_group.command("purge")
@click.option("--at", "at_text", default=None)
def purge_command(at_text: str | None) -> None:
    """Delete the kept copies that have expired (the daily job does this too)."""
    setup()
    from shoka.audit.actors import Actor
    from shoka.notices import files

    count = files.purge_expired(at=_at(at_text), actor=Actor.cli())
    click.echo(f"expired copies purged: {count}")
