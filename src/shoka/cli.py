"""The `shoka` command. Run `shoka --help` for the list; `docs/cli.md` documents each one."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click

from shoka.catalogue.commands import export, import_group
from shoka.clitools import OPAC_SETTINGS, STAFF_SETTINGS
from shoka.clitools import setup as _setup
from shoka.notices.commands import notices_group
from shoka.opac.commands import opac_dump
from shoka.publish.commands import opac_group, publish_group
from shoka.search.commands import catch_up_now, index, indexing_alongside, search


def _at(value: str | None) -> dt.datetime:
    from django.utils import timezone

    if not value:
        return timezone.now()
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _library() -> Any:
    from shoka.organisation.models import Library

    library = Library.objects.order_by("id").first()
    if library is None:
        raise click.ClickException("no library yet: run `shoka demo` or configure one")
    return library


def _branch(library: Any, code: str | None) -> Any:
    from shoka.organisation.models import Branch

    qs = Branch.objects.filter(library=library)
    branch = qs.filter(code=code).first() if code else qs.filter(kind="main").first()
    if branch is None:
        raise click.ClickException(f"no branch {code!r}")
    return branch


@click.group()
@click.version_option(package_name="shoka")
def main() -> None:
    """書架 shoka — an integrated library system."""


# --- instance -----------------------------------------------------------------------------


@main.command()
@click.option("--if-needed", is_flag=True, help="Skip the steps already done.")
@click.option(
    "--admin",
    "admin_name",
    default="admin",
    show_default=True,
    help="User name of the first administrator.",
)
def init(if_needed: bool, admin_name: str) -> None:
    """Create the data and key directories, the key file (mode 0600), both databases, and
    the first administrator with a generated password (printed once)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", STAFF_SETTINGS)
    from shoka.settings.base import SHOKA_DATA_DIR, SHOKA_KEY_DIR

    SHOKA_DATA_DIR.mkdir(parents=True, exist_ok=True)
    SHOKA_KEY_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret_file = SHOKA_KEY_DIR / "django-secret"
    if not secret_file.exists():
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    _setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from shoka.security.keyring import KeyRing, check_key_location, write_key_file

    key_file = Path(settings.SHOKA_KEY_FILE)
    check_key_location(key_file, [SHOKA_DATA_DIR])
    if key_file.exists():
        click.echo(f"key file: {key_file} (kept)")
    else:
        write_key_file(key_file, KeyRing.generate())
        click.echo(f"key file: {key_file} (created, mode 0600 — back it up apart from the data)")
    from shoka.publish.commands import pair_local_opac

    click.echo(pair_local_opac(SHOKA_KEY_DIR, Path(settings.SHOKA_PUBLISH_KEY_FILE)))
    from shoka.opac.account.keys import pair_local

    # Self-service on the local OPAC calls the staff site `shoka serve` starts (port 8000).
    staff_api = os.environ.get("SHOKA_OPAC_STAFF_API_URL") or "http://127.0.0.1:8000/patron-api/v1/"
    click.echo(pair_local(SHOKA_KEY_DIR, staff_api))
    call_command("migrate", interactive=False, verbosity=0)
    click.echo(f"staff database: {settings.DATABASES['default']['NAME']} (migrated)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": OPAC_SETTINGS}
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0"], env=env, check=True
    )
    click.echo("public (OPAC) database: migrated (a separate database, catalogue only)")
    if User.objects.filter(is_superuser=True).exists():
        if not if_needed:
            click.echo("an administrator exists already; `shoka password USER` sets a new password")
        return
    password = secrets.token_urlsafe(12)
    user = User.objects.create_superuser(admin_name, email="", password=password)
    user.groups.add(Group.objects.get(name="administrator"))
    click.echo("")
    click.echo(f"  first administrator: {admin_name}")
    click.echo(f"  password:            {password}")
    click.echo("  (shown once — write it down; `shoka password` sets a new one)")
    click.echo("")


@main.command()
@click.argument("username")
def password(username: str) -> None:
    """Set a new generated password for a staff user and print it once."""
    _setup()
    from django.contrib.auth.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    new = secrets.token_urlsafe(12)
    user.set_password(new)
    user.save(update_fields=["password"])
    click.echo(f"new password for {username}: {new}")


@main.command()
@click.option("--seed", default=20261122, show_default=True, help="Random seed.")
@click.option("--if-empty", is_flag=True, help="Do nothing when a library exists already.")
@click.option("--bibs", default=5000, show_default=True)
@click.option("--patrons", default=1000, show_default=True)
def demo(seed: int, if_empty: bool, bibs: int, patrons: int) -> None:
    """Create a deterministic synthetic demo library (no real person in it)."""
    _setup()
    from shoka.demo.loader import load_demo
    from shoka.organisation.models import Library

    if Library.objects.exists():
        if if_empty:
            click.echo("demo: a library exists already (kept)")
            return
        raise click.ClickException("a library exists already; demo needs an empty database")
    if bibs >= 50_000:  # a benchmark-sized catalogue: index it alongside, on the other core
        with indexing_alongside():
            summary = load_demo(seed=seed, bibs=bibs, patrons=patrons, progress=click.echo)
    else:
        summary = load_demo(seed=seed, bibs=bibs, patrons=patrons, progress=click.echo)
        catch_up_now()
    click.echo(summary)


@main.command()
@click.option(
    "--site", type=click.Choice(["staff", "opac", "both"]), default="both", show_default=True
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    help="Staff site port; with --site both the OPAC uses port + 1.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes per site (default: the number of CPU cores).",
)
def serve(site: str, port: int, host: str, workers: int | None) -> None:
    """Serve the sites with gunicorn (sync workers, one per core by default) and run the
    search-index writer. The two sites are separate processes with separate databases."""
    sites = [("staff", STAFF_SETTINGS, port)] if site in ("staff", "both") else []
    if site in ("opac", "both"):
        sites.append(("opac", OPAC_SETTINGS, port + 1 if site == "both" else port))
    procs = []
    for name, settings_module, p in sites:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
        if name == "opac" and site == "both":
            # Self-service on this OPAC calls the staff site started here (its patron API).
            env.setdefault("SHOKA_OPAC_STAFF_API_URL", f"http://{host}:{port}/patron-api/v1/")
        # The OPAC's workers run threads, so that its concurrency cap can refuse the requests
        # beyond it at once (503) instead of leaving them queued (docs/opac-admission.md).
        threads = _opac_threads() if name == "opac" else 1
        procs.append(
            subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
                _gunicorn(host, p, workers or os.cpu_count() or 1, threads), env=env
            )
        )
        click.echo(f"{name} site: http://{host}:{p}/")
    if site in ("staff", "both"):
        # The single search-index writer: applies catalogue and desk changes to the index.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": STAFF_SETTINGS}
        procs.append(subprocess.Popen([sys.executable, "-m", "shoka.cli", "index", "run"], env=env))
        # The publisher: pushes desk and catalogue changes to the OPAC every two seconds
        # (docs/publishing.md); with --site both, to the OPAC this command starts.
        publish_url = os.environ.get("SHOKA_PUBLISH_URL") or (
            f"http://{host}:{port + 1}/publish/" if site == "both" else ""
        )
        if publish_url:
            procs.append(
                subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
                    [*_SHOKA, "publish", "--watch", "2", "--quiet", "--url", publish_url], env=env
                )
            )
    if site in ("staff", "both"):
        click.echo(
            f"Sign in at http://{host}:{port}/login/ as the administrator created by "
            "`shoka init` (its password was printed then; `shoka password admin` "
            "prints a new one)."
        )

    def stop(*_: object) -> None:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        # Poll rather than proc.wait(): a SIGTERM arriving inside wait() runs stop() while
        # wait() holds the Popen's lock, and stop()'s own wait() could then not reap the
        # child until its timeout — every stop took 10 s.
        while any(proc.poll() is None for proc in procs):
            time.sleep(0.2)
    except KeyboardInterrupt:
        stop()


_SHOKA = [sys.executable, "-m", "shoka.cli"]


def _opac_threads() -> int:
    raw = os.environ.get("SHOKA_OPAC_THREADS", "").strip() or "8"
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise click.ClickException(f"SHOKA_OPAC_THREADS must be 1..256, not {raw!r}")
    return int(raw)


def _gunicorn(host: str, port: int, workers: int, threads: int = 1) -> list[str]:
    """gunicorn's command line for one site (docs/cli.md, "serve"). Sync workers, one per core
    (../shared/notes: more workers than cores only add latency); a request that runs longer
    than 30 s is stopped and its worker replaced, so no page can hold a database connection
    for minutes, whoever asks for it. With threads > 1 (the OPAC), threaded workers that also
    leave a connection unread for a moment after refusing it with 429
    (shoka.admission.worker)."""
    threaded = (
        ["--worker-class", "shoka.admission.worker.OpacWorker", "--threads", str(threads)]
        if threads > 1
        else []
    )
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "shoka.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        # The admission limits counted in each process's memory are shared between them.
        "--env",
        f"SHOKA_SERVER_PROCESSES={workers}",
        *threaded,
        "--timeout",
        "30",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
        "--logger-class",
        "shoka.httplog.JsonAccessLogger",  # one JSON object per request (docs/audit.md)
    ]


# --- jobs and circulation -----------------------------------------------------------------


@main.command()
@click.option("--at", "at_text", default=None, help="Run as of this time (ISO 8601).")
def daily(at_text: str | None) -> None:
    """The idempotent daily job: hold-shelf expiry and suspension upkeep, then the notices
    (overdue and hold-ready notices, emails, purge of expired sealed copies)."""
    _setup()
    from shoka.circulation.services import run_daily
    from shoka.notices.daily import run_notices

    library, at = _library(), _at(at_text)
    # Holds first: a hold that expires today gets no hold-ready notice.
    report = run_daily(library, at=at)
    click.echo(
        f"holds expired: {report.holds_expired}; suspensions lifted: {report.suspensions_lifted}"
    )
    notices = run_notices(library, at=at)
    click.echo(str(notices))
    if notices.emails_failed:
        sys.exit(2)


def _refused(exc: Any) -> click.ClickException:
    lines = "\n".join(f"  - [{r.code}] {r.message}" for r in exc.refusals)
    return click.ClickException(f"refused:\n{lines}")


@main.command()
@click.argument("card")
@click.argument("barcode")
@click.option("--branch", "branch_code", default=None, help="Branch code (default: main).")
@click.option("--override", "override_reason", default="", help="Override refusals (reason).")
@click.option(
    "--staff", "staff_user", default=None, help="Act as this staff user (needed to override)."
)
@click.option("--at", "at_text", default=None)
def checkout(
    card: str,
    barcode: str,
    branch_code: str | None,
    override_reason: str,
    staff_user: str | None,
    at_text: str | None,
) -> None:
    """Lend item BARCODE to the patron with card CARD."""
    _setup()
    from shoka.circulation import services

    library = _library()
    try:
        result = services.checkout(
            barcode,
            card,
            branch=_branch(library, branch_code),
            actor=_actor(staff_user),
            at=_at(at_text),
            override_reason=override_reason,
        )
    except services.CirculationRefused as exc:
        raise _refused(exc) from exc
    click.echo(f"lent {barcode}: due {result.loan.due_on:%Y-%m-%d}")


@main.command()
@click.argument("barcode")
@click.option("--branch", "branch_code", default=None)
@click.option("--staff", "staff_user", default=None)
@click.option("--at", "at_text", default=None)
def checkin(
    barcode: str, branch_code: str | None, staff_user: str | None, at_text: str | None
) -> None:
    """Return item BARCODE and say where it goes next."""
    _setup()
    from shoka.circulation import services

    library = _library()
    try:
        result = services.checkin(
            barcode, branch=_branch(library, branch_code), actor=_actor(staff_user), at=_at(at_text)
        )
    except services.CirculationRefused as exc:
        raise _refused(exc) from exc
    routing = result.routing
    where = f" → {routing.destination.name}" if routing.destination else ""
    extra = f" (pickup number {routing.hold.pickup_number})" if routing.hold else ""
    late = f"; {result.days_late} day(s) late" if result.days_late else ""
    click.echo(f"returned {barcode}: {routing.route.value}{where}{extra}{late}")


@main.command()
@click.argument("barcode")
@click.option("--branch", "branch_code", default=None)
@click.option("--override", "override_reason", default="")
@click.option("--staff", "staff_user", default=None)
@click.option("--at", "at_text", default=None)
def renew(
    barcode: str,
    branch_code: str | None,
    override_reason: str,
    staff_user: str | None,
    at_text: str | None,
) -> None:
    """Renew the loan of item BARCODE."""
    _setup()
    from shoka.circulation import services

    library = _library()
    try:
        result = services.renew(
            barcode,
            branch=_branch(library, branch_code),
            actor=_actor(staff_user),
            at=_at(at_text),
            override_reason=override_reason,
        )
    except services.CirculationRefused as exc:
        raise _refused(exc) from exc
    click.echo(
        f"renewed {barcode}: due {result.loan.due_on:%Y-%m-%d} "
        f"(was {result.previous_due_on:%Y-%m-%d})"
    )


def _actor(username: str | None) -> Any:
    from shoka.audit.actors import Actor

    if not username:
        return Actor.cli()
    from django.contrib.auth.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.ClickException(f"no active staff user {username!r}")
    return Actor.for_user(user)


# --- audit and keys -----------------------------------------------------------------------


@main.group()
def audit() -> None:
    """The audit and access logs."""


def _add_audit_commands() -> None:
    from shoka.audit.scan.cli import AUDIT_COMMANDS  # scan, downloads, register

    for command in AUDIT_COMMANDS:
        audit.add_command(command)


_add_audit_commands()


@audit.command("verify")
def audit_verify() -> None:
    """Check both hash chains; exit 1 when a row was edited, removed or inserted."""
    _setup()
    from shoka.audit.verify import verify_all

    failed = False
    for report in verify_all():
        state = "ok" if report.ok else "BROKEN"
        click.echo(f"{report.chain} log: {report.rows} rows, {state}")
        for problem in report.problems:
            click.echo(f"  {problem}")
        failed |= not report.ok
    sys.exit(1 if failed else 0)


@main.group()
def keys() -> None:
    """Key material for personal data."""


@keys.command("rotate")
def keys_rotate() -> None:
    """New data and index keys: re-encrypt every personal field and rebuild blind indexes."""
    _setup()
    from shoka.patrons.rotation import rotate_keys

    count = rotate_keys(progress=click.echo)
    click.echo(f"rotated: {count} patron record(s) re-encrypted")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (staff settings unless DJANGO_SETTINGS_MODULE says)."""
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shoka manage", *args])


main.add_command(import_group)
main.add_command(export)
main.add_command(index)
main.add_command(search)
main.add_command(notices_group)
main.add_command(publish_group)
main.add_command(opac_group)
opac_group.add_command(opac_dump)

if __name__ == "__main__":
    main()
