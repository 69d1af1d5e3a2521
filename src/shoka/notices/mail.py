"""Email notices through Django's mail framework, to the library's SMTP server (settings:
SHOKA_EMAIL_*; TLS and authentication as the server wants). Each message is tried a few
times; a message that still fails is recorded as failed — with the server's reply code,
never the address — and reported by the daily job."""

from __future__ import annotations

import datetime as dt
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.circulation.facts import local_date

from .models import Notice, Status
from .rendering import context_of, render, template_key


def _reason(exc: Exception) -> str:
    """What went wrong, without the recipient address some SMTP errors carry."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__} {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in exc.recipients.values()})
        return f"SMTPRecipientsRefused {' '.join(codes)}"
    return type(exc).__name__


def message_for(notice: Notice, *, today: dt.date) -> EmailMessage:
    """The email of `notice`, in the patron's language (UTF-8, subject MIME-encoded)."""
    ctx = context_of(notice, today=today)
    text = render(notice.library_id, template_key(ctx, "email"), ctx, sealed=True)
    return EmailMessage(
        subject=text.subject,
        body=text.body + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[ctx.recipient.email],
    )


def send(message: EmailMessage) -> tuple[int, str]:
    """Send ``message`` through the library's SMTP server, trying a few times
    (SHOKA_NOTICE_EMAIL_TRIES, pausing SHOKA_NOTICE_EMAIL_RETRY_SECONDS × the attempt).
    Returns (attempts, "") when sent, else (attempts, the reason without any address)."""
    tries = max(1, int(getattr(settings, "SHOKA_NOTICE_EMAIL_TRIES", 3)))
    pause = float(getattr(settings, "SHOKA_NOTICE_EMAIL_RETRY_SECONDS", 5))
    reason = ""
    for attempt in range(1, tries + 1):
        try:
            with get_connection(fail_silently=False) as connection:
                message.connection = connection
                message.send()
        except (smtplib.SMTPException, OSError) as exc:
            reason = _reason(exc)
            if attempt < tries:
                time.sleep(pause * attempt)
            continue
        return attempt, ""
    return tries, reason


def deliver(notice: Notice, *, at: dt.datetime, actor: Actor) -> bool:
    """Send one email notice, retrying; mark it sent or failed. True when sent."""
    message = message_for(notice, today=local_date(at))
    attempts, reason = send(message)
    with audited_atomic():
        fields = {"attempts": notice.attempts + attempts, "error": reason[:200]}
        if reason:
            Notice.objects.filter(pk=notice.pk).update(status=Status.FAILED, **fields)
            record(
                "notice.failed",
                notice,
                actor=actor,
                at=at,
                data={"channel": "email", "attempts": attempts, "reason": reason},
            )
        else:
            Notice.objects.filter(pk=notice.pk).update(
                status=Status.SENT, sent_at=at, sent_by=actor.code, **fields
            )
            record(
                "notice.sent",
                notice,
                actor=actor,
                at=at,
                data={"channel": "email", "attempts": attempts},
            )
    return not reason
