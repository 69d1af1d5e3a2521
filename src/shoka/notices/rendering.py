"""What a notice says: the context read from the records (decrypted here, never stored) and
the library's editable Django templates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.template import Context, Engine, Template

from shoka.circulation.models import Hold, Loan
from shoka.organisation.models import Library
from shoka.patrons.contact import format_phone_national
from shoka.patrons.models import Patron

from .models import Notice, NoticeTemplate

# Plain text out (PDF and text/plain mail): no HTML escaping.
_ENGINE = Engine(autoescape=False, libraries={}, builtins=[])
DEFAULT_LANGUAGE = "ja"


class TemplateMissingError(LookupError):
    pass


@dataclass(frozen=True)
class Line:
    """An item in a letter or email: the title appears only in sealed kinds of notice."""

    title: str
    barcode: str
    due_on: dt.date


@dataclass(frozen=True)
class Recipient:
    """Who the paper goes to: the patron, or a child's guardian (保護者)."""

    name: str  # the name on the envelope or card (without 様)
    postal_code: str  # seven digits, or ""
    address: str
    phone: str
    email: str
    child_name: str = ""  # set when the notice goes to a child's guardian

    @property
    def to_guardian(self) -> bool:
        return bool(self.child_name)


@dataclass(frozen=True)
class NoticeContext:
    notice_id: int
    kind: str
    stage: int
    channel: str
    library: str
    today: dt.date
    recipient: Recipient
    patron_name: str
    card_number: str
    lines: tuple[Line, ...] = ()
    earliest_due: dt.date | None = None
    pickup_branch: str = ""
    pickup_number: str = ""
    last_day: dt.date | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def for_template(self, *, sealed: bool) -> dict[str, object]:
        """The template variables. Unsealed kinds (postcards) get no titles at all."""
        values: dict[str, object] = {
            "library": self.library,
            "today": self.today,
            "name": self.recipient.name,
            "patron_name": self.patron_name,
            "child_name": self.recipient.child_name,
            "to_guardian": self.recipient.to_guardian,
            "count": len(self.lines),
            "earliest_due": self.earliest_due,
            "stage": self.stage,
            "pickup_branch": self.pickup_branch,
            "pickup_number": self.pickup_number,
            "last_day": self.last_day,
        }
        if sealed:
            values["items"] = self.lines
        return values


def recipient_of(patron: Patron) -> Recipient:
    """A child's paper goes to the guardian at the child's registered address (the
    registration form records one household address); the guardian's contact is the phone."""
    phone = patron.phone or ""
    if patron.category.requires_guardian:
        phone = patron.guardian_contact or phone
        return Recipient(
            name=patron.guardian_name or "",
            postal_code=patron.postal_code or "",
            address=patron.address or "",
            phone=_phone(phone),
            email=patron.email or "",
            child_name=patron.name,
        )
    return Recipient(
        name=patron.name,
        postal_code=patron.postal_code or "",
        address=patron.address or "",
        phone=_phone(phone),
        email=patron.email or "",
    )


def _phone(value: str) -> str:
    if value.startswith("+"):
        try:
            return format_phone_national(value)
        except ValueError:
            return value
    return value


def context_of(notice: Notice, *, today: dt.date) -> NoticeContext:
    patron = Patron.objects.select_related("category", "library").get(pk=notice.patron_id)
    library = patron.library
    lines: tuple[Line, ...] = ()
    pickup_branch = pickup_number = ""
    last_day = None
    if notice.hold_id is not None:
        hold = Hold.objects.select_related("pickup_branch").get(pk=notice.hold_id)
        pickup_branch, pickup_number, last_day = (
            hold.pickup_branch.name,
            hold.pickup_number,
            hold.expires_on,
        )
    else:
        loans = (
            Loan.objects.filter(pk__in=notice.lines.values("loan_id"))
            .select_related("item__bib")
            .order_by("due_on", "pk")
        )
        lines = tuple(Line(ln.item.bib.title, ln.item.barcode, ln.due_on) for ln in loans)
    return NoticeContext(
        notice_id=notice.pk,
        kind=notice.kind,
        stage=notice.stage,
        channel=notice.channel,
        library=library.name,
        today=today,
        recipient=recipient_of(patron),
        patron_name=patron.name,
        card_number=patron.card_number,
        lines=lines,
        earliest_due=min((ln.due_on for ln in lines), default=None),
        pickup_branch=pickup_branch,
        pickup_number=pickup_number,
        last_day=last_day,
    )


def template_for(library: Library | int | None, key: str, language: str) -> NoticeTemplate:
    """The library's own template, else the shipped default; English falls back to Japanese
    only when no English text exists at all."""
    library_id = library if isinstance(library, int) or library is None else library.pk
    for lang in dict.fromkeys((language, DEFAULT_LANGUAGE)):
        rows = NoticeTemplate.objects.filter(key=key, language=lang)
        found = rows.filter(library_id=library_id).first() if library_id else None
        found = found or rows.filter(library__isnull=True).first()
        if found is not None:
            return found
    raise TemplateMissingError(f"no notice template {key!r}")


def render_text(source: str, values: dict[str, object]) -> str:
    return Template(source, engine=_ENGINE).render(Context(values)).strip()


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(
    library: Library | int, key: str, ctx: NoticeContext, *, sealed: bool, language: str
) -> Rendered:
    template = template_for(library, key, language)
    values = ctx.for_template(sealed=sealed)
    return Rendered(
        subject=render_text(template.subject, values) if template.subject else "",
        body=render_text(template.body, values),
    )


def template_key(ctx: NoticeContext, channel: str) -> str:
    base = f"{ctx.kind}_{channel}"
    return base + "_child" if ctx.recipient.to_guardian and ctx.kind == "overdue" else base
