"""A batch already printed can be printed again (a jammed printer): the same notices, dated
as first printed, audit-logged as a reprint — no notice recorded, marked or sent anew."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from click.testing import CliRunner
from django.apps import apps
from django.core import mail
from pypdf import PdfReader

from shoka.audit.models import AuditEvent
from shoka.cli import main
from shoka.notices.daily import run_notices
from shoka.notices.models import LadderStage, Notice, PrintBatch
from shoka.notices.printing import NothingToPrintError, print_batch, reprint_batch

from .conftest import at_day


@pytest.fixture
def letters(world, borrowers):
    """Two patrons' letters printed as one batch on day 14; returns (batch id, print time)."""
    LadderStage.objects.create(library=world.library, stage=1, days=14, channel="letter")
    people = [
        borrowers.patron("佐藤 太郎", "サトウ タロウ"),
        borrowers.patron("鈴木 次郎", "スズキ ジロウ", postal_code="1000001", address="1-1"),
    ]
    loans = [borrowers.lend(p, "吾輩は猫である") for p in people]
    at = at_day(loans[0].due_on, 14)
    run_notices(world.library, at=at)
    printed = print_batch(world.library, "letter", at=at, actor=world.staff)
    return printed, at, people


def _pages(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def test_printing_records_one_batch_of_the_notices_it_sent(world, letters):
    printed, at, _people = letters
    batch = PrintBatch.objects.get()
    assert (printed.batch, printed.notices) == (batch.pk, 2)
    assert (batch.channel, batch.count, batch.printed_at) == ("letter", 2, at)
    assert batch.printed_by == world.staff.code
    assert set(Notice.objects.values_list("batch", flat=True)) == {batch.pk}
    generated = AuditEvent.objects.get(action="notices.file_generated")
    assert generated.data["batch"] == batch.pk


def test_a_reprint_is_the_same_letters_and_records_nothing_new(world, letters):
    printed, at, people = letters
    before = list(Notice.objects.order_by("pk").values("status", "sent_at", "sent_by", "batch"))
    events = AuditEvent.objects.count()
    later = at + dt.timedelta(days=2)

    again = reprint_batch(world.library, printed.batch, at=later, actor=world.staff)

    assert again.notices == 2 and again.batch == printed.batch
    assert _pages(again.data) == _pages(printed.data)  # dated as first printed
    assert all(p.name in "".join(_pages(again.data)) for p in people)
    after = list(Notice.objects.order_by("pk").values("status", "sent_at", "sent_by", "batch"))
    assert after == before and Notice.objects.count() == 2
    assert PrintBatch.objects.count() == 1
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.get(action="notices.batch_reprinted")
    assert (event.object_type, event.object_id) == ("notices.printbatch", str(printed.batch))
    assert event.data["notices"] == 2 and event.data["kind"] == "letters"
    assert event.actor == world.staff.code and event.at == later
    assert not AuditEvent.objects.filter(action="notice.sent", at=later).exists()
    assert mail.outbox == []
    # Nothing is waiting: the pending queue did not get the reprinted letters back.
    with pytest.raises(NothingToPrintError):
        print_batch(world.library, "letter", at=later, actor=world.staff)


def test_a_reprint_uses_the_corrected_address(world, letters):
    from dataclasses import replace

    from shoka.patrons.services import data_of, update_patron

    printed, at, people = letters
    taro = people[0]
    update_patron(
        taro, replace(data_of(taro), address="長野県松本市中央2丁目2-2"), actor=world.staff, at=at
    )
    again = reprint_batch(world.library, printed.batch, at=at, actor=world.staff)
    assert "長野県松本市中央2丁目2-2" in "".join(_pages(again.data))


def test_an_unknown_batch_is_a_clear_error(world):
    with pytest.raises(NothingToPrintError, match="no printed batch 999"):
        reprint_batch(world.library, 999, at=at_day(dt.date(2026, 6, 1), 1), actor=world.staff)


def test_the_command_line_lists_and_reprints_a_batch(world, letters):
    printed, _at, _people = letters
    listed = CliRunner().invoke(main, ["notices", "batches"])
    assert listed.exit_code == 0 and listed.output.startswith(f"{printed.batch}\t")
    out = CliRunner().invoke(main, ["notices", "reprint", str(printed.batch)])
    assert out.exit_code == 0, out.output
    assert out.stdout_bytes.startswith(b"%PDF")
    assert f"batch {printed.batch} again: 2 notice(s)" in out.stderr
    missing = CliRunner().invoke(main, ["notices", "reprint", "999"])
    assert missing.exit_code == 1 and "no printed batch 999" in missing.output


def test_letters_printed_before_batches_existed_are_grouped_by_the_migration(world, letters):
    printed, at, _people = letters
    # As before migration 0002: printed letters without a batch, from two runs.
    Notice.objects.update(batch=None)
    first = Notice.objects.order_by("pk").first()
    Notice.objects.filter(pk=first.pk).update(sent_at=at - dt.timedelta(days=1))
    migration = importlib.import_module("shoka.notices.migrations.0002_print_batches_for_reprints")

    migration.group_printed_notices(apps, None)

    made = PrintBatch.objects.exclude(pk=printed.batch).order_by("printed_at")
    assert [(b.count, b.printed_at) for b in made] == [(1, at - dt.timedelta(days=1)), (1, at)]
    assert not Notice.objects.filter(batch__isnull=True).exists()
    reprinted = reprint_batch(world.library, made[1].pk, at=at, actor=world.staff)
    assert reprinted.notices == 1
