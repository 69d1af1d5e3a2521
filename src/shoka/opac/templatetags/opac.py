"""Template helpers of the public pages: the library's name and the labels of coded values."""

from __future__ import annotations

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
