"""What a notice says: the context read from the records (decrypted here, never stored) and
the library's editable Django templates, in the patron's language (Patron.language)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.template import Context, Engine, Template
from django.utils import translation

from shoka.circulation.models import Hold
from shoka.organisation.models import Library
from shoka.patrons.contact import format_phone_national
from shoka.patrons.models import Patron

from .models import Notice, NoticeLoan, NoticeTemplate

# Plain text out (PDF and text/plain mail): no HTML escaping.
_ENGINE = Engine(autoescape=False, libraries={}, builtins=[])
DEFAULT_LANGUAGE = "ja"
LANGUAGES = ("ja", "en")


def language_of(patron: Patron) -> str:
    return patron.language if patron.language in LANGUAGES else DEFAULT_LANGUAGE


def name_in(obj: object, language: str) -> str:
    """A library's or branch's name in `language`: the English name when there is one."""
    english = getattr(obj, "name_en", "") if language == "en" else ""
    return english or str(getattr(obj, "name", ""))


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
    language: str = DEFAULT_LANGUAGE  # the patron's: the notice is written in it
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
    return contexts_of([notice], today=today)[0]


def contexts_of(notices: list[Notice], *, today: dt.date) -> list[NoticeContext]:
    """The contexts of many notices with a handful of queries (the printer's batch)."""
    patrons = Patron.objects.select_related("category", "library").in_bulk(
        {n.patron_id for n in notices}
    )
    holds = Hold.objects.select_related("pickup_branch").in_bulk(
        {n.hold_id for n in notices if n.hold_id is not None}
    )
    lines: dict[int, list[Line]] = {}
    for line in (
        NoticeLoan.objects.filter(notice__in=[n.pk for n in notices])
        .select_related("loan__item__bib")
        .order_by("due_on", "loan_id")
    ):
        item = line.loan.item
        lines.setdefault(line.notice_id, []).append(
            Line(item.bib.title, item.barcode, line.loan.due_on)
        )
    contexts = []
    for notice in notices:
        patron = patrons[notice.patron_id]
        language = language_of(patron)
        hold = holds.get(notice.hold_id) if notice.hold_id is not None else None
        mine = tuple(lines.get(notice.pk, ()))
        contexts.append(
            NoticeContext(
                notice_id=notice.pk,
                kind=notice.kind,
                stage=notice.stage,
                channel=notice.channel,
                library=name_in(patron.library, language),
                today=today,
                recipient=recipient_of(patron),
                patron_name=patron.name,
                card_number=patron.card_number,
                lines=mine,
                earliest_due=min((ln.due_on for ln in mine), default=None),
                pickup_branch=name_in(hold.pickup_branch, language) if hold else "",
                pickup_number=hold.pickup_number if hold else "",
                last_day=hold.expires_on if hold else None,
                language=language,
            )
        )
    return contexts


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


def compile_text(source: str) -> Template:
    """Compile a notice text; raises TemplateSyntaxError for text that cannot be read."""
    return Template(source, engine=_ENGINE)


def render_compiled(
    subject: Template | None, body: Template, values: dict[str, object], language: str
) -> Rendered:
    """Render in `language`: the date filter's month names follow the active language, so
    an English text says "2 Jun 2026" even when the job runs with Japanese active."""
    with translation.override(language):
        context = Context(values)
        return Rendered(
            subject=subject.render(context).strip() if subject else "",
            body=body.render(context).strip(),
        )


class Renderer:
    """Renders notices with the library's templates in each patron's language, each template
    looked up and compiled once."""

    def __init__(self, library: Library | int) -> None:
        self.library = library
        self._compiled: dict[tuple[str, str], tuple[Template | None, Template]] = {}

    def _templates(self, key: str, language: str) -> tuple[Template | None, Template]:
        if (key, language) not in self._compiled:
            row = template_for(self.library, key, language)
            subject = compile_text(row.subject) if row.subject else None
            self._compiled[key, language] = (subject, compile_text(row.body))
        return self._compiled[key, language]

    def render(self, key: str, ctx: NoticeContext, *, sealed: bool) -> Rendered:
        subject, body = self._templates(key, ctx.language)
        return render_compiled(subject, body, ctx.for_template(sealed=sealed), ctx.language)


def render(library: Library | int, key: str, ctx: NoticeContext, *, sealed: bool) -> Rendered:
    return Renderer(library).render(key, ctx, sealed=sealed)


def template_key(ctx: NoticeContext, channel: str) -> str:
    base = f"{ctx.kind}_{channel}"
    return base + "_child" if ctx.recipient.to_guardian and ctx.kind == "overdue" else base
