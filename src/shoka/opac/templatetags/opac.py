"""Template helpers of the public pages: the library's name and the labels of coded values."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils import translation

register = template.Library()


@register.simple_tag
def library_name() -> str:
    """The library's name in the active language (SHOKA_OPAC_LIBRARY_NAME / _EN)."""
    if translation.get_language() == "en":
        english = getattr(settings, "SHOKA_OPAC_LIBRARY_NAME_EN", "")
        if english:
            return str(english)
    return str(getattr(settings, "SHOKA_OPAC_LIBRARY_NAME", "") or "書架 shoka")


@register.simple_tag
def closure_label(kind: str) -> str:
    """The visitor's words for a kind of closed day (weekly, holiday, stocktaking, …)."""
    from shoka.opac.pages.labels import CLOSURES, label

    return label(CLOSURES, kind)


@register.filter
def byline(record: Any) -> str:
    """ "Author · publisher · year" of a record or a search hit's fields, leaving out what is
    missing."""

    def get(name: str) -> Any:
        return record.get(name) if isinstance(record, dict) else getattr(record, name, None)

    people = get("responsibility") or ", ".join(
        a.get("name", "") if isinstance(a, dict) else str(a) for a in get("authors") or []
    )
    parts = [people, get("publisher") or "", str(get("year") or "")]
    return " · ".join(p for p in parts if p)
