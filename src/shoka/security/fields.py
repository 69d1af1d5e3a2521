"""Model fields whose values are encrypted at rest (AES-256-GCM, see crypto.py).

The Python value is plaintext (str or date); the column holds ciphertext bytes. Such a column
cannot be filtered on (only ``isnull``): exact-match lookups go through blind-index columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from .crypto import decrypt, encrypt, key_version
from .keyring import get_keyring, reset_keyring_cache


class EncryptedTextField(models.BinaryField):
    description = "Text encrypted with AES-256-GCM"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self._aad = f"{cls._meta.label_lower}.{name}"

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    # plaintext <-> str
    def to_plain(self, value: Any) -> str:
        return str(value)

    def from_plain(self, text: str) -> Any:
        return text

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(
                f"{self._aad} is encrypted: query it through its blind index, not {lookup_name!r}"
            )
        return super().get_lookup(lookup_name)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bytes | memoryview):  # already ciphertext (e.g. rotation)
            return super().get_db_prep_value(bytes(value), connection, prepared)
        blob = encrypt(get_keyring(), self.to_plain(value), self._aad)
        return super().get_db_prep_value(blob, connection, prepared)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        blob = bytes(value)
        ring = get_keyring()
        if key_version(blob) not in ring.data_keys:
            # Keys were rotated by another process since this one loaded them: reload once.
            reset_keyring_cache()
            ring = get_keyring()
        return self.from_plain(decrypt(ring, blob, self._aad))

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return self.from_plain(self.to_plain(value))

    def value_to_string(self, obj: Any) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else self.to_plain(value)

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        from django import forms

        return forms.CharField(required=not self.blank, **kwargs)

    @property
    def aad(self) -> str:
        return self._aad


class EncryptedDateField(EncryptedTextField):
    description = "Date encrypted with AES-256-GCM"

    def to_plain(self, value: Any) -> str:
        if isinstance(value, dt.date):
            return value.isoformat()
        return dt.date.fromisoformat(str(value)).isoformat()

    def from_plain(self, text: str) -> dt.date:
        return dt.date.fromisoformat(text)

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        from django import forms

        return forms.DateField(required=not self.blank, **kwargs)


class SealedBlobField(models.BinaryField):
    """Bytes the caller has sealed with the data key (``crypto.encrypt_bytes``) — a whole
    generated file, say — whose plaintext may hold personal data. ``holds`` names the kinds
    of personal data it may contain (the attribute words of shoka.audit.scan.records), so
    that the personal-data register lists the table without anyone decrypting it."""

    description = "Bytes sealed with AES-256-GCM by the caller"

    def __init__(self, *args: Any, holds: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.holds = tuple(holds)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["holds"] = self.holds
        return name, path, args, kwargs
