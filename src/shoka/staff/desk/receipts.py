"""The desk receipt by email: what the patron has on loan and when each is due, sent to the
address on their record through the library's SMTP server (shoka.notices.mail.send, with
its retries). The same facts as the printed receipt; the body names no one."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.notices.mail import send
from shoka.organisation.models import Branch
from shoka.patrons.models import Patron

from .summary import PatronSummary


def receipt_message(
    patron: Patron, branch: Branch, summary: PatronSummary, *, at: dt.datetime
) -> EmailMessage:
    context = {"branch": branch, "summary": summary, "sent_at": timezone.localtime(at)}
    subject = render_to_string("staff/desk/receipt_email_subject.txt", context).strip()
    body = render_to_string("staff/desk/receipt_email.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[str(patron.email)],
    )


def send_receipt(
    patron: Patron, branch: Branch, summary: PatronSummary, *, actor: Actor, at: dt.datetime
) -> str:
    """Send it and audit the attempt (`desk.receipt_emailed`: sent or not, attempts, the
    server's reply code — never the address). Returns "" when sent, else the reason."""
    attempts, reason = send(receipt_message(patron, branch, summary, at=at))
    with audited_atomic():
        record(
            "desk.receipt_emailed",
            patron,
            actor=actor,
            at=at,
            data={"sent": not reason, "attempts": attempts, "reason": reason},
        )
    return reason
