"""The library's notice texts (文面): which texts there are, a preview of each on a made-up
patron, and editing them — a library's own row of a key and language wins over the text
shipped with shoka (defaults.py), and resetting deletes the library's row again.

The preview never reads a real patron: the sample is generated here from fixed made-up
values (見本 花子 …), in the language of the text."""

from __future__ import annotations

import datetime as dt

from django.template import TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from .rendering import (
    DEFAULT_LANGUAGE,
    Line,
    NoticeContext,
    Recipient,
    Rendered,
    compile_text,
    render_compiled,
)

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
