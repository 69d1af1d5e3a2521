"""Template helpers of the public pages: the library's name and the labels of coded values."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.loader_tags import BlockNode
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

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


# --- site chrome, rendered once per language ------------------------------------------------
class ChromeNode(template.Node):
    # Not searched for blocks (there are none inside, see chrome()): {% extends %} walks the
    # parent's nodes on every render to find them.
    child_nodelists = ()

    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        # {(language, library names): the rendered fragment}, kept as long as the compiled
        # template is. Nothing in the chrome comes from the catalogue, so no catalogue change
        # can make it stale.
        self.rendered: dict[tuple[str, str, str], SafeString] = {}

    def render(self, context: template.Context) -> SafeString:
        key = (
            # the i18n context processor's copy of get_language(), cheaper to read here
            context.get("LANGUAGE_CODE") or translation.get_language() or "",
            str(getattr(settings, "SHOKA_OPAC_LIBRARY_NAME", "")),
            str(getattr(settings, "SHOKA_OPAC_LIBRARY_NAME_EN", "")),
        )
        found = self.rendered.get(key)
        if found is None:
            found = self.rendered[key] = mark_safe(self.nodelist.render(context))  # noqa: S308 — rendered by the template engine, escaped there
        return found


@register.tag
def chrome(parser: template.base.Parser, token: template.base.Token) -> ChromeNode:
    """``{% chrome %}…{% endchrome %}``: a part of the page that depends only on the language
    and the site's settings (navigation, footer, links to static files), rendered once per
    language in each process instead of on every request — the base template's links and
    translations cost more than a whole result list (bench/load (d)). Nothing inside may use
    a request's variables (the query, the path) or a block; links inside are reversed once,
    with the site's one script prefix."""
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError("{% chrome %} cannot hold a {% block %}")
    return ChromeNode(nodelist)
