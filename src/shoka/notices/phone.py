"""The phone-call list (督促電話リスト) for staff: pending phone notices with the card number,
name, phone and the items with their due dates, sorted for calling (longest overdue
first); calls marked done with their result. Shown on screen or streamed as a PDF, never
saved."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from enum import StrEnum

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.organisation.models import Library
from shoka.pdffonts import register_japanese_fonts

from . import pdf
from .models import Channel, Kind, Notice, Status
from .rendering import NoticeContext, contexts_of


class CallResult(StrEnum):
    REACHED = "reached"
    MESSAGE = "message"  # left a message (留守電)
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"


#: Results after which the call is done; after "no answer" it stays on the list.
DONE_RESULTS = {CallResult.REACHED, CallResult.MESSAGE, CallResult.WRONG_NUMBER}


class CallError(ValueError):
    pass


@dataclass(frozen=True)
class CallRow:
    notice_id: int
    patron_id: int
    ctx: NoticeContext
    tries: int
    last_result: str

    @property
    def oldest_due(self) -> dt.date | None:
        return self.ctx.earliest_due


def phone_list(library: Library, *, today: dt.date) -> list[CallRow]:
    notices = list(
        Notice.objects.filter(library=library, channel=Channel.PHONE, status=Status.PENDING)
    )
    rows = [
        CallRow(n.pk, n.patron_id, ctx, n.attempts, n.call_result)
        for n, ctx in zip(notices, contexts_of(notices, today=today), strict=True)
    ]
    far = dt.date.max
    return sorted(rows, key=lambda r: (r.ctx.earliest_due or r.ctx.last_day or far, r.notice_id))


def mark_called(
    library: Library, notice_id: int, result: str, *, actor: Actor, at: dt.datetime
) -> Notice:
    try:
        outcome = CallResult(result)
    except ValueError as exc:
        raise CallError(f"unknown call result {result!r}") from exc
    with audited_atomic():
        notice = (
            Notice.objects.select_for_update()
            .filter(library=library, pk=notice_id, channel=Channel.PHONE)
            .first()
        )
        if notice is None:
            raise CallError("no such phone call")
        if notice.status != Status.PENDING:
            raise CallError("this call has been marked done already")
        notice.attempts += 1
        notice.call_result = outcome.value
        if outcome in DONE_RESULTS:
            notice.status, notice.sent_at, notice.sent_by = Status.SENT, at, actor.code
        notice.save(update_fields=["attempts", "call_result", "status", "sent_at", "sent_by"])
        record("notice.called", notice, actor=actor, at=at, data={"result": outcome.value})
    return notice


def phone_list_pdf(rows: list[CallRow], *, title: str, today: dt.date) -> bytes:
    """The list on A4 landscape, for staff who call from a printout."""
    register_japanese_fonts()
    buffer = io.BytesIO()
    size = landscape(A4)
    canvas = Canvas(buffer, pagesize=size, pageCompression=1, invariant=1)
    canvas.setTitle("shoka phone list")
    columns = (12 * mm, 45 * mm, 95 * mm, 135 * mm)

    def heading() -> float:
        canvas.setFont(pdf.GOTHIC, 12)
        canvas.drawString(12 * mm, size[1] - 14 * mm, f"{title}  {today.isoformat()}")
        return size[1] - 24 * mm

    y = heading()
    for row in rows:
        items = [f"{ln.due_on.isoformat()}  {ln.title}" for ln in row.ctx.lines] or [
            f"{row.ctx.pickup_branch} {row.ctx.pickup_number}"
        ]
        needed = 14 + 12 * len(items)
        if y - needed < 12 * mm:
            canvas.showPage()
            y = heading()
        r = row.ctx.recipient
        who = r.name + (f"（{r.child_name}）" if r.child_name else "")
        canvas.setFont(pdf.MINCHO, 10)
        for x, text in zip(columns, (row.ctx.card_number, who, r.phone), strict=False):
            canvas.drawString(x, y, text)
        for i, line in enumerate(items):
            canvas.drawString(columns[3], y - 12 * i, line[:60])
        y -= needed
        canvas.setLineWidth(0.3)
        canvas.line(12 * mm, y + 8, size[0] - 12 * mm, y + 8)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def stage_counts(
    library: Library, *, since: dt.datetime, until: dt.datetime
) -> list[tuple[str, int, str, str, int]]:
    """Notices made in [since, until): (kind, stage, channel, status, count), for the
    library's statistics."""
    from django.db.models import Count

    rows = (
        Notice.objects.filter(library=library, created_at__gte=since, created_at__lt=until)
        .values_list("kind", "stage", "channel", "status")
        .annotate(n=Count("pk"))
        .order_by("kind", "stage", "channel", "status")
    )
    return [(k, s, c, st, n) for k, s, c, st, n in rows]


__all__ = ["CallError", "CallResult", "Kind", "mark_called", "phone_list", "phone_list_pdf"]
