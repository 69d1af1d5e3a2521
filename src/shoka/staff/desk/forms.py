"""Desk forms. Scanners are keyboard wedges: they type the code and press Enter, so each
scan form has one text field and submits on Enter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shoka.organisation.models import Branch

SCAN_ATTRS = {
    "autocomplete": "off",
    "autocapitalize": "off",
    "spellcheck": "false",
    "inputmode": "text",
    "class": "scan",
}


class CardForm(forms.Form):
    card = forms.CharField(
        label=_("Patron card"),
        max_length=40,
        widget=forms.TextInput(attrs=SCAN_ATTRS),
    )


class ItemForm(forms.Form):
    barcode = forms.CharField(
        label=_("Item barcode"),
        max_length=40,
        widget=forms.TextInput(attrs=SCAN_ATTRS),
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"), max_length=200, required=False
    )

    def clean_barcode(self) -> str:
        return str(self.cleaned_data["barcode"]).strip()


class BranchForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Desk branch"),
        queryset=Branch.objects.filter(is_active=True).order_by("library", "id"),
        empty_label=None,
    )
    next = forms.ChoiceField(choices=[("checkout", "checkout"), ("return", "return")])
