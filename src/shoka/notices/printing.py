"""The printer's batch: every pending letter (or postcard) as one PDF, streamed to the staff
member who asked and marked sent; the generation is audit-logged (files.generated). A batch
already printed can be printed again (reprint_batch): the same notices, dated as first
printed, recorded as a reprint — nothing is marked, recorded or sent anew."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.circulation.facts import local_date
from shoka.organisation.models import Library

from . import files
from .models import Channel, Kind, Notice, PrintBatch, Status
from .pdf import Letter, Postcard, document
from .rendering import (
    NoticeContext,
    Renderer,
    contexts_of,
    name_in,
    render_text,
    template_for,
    template_key,
)


class NothingToPrintError(LookupError):
    pass


class Printed(NamedTuple):
    data: bytes  # the PDF
    notices: int  # how many notices it holds
    batch: int  # PrintBatch id (for a reprint)


def sender_text(library: Library, language: str) -> str:
    template = template_for(library, "sender", language)
    return render_text(template.body, {"library": name_in(library, language)})


class Senders(dict[str, str]):
    """The library's return address in each language, rendered once."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library

    def __missing__(self, language: str) -> str:
        self[language] = sender_text(self.library, language)
        return self[language]


def letter_of(ctx: NoticeContext, renderer: Renderer, sender: str) -> Letter:
    """A letter in the patron's language; the address block keeps the postal convention."""
    text = renderer.render(template_key(ctx, "letter"), ctx, sealed=True)
    return letter_page(ctx, text.subject, text.body, sender)


def letter_page(ctx: NoticeContext, subject: str, body: str, sender: str) -> Letter:
    """The letter page for ``ctx`` with an already rendered text (printing and preview)."""
    r = ctx.recipient
    return Letter(
        postal_code=r.postal_code,
        address=r.address,
        name=r.name,
        child_name=r.child_name,
        date=ctx.today,
        sender=sender,
        subject=subject,
        body=body,
        language=ctx.language,
    )


def postcard_of(ctx: NoticeContext, renderer: Renderer, sender: str) -> Postcard:
    # sealed=False: the postcard's template gets no titles to print.
    text = renderer.render(template_key(ctx, "postcard"), ctx, sealed=False)
    return postcard_page(ctx, text.body, sender)


def postcard_page(ctx: NoticeContext, message: str, sender: str) -> Postcard:
    """The postcard for ``ctx`` with an already rendered message (printing and preview)."""
    r = ctx.recipient
    return Postcard(
        postal_code=r.postal_code,
        address=r.address,
        name=r.name,
        child_name=r.child_name,
        sender=sender,
        message=message,
    )


def pages_of(
    notices: list[Notice], library: Library, channel: str, today: dt.date
) -> list[Letter | Postcard]:
    """The pages of `notices`, each in its patron's language."""
    renderer, senders = Renderer(library), Senders(library)
    make = letter_of if channel == Channel.LETTER else postcard_of
    pages: list[Letter | Postcard] = []
    for start in range(0, len(notices), 500):
        for ctx in contexts_of(notices[start : start + 500], today=today):
            pages.append(make(ctx, renderer, senders[ctx.language]))
    return pages


def _document(pages: list[Letter | Postcard], channel: str) -> bytes:
    """One PDF for the printer, in postal-code order (for the post office's discount)."""
    order = sorted(range(len(pages)), key=lambda i: (pages[i].postal_code, i))
    return document([pages[i] for i in order], title=f"shoka {channel}s")


def print_batch(
    library: Library,
    channel: str,
    *,
    at: dt.datetime,
    actor: Actor,
) -> Printed:
    """All pending notices of `channel` (letter or postcard) as one PDF, in postal-code
    order, each in its patron's language; they are marked sent and recorded as one
    PrintBatch."""
    if channel not in (Channel.LETTER, Channel.POSTCARD):
        raise ValueError(f"only letters and postcards are printed, not {channel!r}")
    with audited_atomic():
        notices = list(
            Notice.objects.select_for_update()
            .filter(library=library, channel=channel, status=Status.PENDING)
            .order_by("pk")
        )
        if not notices:
            raise NothingToPrintError(f"no {channel} waiting to be printed")
        data = _document(pages_of(notices, library, channel, local_date(at)), channel)
        batch = PrintBatch.objects.create(
            library=library,
            channel=channel,
            printed_at=at,
            printed_by=actor.code,
            count=len(notices),
        )
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(
            status=Status.SENT, sent_at=at, sent_by=actor.code, batch=batch
        )
        for notice in notices:
            record(
                "notice.sent",
                notice,
                actor=actor,
                at=at,
                data={"channel": channel, "batch": batch.pk},
            )
    files.generated(
        library, f"{channel}s", data, actor=actor, at=at, count=len(notices), batch=batch.pk
    )
    return Printed(data, len(notices), batch.pk)


def recent_batches(library: Library, *, limit: int = 10) -> list[PrintBatch]:
    return list(PrintBatch.objects.filter(library=library).order_by("-printed_at", "-pk")[:limit])


def reprint_batch(library: Library, batch_id: int, *, at: dt.datetime, actor: Actor) -> Printed:
    """The PDF of a batch already printed, again: its notices rendered from the records as
    they are now (a corrected address is the new one), dated as first printed. Nothing is
    marked, recorded as a notice or sent; the reprint is audit-logged
    (`notices.batch_reprinted`). Raises NothingToPrintError for an unknown batch, or one
    whose notices are all gone (their patrons deleted, or — for overdue notices — their lines
    forgotten after the return, shoka.notices.daily.forget_returned_lines)."""
    batch = PrintBatch.objects.filter(library=library, pk=batch_id).first()
    if batch is None:
        raise NothingToPrintError(f"no printed batch {batch_id}")
    notices = list(
        Notice.objects.filter(batch=batch)
        .exclude(kind=Kind.OVERDUE, lines__isnull=True)
        .distinct()
        .order_by("pk")
    )
    if not notices:
        raise NothingToPrintError(f"batch {batch_id} has no notices left to print")
    pages = pages_of(notices, library, batch.channel, local_date(batch.printed_at))
    data = _document(pages, batch.channel)
    with audited_atomic():
        record(
            "notices.batch_reprinted",
            batch,
            actor=actor,
            at=at,
            data={
                "kind": f"{batch.channel}s",
                "notices": len(notices),
                "bytes": len(data),
                "printed_at": batch.printed_at.isoformat(),
            },
        )
    return Printed(data, len(notices), batch.pk)
