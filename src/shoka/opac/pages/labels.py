"""Labels of the coded values the public pages show (facets, availability). The OPAC does not
install the staff catalogue app, so the material types are named here with the same msgids
as the staff side (one translation for both)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

MATERIAL_TYPES: dict[str, Promise] = {
    "book": _("book"),
    "picture_book": _("picture book (絵本)"),
    "kamishibai": _("kamishibai (紙芝居)"),
    "large_print": _("large print (大活字本)"),
    "magazine": _("magazine"),
    "cd": _("CD"),
    "dvd": _("DVD"),
    "daisy": _("DAISY"),
    "other": _("other"),
}

LANGUAGES: dict[str, Promise] = {
    "jpn": _("Japanese"),
    "eng": _("English"),
    "chi": _("Chinese"),
    "kor": _("Korean"),
    "fre": _("French"),
    "ger": _("German"),
    "spa": _("Spanish"),
}

#: The search index's availability facet (shoka.search.engine.availability).
AVAILABILITY: dict[str, Promise] = {
    "available": _("Available to borrow"),
    "library_use_only": _("In the library only"),
    "on_loan": _("All copies on loan"),
    "unavailable": _("Not available"),
    "none": _("No copies"),
}

#: The same values for one branch's copies in a result list (shoka.opac.pages.availability).
BRANCH_AVAILABILITY: dict[str, Promise] = {
    "available": _("Available to borrow"),
    "library_use_only": _("In the library only"),
    "on_loan": _("On loan"),
    "unavailable": _("Not available"),
}

FACET_TITLES: dict[str, Promise] = {
    "availability": _("Availability"),
    "branch": _("Branch"),
    "material_type": _("Material type"),
    "ndc1": _("Subject (NDC)"),
    "language": _("Language"),
    "year": _("Publication year"),
}

#: The order facets appear in on the search page.
FACET_ORDER = ("availability", "branch", "material_type", "ndc1", "language", "year")

CLOSURES: dict[str, Promise] = {
    "weekly": _("Weekly closing day (定休日)"),
    "holiday": _("Public holiday"),
    "monthly": _("Monthly closing day"),
    "annual": _("New Year holidays (年末年始)"),
    "closed": _("Closed"),
    "stocktaking": _("Stocktaking (蔵書点検)"),
}

SORTS: dict[str, Promise] = {
    "relevance": _("Relevance"),
    "newest": _("Newest first"),
    "title": _("Title (reading order)"),
}

WEEKDAYS: list[Promise] = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
WEEKDAYS_SHORT: list[Promise] = [
    _("Mon"),
    _("Tue"),
    _("Wed"),
    _("Thu"),
    _("Fri"),
    _("Sat"),
    _("Sun"),
]


#: {(id of one of the mappings above, language): {value: translated label}}. The mappings are
#: module constants and a language's translations do not change while the process runs, so
#: each label is translated once per language instead of on every use (a result page shows
#: a hundred of them).
_translated: dict[tuple[int, str], tuple[dict[str, Promise], dict[str, str]]] = {}


def texts(mapping: dict[str, Promise]) -> dict[str, str]:
    """{value: label in the active language} of one of the module-level tables above (each
    is translated once per language). Not to be changed by the caller."""
    key = (id(mapping), get_language() or "")
    found = _translated.get(key)
    if found is None or found[0] is not mapping:  # (the table is kept, so its id is too)
        found = _translated[key] = (mapping, {code: str(text) for code, text in mapping.items()})
    return found[1]


def label(mapping: dict[str, Promise], value: str) -> str:
    """The label of a coded value in the active language; the value itself when unknown."""
    return texts(mapping).get(value, value)
