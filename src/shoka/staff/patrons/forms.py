"""Patron forms. They only collect text: the rules (what is required, what a valid phone
number, postal code or reading is, a child's guardian) are patrons.services'
`clean_patron_data`, whose per-field errors the view puts back on these fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shoka.organisation.models import Branch, Library
from shoka.patrons.models import Language, NotifyChannel, PatronCategory
from shoka.patrons.services import PatronData

OFF = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}


def _text(
    label: Any, *, required: bool = False, help_text: Any = "", css: str = "", **attrs: str
) -> Any:
    if css:
        attrs["class"] = css
    return forms.CharField(
        label=label,
        required=required,
        max_length=200,
        help_text=help_text,
        widget=forms.TextInput(attrs={**OFF, **attrs}),
    )


class PatronForm(forms.Form):
    """Registration and editing. Personal fields are never sent back in a URL: the form is
    always POSTed."""

    card_number = _text(
        _("Card number"),
        required=True,
        inputmode="numeric",
        help_text=_("Scan the new card's barcode or type its number."),
    )
    category = forms.ChoiceField(label=_("Patron category"))
    home_branch = forms.ChoiceField(label=_("Home branch"))
    name = _text(_("Name"), required=True, autocomplete="off")
    name_kana = _text(
        _("Reading (カナ)"),
        required=True,
        help_text=_("In katakana or hiragana, e.g. ヤマダ ハナコ."),
        lang="ja",
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Used for the duplicate check and age statistics."),
    )
    postal_code = _text(
        _("Postal code"),
        inputmode="numeric",
        help_text=_("7 digits; the address is filled in from it."),
    )
    address = _text(
        _("Address"),
        help_text=_("Add the block number, building and room after the town."),
        css="wide",
    )
    phone = _text(
        _("Phone"), inputmode="tel", help_text=_("With the area code, e.g. 0263-12-3456.")
    )
    email = _text(_("E-mail"), inputmode="email")
    guardian_name = _text(_("Guardian's name"))
    guardian_relation = _text(_("Relation to the child"), help_text=_("e.g. 父, 母, 祖母"))
    guardian_contact = _text(_("Guardian's phone or address"), inputmode="tel")
    notify_channel = forms.ChoiceField(
        label=_("Notify holds and overdues by"),
        choices=NotifyChannel.choices,
        initial=NotifyChannel.POSTCARD,
    )
    language = forms.ChoiceField(
        label=_("Language of notices"),
        choices=Language.choices,
        initial=Language.JAPANESE,
        help_text=_("Emails, letters and postcards to this patron are written in it."),
    )
    keeps_reading_history = forms.BooleanField(
        label=_("Keep the reading history (the patron asked for it)"), required=False
    )
    area_code = _text(_("Area (地区) code"), help_text=_("Optional: a district for statistics."))
    pin = forms.CharField(
        label=_("PIN for the online catalogue"),
        required=False,
        max_length=8,
        help_text=_("Optional, 4 to 8 digits. When editing, leave it empty to keep the PIN."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "inputmode": "numeric"}),
    )

    def __init__(self, library: Library, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        english = (get_language() or "").startswith("en")
        categories = PatronCategory.objects.filter(library=library).order_by("id")
        category = cast(forms.ChoiceField, self.fields["category"])
        category.choices = [
            (c.code, (c.name_en if english and c.name_en else c.name)) for c in categories
        ]
        self.guardian_categories = [c.name for c in categories if c.requires_guardian]
        branches = Branch.objects.filter(library=library, is_active=True).order_by("id")
        home_branch = cast(forms.ChoiceField, self.fields["home_branch"])
        home_branch.choices = [
            (b.code, (b.name_en if english and b.name_en else b.name)) for b in branches
        ]

    def data_for_service(self) -> PatronData:
        d = self.cleaned_data

        def opt(name: str) -> str | None:
            return (d.get(name) or "").strip() or None

        return PatronData(
            card_number=d["card_number"],
            category=d["category"],
            home_branch=d["home_branch"],
            name=d["name"],
            name_kana=d["name_kana"],
            birth_date=d.get("birth_date"),
            postal_code=opt("postal_code"),
            address=opt("address"),
            phone=opt("phone"),
            email=opt("email"),
            guardian_name=opt("guardian_name"),
            guardian_relation=opt("guardian_relation"),
            guardian_contact=opt("guardian_contact"),
            notify_channel=d["notify_channel"],
            language=d["language"],
            keeps_reading_history=bool(d.get("keeps_reading_history")),
            area_code=(d.get("area_code") or "").strip(),
            pin=opt("pin"),
        )

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


def initial_of(data: PatronData) -> dict[str, Any]:
    """A form's initial values from a patron's data (no PIN: it is stored hashed)."""
    values = {k: v for k, v in data.__dict__.items() if k != "pin"}
    return {k: ("" if v is None else v) for k, v in values.items()}


class SearchForm(forms.Form):
    query = forms.CharField(
        label=_("Card number, phone, e-mail, name or reading"),
        max_length=200,
        help_text=_("A part of a name or reading is enough; kana may be full- or half-width."),
        widget=forms.TextInput(attrs={**OFF, "type": "search", "class": "scan", "autofocus": True}),
    )


class PostalForm(forms.Form):
    postal_code = forms.CharField(max_length=20, required=False)
    address = forms.CharField(max_length=200, required=False)


class BlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the block"), max_length=200)
