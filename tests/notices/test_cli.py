"""`shoka notices …` on the command line."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from django.core import mail

from shoka.audit.models import AuditEvent
from shoka.cli import main
from shoka.notices import files
from shoka.notices.models import Notice, StoredFile

from .conftest import at_day


def test_the_daily_command_reports_and_a_second_run_creates_nothing(world, borrowers):
    loan = borrowers.lend(borrowers.patron("佐藤 太郎", "サトウ タロウ"))
    when = at_day(loan.due_on, 14).isoformat()
    first = CliRunner().invoke(main, ["notices", "daily", "--at", when])
    assert first.exit_code == 0, first.output
    assert "postcard 1" in first.output
    second = CliRunner().invoke(main, ["notices", "daily", "--at", when])
    assert "notices created: none" in second.output
    assert Notice.objects.count() == 1


def test_print_streams_one_pdf_and_refuses_when_nothing_waits(world, borrowers):
    loan = borrowers.lend(borrowers.patron("佐藤 太郎", "サトウ タロウ"))
    at = at_day(loan.due_on, 14).isoformat()
    CliRunner().invoke(main, ["notices", "daily", "--at", at])
    out = CliRunner().invoke(main, ["notices", "print", "postcard", "--at", at])
    assert out.exit_code == 0, out.output
    assert out.stdout_bytes.startswith(b"%PDF")
    again = CliRunner().invoke(main, ["notices", "print", "postcard", "--at", at])
    assert again.exit_code == 1 and "no postcard waiting" in again.output


def test_a_bad_time_is_a_clear_error(world):
    out = CliRunner().invoke(main, ["notices", "daily", "--at", "yesterday"])
    assert out.exit_code == 1 and "is not a time" in out.output


def test_shoka_daily_runs_the_notices_too_and_twice_makes_them_once(world, borrowers):
    taro = borrowers.patron("佐藤 太郎", "サトウ タロウ")
    hanako = borrowers.patron(email="hanako@example.jp", notify_channel="email")
    loan = borrowers.lend(taro)
    borrowers.lend(hanako, "坊っちゃん")

    def daily(days_late: int) -> str:
        when = at_day(loan.due_on, days_late).isoformat()
        out = CliRunner().invoke(main, ["daily", "--at", when])
        assert out.exit_code == 0, out.output
        assert "holds expired: 0" in out.output  # the circulation part ran as before
        return out.output

    first = daily(1)  # hanako's day-1 email
    assert "notices created: email 1;" in first and "emails sent: 1," in first
    second = daily(1)
    assert "notices created: none;" in second and "emails sent: 0," in second
    assert len(mail.outbox) == 1 and Notice.objects.count() == 1
    assert "notices created: postcard 2;" in daily(14)  # both reach the postcard stage
    assert "notices created: none;" in daily(14)
    assert sorted(Notice.objects.values_list("channel", flat=True)) == [
        "email",
        "postcard",
        "postcard",
    ]
    assert len(mail.outbox) == 1


def test_shoka_daily_purges_expired_sealed_copies(world, borrowers):
    loan = borrowers.lend(borrowers.patron("佐藤 太郎", "サトウ タロウ"))
    at = at_day(loan.due_on, 14)
    files.keep(world.library, "postcards", b"%PDF sealed", actor=world.staff, at=at, persons=1)
    kept = CliRunner().invoke(main, ["daily", "--at", (at + dt.timedelta(hours=1)).isoformat()])
    assert "expired files purged: 0" in kept.output and StoredFile.objects.count() == 1
    out = CliRunner().invoke(main, ["daily", "--at", (at + dt.timedelta(hours=25)).isoformat()])
    assert out.exit_code == 0, out.output
    assert "expired files purged: 1" in out.output and not StoredFile.objects.exists()
    assert AuditEvent.objects.filter(action="notices.file_purged").count() == 1


def test_shoka_daily_exits_2_when_an_email_could_not_be_sent(world, borrowers, settings):
    from tests.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.SHOKA_NOTICE_EMAIL_TRIES = 1
    hanako = borrowers.patron(email="hanako@example.jp", notify_channel="email")
    loan = borrowers.lend(hanako)
    out = CliRunner().invoke(main, ["daily", "--at", at_day(loan.due_on, 1).isoformat()])
    assert out.exit_code == 2 and "failed: 1" in out.output
