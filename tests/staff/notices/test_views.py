"""The notices screens: counts and printing, the phone-call list, patron history."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from tests.conftest import AT

from shoka.audit.models import AccessEvent, AuditEvent
from shoka.circulation import services
from shoka.notices.daily import run_notices
from shoka.notices.models import Notice, PrintBatch

LOANED = AT - dt.timedelta(days=150)


def _overdue(world, name, kana, *, days_late, title="吾輩は猫である", **extra):
    patron = world.patron(name, kana, at=LOANED - dt.timedelta(days=30), **extra)
    item = world.item(world.bib(title))
    loan = services.checkout(
        item.barcode, patron, branch=world.main, actor=world.staff, at=LOANED
    ).loan
    run_notices(
        world.library,
        at=dt.datetime.combine(
            loan.due_on + dt.timedelta(days=days_late), dt.time(7), tzinfo=AT.tzinfo
        ),
    )
    return patron


@pytest.fixture
def staff(client, world):
    client.force_login(world.staff_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the texts checked are English
    return client


@pytest.fixture
def caller(world):
    """A patron on the phone list (day 30 of the default ladder)."""
    return _overdue(world, "佐藤 太郎", "サトウ タロウ", days_late=30)


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_the_overview_counts_waiting_notices_and_stages(staff, world):
    _overdue(world, "佐藤 太郎", "サトウ タロウ", days_late=14)
    page = staff.get("/notices/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "佐藤" not in html  # counts only
    assert re.search(r"Postcards</th><td>1</td>", html)


def test_printing_postcards_streams_one_pdf_and_logs_it(staff, world):
    _overdue(world, "佐藤 太郎", "サトウ タロウ", days_late=14)
    response = staff.post("/notices/print/", {"channel": "postcard"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2
    assert AuditEvent.objects.filter(action="notices.file_generated").count() == 1
    again = staff.post("/notices/print/", {"channel": "postcard"})
    assert again.status_code == 409 and 'role="alert"' in again.content.decode()


def test_printing_something_unknown_is_refused_clearly(staff, world):
    response = staff.post("/notices/print/", {"channel": "fax"})
    assert response.status_code == 400
    assert "Choose letters or postcards" in response.content.decode()


def test_the_phone_list_shows_card_name_phone_items_and_logs_the_views(staff, world, caller):
    page = staff.get("/notices/phone/")
    html = page.content.decode()
    assert caller.card_number in html and "佐藤 太郎" in html and "0263-12-3456" in html
    assert "吾輩は猫である" in html
    assert "佐藤" not in _title(html) and caller.card_number not in _title(html)
    assert AccessEvent.objects.filter(object_id=str(caller.pk), data__context="phone list").exists()


def test_the_phone_list_as_pdf(staff, world, caller):
    response = staff.post("/notices/phone/pdf/")
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert caller.card_number in text and "吾輩は猫である" in text


def test_a_call_is_marked_done_with_its_result(staff, world, caller):
    notice = Notice.objects.get(patron=caller, channel="phone")
    url = f"/notices/phone/{notice.pk}/done/"
    response = staff.post(url, {"result": "no_answer"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.call_result, notice.attempts) == ("pending", "no_answer", 1)
    staff.post(url, {"result": "reached"})
    notice.refresh_from_db()
    assert (notice.status, notice.call_result, notice.attempts) == ("sent", "reached", 2)
    assert "No calls to make" in staff.get("/notices/phone/").content.decode()
    assert AuditEvent.objects.filter(action="notice.called").count() == 2


def test_a_bad_call_result_is_a_clear_error_and_changes_nothing(staff, world, caller):
    notice = Notice.objects.get(patron=caller, channel="phone")
    response = staff.post(f"/notices/phone/{notice.pk}/done/", {"result": "shouted"})
    assert response.status_code == 400
    assert "unknown call result" in response.content.decode()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("pending", 0)
    missing = staff.post("/notices/phone/999999/done/", {"result": "reached"})
    assert missing.status_code == 400


def test_a_patrons_notice_history_lists_what_was_sent(staff, world, caller):
    page = staff.get(f"/notices/patron/{caller.pk}/")
    html = page.content.decode()
    assert "phone call" in html and "pending" in html
    assert AccessEvent.objects.filter(object_id=str(caller.pk), data__context="notices").exists()
    assert staff.get("/notices/patron/999999/").status_code == 404


def test_a_printed_batch_is_listed_and_printed_again_without_new_notices(staff, world):
    _overdue(world, "佐藤 太郎", "サトウ タロウ", days_late=14)
    first = staff.post("/notices/print/", {"channel": "postcard"})
    batch = PrintBatch.objects.get()
    overview = staff.get("/notices/").content.decode()
    assert f'action="/notices/batch/{batch.pk}/reprint/"' in overview
    assert "佐藤" not in overview  # the list of batches shows counts, never names
    sent = list(Notice.objects.values_list("status", "sent_at", "batch"))

    again = staff.post(f"/notices/batch/{batch.pk}/reprint/")

    assert again["Content-Type"] == "application/pdf" and again["Cache-Control"] == "no-store"
    assert len(PdfReader(io.BytesIO(again.content)).pages) == 2
    assert [p.extract_text() for p in PdfReader(io.BytesIO(again.content)).pages] == [
        p.extract_text() for p in PdfReader(io.BytesIO(first.content)).pages
    ]
    assert list(Notice.objects.values_list("status", "sent_at", "batch")) == sent
    assert AuditEvent.objects.filter(action="notices.batch_reprinted").count() == 1
    assert AuditEvent.objects.filter(action="notice.sent").count() == 1


def test_reprinting_a_batch_that_is_not_there_is_a_clear_error(staff, world):
    response = staff.post("/notices/batch/999/reprint/")
    assert response.status_code == 404
    assert "cannot be printed again" in response.content.decode()
    assert not AuditEvent.objects.filter(action="notices.batch_reprinted").exists()
