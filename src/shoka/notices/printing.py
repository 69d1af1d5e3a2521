"""The printer's batch: every pending letter (or postcard) as one PDF, streamed to the staff
member who asked and marked sent; the generation is audit-logged (files.generated)."""

from __future__ import annotations

import datetime as dt

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.circulation.facts import local_date
from shoka.organisation.models import Library

from . import files
from .models import Channel, Notice, Status
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
    r = ctx.recipient
    return Letter(
        postal_code=r.postal_code,
        address=r.address,
        name=r.name,
        child_name=r.child_name,
        date=ctx.today,
        sender=sender,
        subject=text.subject,
        body=text.body,
        language=ctx.language,
    )


def postcard_of(ctx: NoticeContext, renderer: Renderer, sender: str) -> Postcard:
    # sealed=False: the postcard's template gets no titles to print.
    text = renderer.render(template_key(ctx, "postcard"), ctx, sealed=False)
    r = ctx.recipient
    return Postcard(
        postal_code=r.postal_code,
        address=r.address,
        name=r.name,
        child_name=r.child_name,
        sender=sender,
        message=text.body,
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


def print_batch(
    library: Library,
    channel: str,
    *,
    at: dt.datetime,
    actor: Actor,
) -> tuple[bytes, int]:
    """All pending notices of `channel` (letter or postcard) as one PDF, in postal-code
    order, each in its patron's language; they are marked sent. Returns the PDF and the
    number of notices."""
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
        pages = pages_of(notices, library, channel, local_date(at))
        order = sorted(range(len(pages)), key=lambda i: (pages[i].postal_code, i))
        data = document([pages[i] for i in order], title=f"shoka {channel}s")
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(
            status=Status.SENT, sent_at=at, sent_by=actor.code
        )
        for notice in notices:
            record("notice.sent", notice, actor=actor, at=at, data={"channel": channel})
    files.generated(library, f"{channel}s", data, actor=actor, at=at, count=len(notices))
    return data, len(notices)
