"""Catalogue forms: they parse and check what staff typed; the services (catalogue.services,
circulation.items) apply it. Errors are tied to their fields for screen readers
(aria-invalid, aria-describedby; the template shows them with role="alert")."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shoka.catalogue.models import Bib, Item, LoanCategory, MaterialType
from shoka.catalogue.services import BibData, ContributorData, ItemData
from shoka.organisation.models import Library, Location
from shoka.search.engine import FACET_NAMES
from shoka.search.service import MAX_OFFSET, SORTS

from .labels import BARCODE_SYMBOLOGIES, STOCKS

MAX_LABELS = 500


class AccessibleForm(forms.Form):
    """Marks invalid fields (aria-invalid) and points them at their error and help texts
    (the ids that staff/catalogue/_field.html gives them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        super().full_clean()
        for name, field in self.fields.items():
            described = []
            if field.help_text:
                described.append(f"id_{name}-help")
            if name in self.errors:
                described.append(f"id_{name}-errors")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


# --- search -----------------------------------------------------------------------------


class SearchForm(AccessibleForm):
    q = forms.CharField(label=_("Search the catalogue"), max_length=500, required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("relevance", _("relevance")),
            ("newest", _("newest first")),
            ("title", _("title (reading)")),
        ],
    )
    page = forms.IntegerField(min_value=1, max_value=MAX_OFFSET, required=False)
    f = forms.CharField(required=False)  # facet filters, several: name:value

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.filter_values: list[str] = list(data.getlist("f")) if data is not None else []

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or "relevance"
        assert sort in SORTS  # noqa: S101 — the choices are the service's
        return str(sort)

    def clean_f(self) -> dict[str, tuple[str, ...]]:
        filters: dict[str, list[str]] = {}
        for raw in self.filter_values:
            name, sep, value = raw.partition(":")
            if not sep or name not in FACET_NAMES or not value or len(value) > 100:
                raise forms.ValidationError(_("Unknown filter: %(filter)s"), params={"filter": raw})
            filters.setdefault(name, [])
            if value not in filters[name]:
                filters[name].append(value)
        return {name: tuple(values) for name, values in filters.items()}


# --- records ----------------------------------------------------------------------------

_NDC = RegexValidator(r"^\d{1,3}(\.\d+)?$", _("An NDC class is digits, like 913.6."))
_LANGUAGE = RegexValidator(r"^[a-z]{3}$", _("Three lower-case letters (ISO 639-2), like jpn."))
_JPNO = RegexValidator(r"^[0-9A-Za-z]{1,20}$", _("Letters and digits only, like 23456789."))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class BibForm(AccessibleForm):
    title = forms.CharField(label=_("Title"), max_length=1000)
    title_reading = forms.CharField(
        label=_("Title reading (ヨミ)"), max_length=1000, required=False
    )
    responsibility = forms.CharField(
        label=_("Statement of responsibility"), max_length=1000, required=False
    )
    contributors = forms.CharField(
        label=_("Authors and contributors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name | reading | role, e.g. 夏目, 漱石 | ナツメ, ソウセキ | 著"),
    )
    publisher = forms.CharField(label=_("Publisher"), max_length=500, required=False)
    publisher_reading = forms.CharField(
        label=_("Publisher reading"), max_length=500, required=False
    )
    publication_place = forms.CharField(
        label=_("Place of publication"), max_length=200, required=False
    )
    year = forms.IntegerField(label=_("Year"), min_value=1, max_value=9999, required=False)
    isbns = forms.CharField(
        label=_("ISBN"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, with or without hyphens."),
    )
    jpno = forms.CharField(
        label=_("JP number (全国書誌番号)"), max_length=20, required=False, validators=[_JPNO]
    )
    ndc = forms.CharField(label=_("NDC class"), max_length=20, required=False, validators=[_NDC])
    material_type = forms.ChoiceField(label=_("Material type"), choices=MaterialType.choices)
    language = forms.CharField(
        label=_("Language (ISO 639-2)"), max_length=3, initial="jpn", validators=[_LANGUAGE]
    )
    series = forms.CharField(label=_("Series"), max_length=500, required=False)
    series_reading = forms.CharField(label=_("Series reading"), max_length=500, required=False)
    volume = forms.CharField(label=_("Volume"), max_length=100, required=False)
    edition = forms.CharField(label=_("Edition"), max_length=200, required=False)
    extent = forms.CharField(label=_("Extent"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    SCALARS = (
        "title",
        "title_reading",
        "responsibility",
        "publisher",
        "publisher_reading",
        "publication_place",
        "year",
        "jpno",
        "ndc",
        "material_type",
        "language",
        "series",
        "series_reading",
        "volume",
        "edition",
        "extent",
        "notes",
    )

    @classmethod
    def initial_for(cls, bib: Bib) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(bib, name) for name in cls.SCALARS}
        initial["contributors"] = "\n".join(
            " | ".join(part for part in (c.name, c.reading, c.role)) for c in bib.contributors.all()
        )
        initial["isbns"] = "\n".join(i.printed or i.isbn13 for i in bib.isbns.all())
        return initial

    def clean_title(self) -> str:
        title = str(self.cleaned_data["title"]).strip()
        if not title:
            raise forms.ValidationError(_("A title is required."))
        return title

    def clean_contributors(self) -> list[ContributorData]:
        people = []
        for line in _lines(self.cleaned_data["contributors"]):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) > 3 or not parts[0]:
                raise forms.ValidationError(
                    _("“%(line)s”: write name | reading | role."), params={"line": line}
                )
            parts += [""] * (3 - len(parts))
            if len(parts[0]) > 500 or len(parts[1]) > 500 or len(parts[2]) > 40:
                raise forms.ValidationError(_("“%(line)s” is too long."), params={"line": line})
            people.append(ContributorData(parts[0], parts[1], parts[2]))
        return people

    def clean_isbns(self) -> list[str]:
        from shoka.catalogue.isbn import parse_isbn

        isbns = _lines(self.cleaned_data["isbns"])
        for printed in isbns:
            if not parse_isbn(printed).valid:
                raise forms.ValidationError(
                    _("%(isbn)s is not a valid ISBN."), params={"isbn": printed}
                )
        return isbns

    def bib_data(self, bib: Bib | None) -> BibData:
        """The record as edited: the form's fields over what the form does not show
        (romanised title, subjects, other titles, the source record…)."""
        data = self.cleaned_data
        edited = {name: data[name] for name in self.SCALARS}
        for name in self.SCALARS:
            if isinstance(edited[name], str):
                edited[name] = edited[name].strip()
        edited["contributors"] = tuple(data["contributors"])
        edited["isbns"] = tuple(data["isbns"])
        if bib is None:
            return BibData(**edited)
        from shoka.catalogue.importing import bib_data as stored

        before = stored(bib, list(bib.contributors.all()), list(bib.isbns.all()))
        return replace(before, source_record=None, **edited)


# --- items ------------------------------------------------------------------------------


if TYPE_CHECKING:
    _LocationField = forms.ModelChoiceField[Location]
else:
    _LocationField = forms.ModelChoiceField  # generic only in django-stubs


class LocationChoiceField(_LocationField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.branch.name} — {obj.name}"


def _choices(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
    field.queryset = queryset


class ItemForm(AccessibleForm):
    barcode = forms.CharField(label=_("Barcode"), max_length=40)
    location = LocationChoiceField(
        label=_("Branch and shelving location"), queryset=Location.objects.none()
    )
    loan_category: forms.ModelChoiceField[LoanCategory] = forms.ModelChoiceField(
        label=_("Loan category"), queryset=LoanCategory.objects.none()
    )
    call_number = forms.CharField(
        label=_("Call number (請求記号)"),
        max_length=100,
        required=False,
        help_text=_("Class / author mark / volume, e.g. 913.6/ナ/1 (the spine label's lines)."),
    )
    acquired_on = forms.DateField(
        label=_("Acquired"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    price = forms.DecimalField(
        label=_("Price (yen)"), min_value=0, max_digits=10, decimal_places=0, required=False
    )
    staff_note = forms.CharField(
        label=_("Staff-only note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, library: Library, item: Item | None = None, **kw: Any):
        super().__init__(*args, **kw)
        locations = Location.objects.filter(
            branch__library=library, branch__is_active=True
        ).select_related("branch")
        if item is not None:  # another branch is a transfer, not an edit
            locations = Location.objects.filter(branch=item.branch).select_related("branch")
        _choices(self, "location", locations.order_by("branch_id", "id"))
        _choices(self, "loan_category", LoanCategory.objects.filter(library=library).order_by("id"))

    def clean_barcode(self) -> str:
        barcode = str(self.cleaned_data["barcode"]).strip()
        if not re.fullmatch(r"[0-9]+", barcode):  # as the check digits require (checkdigits.py)
            raise forms.ValidationError(_("A barcode is digits only."))
        return barcode

    @classmethod
    def initial_for(cls, item: Item) -> dict[str, Any]:
        return {
            "barcode": item.barcode,
            "location": item.location_id,
            "loan_category": item.loan_category_id,
            "call_number": item.call_number,
            "acquired_on": item.acquired_on,
            "price": item.price,
            "staff_note": item.staff_note,
        }

    def item_data(self) -> ItemData:
        data = self.cleaned_data
        location: Location = data["location"]
        return ItemData(
            barcode=data["barcode"],
            branch=location.branch.code,
            location=location.code,
            loan_category=data["loan_category"].code,
            call_number=data["call_number"].strip(),
            acquired_on=data["acquired_on"],
            price=data["price"],
            staff_note=data["staff_note"],
        )


WITHDRAWAL_REASONS = [
    ("worn", _("worn out or damaged (汚損・破損)")),
    ("lost", _("lost (紛失)")),
    ("outdated", _("out of date (内容の陳腐化)")),
    ("duplicate", _("surplus copy (複本整理)")),
    ("other", _("other (say which below)")),
]


class WithdrawForm(AccessibleForm):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=WITHDRAWAL_REASONS, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == "other" and not str(data.get("note", "")).strip():
            self.add_error("note", _("Say why the item is withdrawn."))
        return data

    def reason_text(self) -> str:
        reason = self.cleaned_data["reason"]
        note = self.cleaned_data["note"].strip()
        return f"{reason}: {note}" if note else reason


class TransferForm(AccessibleForm):
    location = LocationChoiceField(
        label=_("New home: branch and shelving location"), queryset=Location.objects.none()
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, item: Item, **kw: Any) -> None:
        super().__init__(*args, **kw)
        _choices(
            self,
            "location",
            Location.objects.filter(branch__library_id=item.library_id, branch__is_active=True)
            .exclude(branch_id=item.branch_id)
            .select_related("branch")
            .order_by("branch_id", "id"),
        )


# --- labels -----------------------------------------------------------------------------


class LabelForm(AccessibleForm):
    kind = forms.ChoiceField(
        label=_("Labels"),
        choices=[("spine", _("spine labels (背ラベル)")), ("barcode", _("barcode labels"))],
        widget=forms.RadioSelect,
        initial="spine",
    )
    stock = forms.ChoiceField(
        label=_("Label sheet"),
        choices=lambda: [(code, stock.describe()) for code, stock in STOCKS.items()],
        initial=next(iter(STOCKS)),
    )
    start = forms.IntegerField(
        label=_("Start at label"),
        min_value=1,
        initial=1,
        help_text=_("On a partly used sheet: the first free label, counted across then down."),
    )
    symbology = forms.ChoiceField(
        label=_("Barcode type"),
        choices=[(code, label) for code, label in BARCODE_SYMBOLOGIES.items()],
        initial="codabar",
        required=False,
        help_text=_("For barcode labels: NW-7 is what most Japanese libraries print."),
    )
    barcodes = forms.CharField(
        label=_("Item barcodes"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line (or separated by spaces). A barcode may repeat."),
    )

    def __init__(self, *args: Any, library: Library, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.library = library

    def clean_barcodes(self) -> list[Item]:
        codes = str(self.cleaned_data["barcodes"]).split()
        if not codes:
            raise forms.ValidationError(_("Give at least one item barcode."))
        if len(codes) > MAX_LABELS:
            raise forms.ValidationError(
                _("At most %(max)d labels at a time."), params={"max": MAX_LABELS}
            )
        found = {
            item.barcode: item
            for item in Item.objects.filter(library=self.library, barcode__in=set(codes))
            .select_related("bib")
            .prefetch_related("bib__contributors")
        }
        unknown = [code for code in dict.fromkeys(codes) if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("No item has barcode %(codes)s."), params={"codes": ", ".join(unknown[:20])}
            )
        return [found[code] for code in codes]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stock = STOCKS.get(data.get("stock", ""))
        start = data.get("start")
        if stock is not None and start is not None and start > stock.per_sheet:
            self.add_error(
                "start",
                _("This sheet has %(n)d labels: start at 1 to %(n)d.") % {"n": stock.per_sheet},
            )
        return data
