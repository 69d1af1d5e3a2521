"""`shoka notices …` on the command line."""

from __future__ import annotations

from click.testing import CliRunner

from shoka.cli import main
from shoka.notices.models import Notice

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
