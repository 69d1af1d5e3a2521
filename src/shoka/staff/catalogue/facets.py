"""Human labels for the search service's facet values (search/engine.py facet_values)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoka.catalogue.models import MaterialType

FACET_TITLES = {
    "availability": gettext_lazy("Availability"),
    "branch": gettext_lazy("Branch"),
    "ndc1": gettext_lazy("NDC class"),
    "material_type": gettext_lazy("Material type"),
    "language": gettext_lazy("Language"),
    "year": gettext_lazy("Year"),
}
#: The order the facets are shown in.
FACET_ORDER = ("availability", "branch", "ndc1", "material_type", "language", "year")

NDC_MAIN_CLASSES = {
    "0": gettext_lazy("General works (総記)"),
    "1": gettext_lazy("Philosophy (哲学)"),
    "2": gettext_lazy("History (歴史)"),
    "3": gettext_lazy("Social sciences (社会科学)"),
    "4": gettext_lazy("Natural sciences (自然科学)"),
    "5": gettext_lazy("Technology (技術)"),
    "6": gettext_lazy("Industry (産業)"),
    "7": gettext_lazy("Arts (芸術)"),
    "8": gettext_lazy("Language (言語)"),
    "9": gettext_lazy("Literature (文学)"),
    "none": gettext_lazy("no class"),
}
AVAILABILITY = {
    "available": gettext_lazy("on the shelf"),
    "library_use_only": gettext_lazy("library use only"),
    "on_loan": gettext_lazy("all copies in use"),
    "unavailable": gettext_lazy("unavailable"),
    "none": gettext_lazy("no copies"),
}
LANGUAGES = {
    "jpn": gettext_lazy("Japanese"),
    "eng": gettext_lazy("English"),
    "chi": gettext_lazy("Chinese"),
    "kor": gettext_lazy("Korean"),
}


def facet_label(name: str, value: str, branches: dict[str, str]) -> str:
    """The label of one facet value; `branches` maps branch codes to names."""
    if name == "ndc1":
        label = NDC_MAIN_CLASSES.get(value)
        return f"{value} {label}" if label and value != "none" else str(label or value)
    if name == "availability":
        return str(AVAILABILITY.get(value, value))
    if name == "material_type":
        return str(MaterialType(value).label) if value in MaterialType.values else value
    if name == "language":
        return str(LANGUAGES.get(value, value))
    if name == "branch":
        return branches.get(value, value)
    if name == "year" and value.endswith("s"):
        return _("%(decade)s–") % {"decade": value[:-1]}
    return value
