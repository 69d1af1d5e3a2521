"""Forms of the holds screens. Search terms are posted, never put in a URL."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shoka.organisation.models import Branch, BranchKind


class TitleSearchForm(forms.Form):
    q = forms.CharField(
        label=_("ISBN, item barcode or words of the title"),
        max_length=200,
        error_messages={"required": _("Type an ISBN, a barcode or words of the title.")},
    )


def pickup_branches(library_id: int) -> QuerySet[Branch]:
    """Branches where holds may be collected (the policy refuses the others too)."""
    return (
        Branch.objects.filter(library_id=library_id, is_active=True)
        .exclude(kind=BranchKind.BOOKMOBILE)
        .order_by("id")
    )


class PlaceHoldForm(forms.Form):
    pickup_branch = forms.ModelChoiceField(
        label=_("Pickup branch"), queryset=Branch.objects.none(), empty_label=None
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"), max_length=200, required=False
    )

    def __init__(self, *args: Any, library_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pickup_branch"].queryset = pickup_branches(library_id)  # type: ignore[attr-defined]
