"""Sign-in forms. Errors are tied to their fields for assistive technology: the field gets
``aria-invalid`` and ``aria-describedby`` pointing at the message, and the focus goes to the
field to correct."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

ERROR_ID = "signin-error"


def point_at_error(form: forms.Form, *, focus: str) -> None:
    """Mark every field as invalid, described by the page's error message, and move the
    initial focus to `focus`."""
    for name, field in form.fields.items():
        attrs = field.widget.attrs
        attrs.pop("autofocus", None)
        attrs["aria-invalid"] = "true"
        described = str(attrs.get("aria-describedby", "")).split()
        attrs["aria-describedby"] = " ".join([ERROR_ID, *(d for d in described if d != ERROR_ID)])
        if name == focus:
            attrs["autofocus"] = True


class SignInForm(AuthenticationForm):
    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "spellcheck": "false"}
        )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
                "aria-describedby": "token-help",
            }
        ),
    )

    def clean_token(self) -> str:
        token = "".join(str(self.cleaned_data["token"]).split())
        if not (token.isascii() and token.isdigit() and len(token) == 6):
            raise forms.ValidationError(
                _("Enter the 6-digit code shown in your authenticator app.")
            )
        return token
