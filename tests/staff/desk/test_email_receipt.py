"""The receipt by email, against a real SMTP server (aiosmtpd) started in the test: sent to
the address on the patron's record, in Japanese, with the due dates; a failure is retried,
then reported at the desk; every attempt is audited without the address."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.utils import translation
from tests.smtp import Inbox, start_smtp

from shoka.audit.models import AuditEvent


@pytest.fixture
def inbox(settings):
    box = Inbox()
    controller = start_smtp(settings, box)
    yield box
    controller.stop()


def test_the_receipt_goes_to_the_patrons_address_in_japanese_with_the_due_dates(desk, world, inbox):
    patron = world.patron(email="reader@example.jp")
    item = world.item(world.bib("吾輩は猫である", "ワガハイ ワ ネコ デ アル"))
    desk.serve(patron)
    desk.lend(item.barcode, htmx=True)
    page = desk.get("/desk/").content.decode()
    assert "/desk/receipt/email/" in page  # the button shows: the patron has an address

    with translation.override("ja"):
        response = desk.post("/desk/receipt/email/", htmx=True, HTTP_ACCEPT_LANGUAGE="ja")
    assert 'data-cue="ok"' in response.content.decode()
    [(recipients, raw)] = inbox.messages
    assert recipients == ["reader@example.jp"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert "書架市立図書館" in message["subject"]
    body = message.get_content()
    assert "吾輩は猫である" in body
    loan_due = patron.loans.get().due_on.isoformat()
    assert loan_due in body
    event = AuditEvent.objects.get(action="desk.receipt_emailed")
    assert event.data["sent"] is True
    assert "reader@example.jp" not in str(event.data)


def test_a_failing_server_is_retried_then_the_desk_says_to_print(desk, world, inbox, settings):
    settings.SHOKA_NOTICE_EMAIL_TRIES = 2
    inbox.refuse = ["451 try later", "451 try later"]
    patron = world.patron(email="reader@example.jp")
    desk.serve(patron)
    response = desk.post("/desk/receipt/email/", htmx=True)
    html = response.content.decode()
    assert 'data-cue="refused"' in html and "print the receipt" in html
    assert inbox.messages == []
    event = AuditEvent.objects.get(action="desk.receipt_emailed")
    assert event.data == {"sent": False, "attempts": 2, "reason": "SMTPDataError 451"}


def test_a_patron_without_an_address_gets_no_button_and_a_clear_answer(desk, world, inbox):
    desk.serve(world.patron())
    assert "/desk/receipt/email/" not in desk.get("/desk/").content.decode()
    html = desk.post("/desk/receipt/email/", htmx=True).content.decode()
    assert "no email address" in html
    assert (
        inbox.messages == []
        and not AuditEvent.objects.filter(action="desk.receipt_emailed").exists()
    )
