"""The library's notice texts (文面): which texts there are, a preview of each on a made-up
patron, and editing them — a library's own row of a key and language wins over the text
shipped with shoka (defaults.py), and resetting deletes the library's row again.

The preview never reads a real patron: the sample is generated here from fixed made-up
values (見本 花子 …), in the language of the text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template import TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.organisation.models import Library

from .models import NoticeTemplate
from .rendering import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Line,
    NoticeContext,
    Recipient,
    Rendered,
    compile_text,
    name_in,
    render_compiled,
)

SUBJECT_MAX = 200  # NoticeTemplate.subject

#: Every text a library may edit, with what it is for (the staff screen lists them).
KEYS: dict[str, object] = {
    "overdue_email": _("Overdue: email"),
    "overdue_email_child": _("Overdue: email to a child's guardian"),
    "overdue_postcard": _("Overdue: postcard (no titles)"),
    "overdue_postcard_child": _("Overdue: postcard to a child's guardian (no titles)"),
    "overdue_letter": _("Overdue: letter"),
    "overdue_letter_child": _("Overdue: letter to a child's guardian"),
    "hold_ready_email": _("Hold ready: email"),
    "hold_ready_postcard": _("Hold ready: postcard (no titles)"),
    "sender": _("Sender (the library's return address)"),
}


def is_sealed(key: str) -> bool:
    """Letters and emails are read by the addressee only; a postcard by anyone who handles
    it, so its template is never given the titles."""
    return "postcard" not in key


def has_subject(key: str) -> bool:
    """Emails have a subject line, letters a heading; postcards and the sender neither."""
    return channel_of(key) in ("email", "letter")


def channel_of(key: str) -> str:
    for channel in ("email", "postcard", "letter"):
        if channel in key.split("_"):
            return channel
    return ""


def sample_context(
    key: str, *, language: str = DEFAULT_LANGUAGE, library: str = "書架市立図書館", stage: int = 2
) -> NoticeContext:
    """A made-up notice for previewing `key` (nobody real)."""
    today = dt.date(2026, 6, 2)
    due = today - dt.timedelta(days=14)
    child = key.endswith("_child")
    english = language == "en"
    recipient = Recipient(
        name="見本 一郎" if child else "見本 花子",
        postal_code="3900811",
        address="長野県松本市中央1丁目1-1",
        phone="0263-00-0000",
        email="sample@example.jp",
        child_name="見本 けん" if child else "",
    )
    return NoticeContext(
        notice_id=0,
        kind="hold_ready" if key.startswith("hold_ready") else "overdue",
        stage=0 if key.startswith("hold_ready") else stage,
        channel=channel_of(key),
        library=library,
        today=today,
        recipient=recipient,
        patron_name="見本 けん" if child else "見本 花子",
        card_number="0000000000",
        lines=(
            Line("Sample Book" if english else "見本の本", "200001", due),
            Line("A Made-up Picture Book" if english else "架空の図鑑", "200002", due),
        ),
        earliest_due=due,
        pickup_branch="Main Library" if english else "本館",
        pickup_number="A-12",
        last_day=today + dt.timedelta(days=7),
        language=language,
    )


class TemplateError(ValueError):
    """A notice text that cannot be read or rendered; the message says where and why."""


def preview(
    key: str,
    subject: str,
    body: str,
    *,
    language: str = DEFAULT_LANGUAGE,
    library: str = "書架市立図書館",
    stage: int = 2,
) -> Rendered:
    """Render text on the made-up notice, as it would be sent (postcards without titles).
    Raises TemplateError for text that cannot be read, or that fails on the sample."""
    ctx = sample_context(key, language=language, library=library, stage=stage)
    try:
        compiled_subject = compile_text(subject) if subject else None
        compiled_body = compile_text(body)
    except TemplateSyntaxError as exc:
        raise TemplateError(str(exc)) from exc
    if key == "sender":
        values: dict[str, object] = {"library": library}
    else:
        values = ctx.for_template(sealed=is_sealed(key))
    try:
        return render_compiled(compiled_subject, compiled_body, values, language)
    except Exception as exc:  # any failure of the library's text is reported, not raised
        raise TemplateError(f"{type(exc).__name__}: {exc}") from exc


# --- editing (the staff screen *Notice texts*) -------------------------------------------


@dataclass(frozen=True)
class TextRow:
    """One text as the library has it: its own edited copy, or the one shipped."""

    key: str
    label: object
    language: str
    subject: str
    body: str
    edited: bool
    updated_at: dt.datetime | None


def _check_key(key: str, language: str) -> None:
    if key not in KEYS:
        raise LookupError(f"no notice text {key!r}")
    if language not in LANGUAGES:
        raise LookupError(f"no notice texts in {language!r}")


def text_of(library: Library, key: str, language: str) -> TextRow:
    """The text of `key` in `language` as the library sends it (no fallback to another
    language: the screen edits exactly this one). Raises LookupError for an unknown key."""
    _check_key(key, language)
    rows = NoticeTemplate.objects.filter(key=key, language=language)
    own = rows.filter(library=library).first()
    row = own or rows.filter(library__isnull=True).first()
    return TextRow(
        key=key,
        label=KEYS[key],
        language=language,
        subject=row.subject if row else "",
        body=row.body if row else "",
        edited=own is not None,
        updated_at=own.updated_at if own else None,
    )


def texts_of(library: Library) -> list[TextRow]:
    return [text_of(library, key, lang) for key in KEYS for lang in LANGUAGES]


def save_text(
    library: Library,
    key: str,
    language: str,
    *,
    subject: str,
    body: str,
    actor: Actor,
    at: dt.datetime,
) -> NoticeTemplate:
    """Save the library's own copy of a text after checking that it reads and renders on
    the made-up notice; a text that does not is refused (TemplateError) and nothing is
    saved. Audit-logged with the key and language (the text itself is the library's)."""
    _check_key(key, language)
    subject, body = subject.strip(), body.strip()
    if not body:
        raise TemplateError(str(_("The text is empty.")))
    if len(subject) > SUBJECT_MAX:
        raise TemplateError(
            str(_("The subject is longer than %(n)d characters.") % {"n": SUBJECT_MAX})
        )
    if subject and not has_subject(key):
        raise TemplateError(str(_("Postcards and the sender have no subject.")))
    preview(key, subject, body, language=language, library=name_in(library, language))
    with audited_atomic():
        row, created = NoticeTemplate.objects.select_for_update().get_or_create(
            library=library,
            key=key,
            language=language,
            defaults={"subject": subject, "body": body, "updated_at": at},
        )
        if not created:
            row.subject, row.body, row.updated_at = subject, body, at
            row.save(update_fields=["subject", "body", "updated_at"])
        record(
            "notices.text_saved",
            row,
            actor=actor,
            at=at,
            data={"key": key, "language": language, "first_edit": created},
        )
    return row


def reset_text(library: Library, key: str, language: str, *, actor: Actor, at: dt.datetime) -> bool:
    """Go back to the text shipped with shoka (delete the library's copy). True when there
    was a copy to delete."""
    _check_key(key, language)
    with audited_atomic():
        own = NoticeTemplate.objects.filter(library=library, key=key, language=language).first()
        if own is None:
            return False
        record(
            "notices.text_reset", own, actor=actor, at=at, data={"key": key, "language": language}
        )
        own.delete()
    return True


def sample_pdf(
    library: Library, key: str, subject: str, body: str, *, language: str, stage: int = 2
) -> bytes:
    """A letter or postcard of the made-up notice with this text, as the printer would get
    it (for checking the layout). Raises TemplateError like `preview`."""
    from .pdf import Letter, Postcard, document
    from .printing import letter_page, postcard_page, sender_text

    library_name = name_in(library, language)
    text = preview(key, subject, body, language=language, library=library_name, stage=stage)
    ctx = sample_context(key, language=language, library=library_name, stage=stage)
    sender = sender_text(library, language)
    page: Letter | Postcard
    if channel_of(key) == "letter":
        page = letter_page(ctx, text.subject, text.body, sender)
    elif channel_of(key) == "postcard":
        page = postcard_page(ctx, text.body, sender)
    else:
        raise TemplateError(str(_("Only letters and postcards are printed.")))
    return document([page], title="shoka sample")
