"""Check digits for library card and item barcodes.

Japanese public libraries usually print their patron cards and item labels as NW-7 (Codabar)
barcodes. NW-7 itself defines no check digit, so each library (or the vendor of its previous
system) picked one of a handful of schemes. Shōka stores barcodes as text (leading zeros are
significant) and lets every library configure the scheme it uses. The check digit is always the
last character of the barcode and is always a decimal digit.

Schemes (weights are applied from the rightmost digit of the *body*, i.e. the number without its
check digit):

``none``
    No check digit. Any non-empty string of digits is valid.

``mod10_w21`` — モジュラス10 ウェイト2・1 分割 (Luhn)
    Weights 2, 1, 2, 1, … from the right; when a product has two digits its digits are added
    (16 → 1 + 6). check = (10 − sum mod 10) mod 10. This is exactly the Luhn algorithm
    (computed with :mod:`stdnum.luhn`).

``mod10_w21_nosplit`` — モジュラス10 ウェイト2・1 一括
    As above but the products are added as they are (16 counts as 16).

``mod11`` — モジュラス11 ウェイト2〜7
    Weights 2, 3, 4, 5, 6, 7, 2, 3, … from the right, products added; r = sum mod 11;
    check = 11 − r, except that remainders 0 and 1 (which would give 11 and 10) both give check
    digit 0. This is the convention of Japanese business systems ("剰余が0,1の場合,
    チェックディジットは0とする"); the check digit is therefore always a digit and never "X".
    The price is that a few single-digit errors go undetected (those that move the remainder
    between 0 and 1).

``7dr`` — 7DR (7 Divide Remainder, セブンチェック)
    The body read as a decimal number, check = number mod 7 (so only 0–6 occur).

``7dsr`` — 7DSR (7 Divide Subtract Remainder)
    check = 7 − (number mod 7), except that remainder 0 gives check digit 0 (not 7); in other
    words check = (7 − number mod 7) mod 7, the smallest digit that added to the body's value
    gives a multiple of 7. Only 0–6 occur, so a body never has two valid spellings (a barcode
    ending in 7 is always rejected). Barcodes printed by software that writes 7 for remainder 0
    would need re-labelling or a separate scheme.

Sources: AIM Japan's NW-7 page (aimjal.co.jp, M10W21 分割/一括 with worked example 12345678 →
2 / 4); Hitachi SEWB+ standard subroutine LXRPIZ04 (weights 2–7 repeating from the right,
remainder 0/1 → 0, example 12345 → 5); 7DR worked examples (123456 → 4, 12345678901 → 3) from
label and courier documentation; DSR defined as "modulus minus the DR check digit"
(polylabel.com). 7DR and 7DSR cannot detect a body digit replaced by one differing by 7
(0↔7, 1↔8, 2↔9), because 7·10ᵏ ≡ 0 (mod 7).
"""

from __future__ import annotations

from enum import StrEnum

from stdnum import luhn

__all__ = [
    "CheckDigitError",
    "CheckDigitScheme",
    "compute_check_digit",
    "is_valid",
    "strip_codabar",
    "validate",
    "with_check_digit",
]

_DIGITS = frozenset("0123456789")
_CODABAR_START_STOP = frozenset("ABCDabcd")
_MOD11_WEIGHTS = (2, 3, 4, 5, 6, 7)


class CheckDigitScheme(StrEnum):
    """Check-digit scheme of a library's barcodes (stored in configuration as its value)."""

    NONE = "none"
    MOD10_W21 = "mod10_w21"
    MOD10_W21_NOSPLIT = "mod10_w21_nosplit"
    MOD11 = "mod11"
    SEVEN_DR = "7dr"
    SEVEN_DSR = "7dsr"


class CheckDigitError(ValueError):
    """A barcode is malformed or its check digit is wrong."""


def _scheme(scheme: CheckDigitScheme | str) -> CheckDigitScheme:
    return scheme if isinstance(scheme, CheckDigitScheme) else CheckDigitScheme(scheme)


def _require_digits(text: str, what: str) -> None:
    if not text:
        raise CheckDigitError(f"{what} is empty")
    bad = sorted({ch for ch in text if ch not in _DIGITS})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise CheckDigitError(f"{what} contains non-digit characters: {shown}")


def _mod10_w21_nosplit(body: str) -> str:
    total = sum(int(ch) * (2 if i % 2 == 0 else 1) for i, ch in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def _mod11_w27(body: str) -> str:
    total = sum(
        int(ch) * _MOD11_WEIGHTS[i % len(_MOD11_WEIGHTS)] for i, ch in enumerate(reversed(body))
    )
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


def _mod7(body: str) -> int:
    # Digit by digit, so arbitrarily long bodies never hit int-from-str limits.
    remainder = 0
    for ch in body:
        remainder = (remainder * 10 + int(ch)) % 7
    return remainder


def compute_check_digit(scheme: CheckDigitScheme | str, body: str) -> str:
    """Return the check digit for ``body`` (``""`` for scheme ``none``).

    ``body`` must be a non-empty string of ASCII digits; leading zeros count.
    """
    scheme = _scheme(scheme)
    _require_digits(body, "barcode body")
    match scheme:
        case CheckDigitScheme.NONE:
            return ""
        case CheckDigitScheme.MOD10_W21:
            return luhn.calc_check_digit(body)
        case CheckDigitScheme.MOD10_W21_NOSPLIT:
            return _mod10_w21_nosplit(body)
        case CheckDigitScheme.MOD11:
            return _mod11_w27(body)
        case CheckDigitScheme.SEVEN_DR:
            return str(_mod7(body))
        case CheckDigitScheme.SEVEN_DSR:
            return str((7 - _mod7(body)) % 7)


def with_check_digit(scheme: CheckDigitScheme | str, body: str) -> str:
    """Return ``body`` followed by its check digit (``body`` itself for scheme ``none``)."""
    return body + compute_check_digit(scheme, body)


def validate(scheme: CheckDigitScheme | str, number: str) -> None:
    """Raise :class:`CheckDigitError` unless ``number`` (body + check digit) is valid.

    The number must already be free of NW-7 start/stop characters (see :func:`strip_codabar`).
    """
    scheme = _scheme(scheme)
    _require_digits(number, "barcode")
    if scheme is CheckDigitScheme.NONE:
        return
    if len(number) < 2:
        raise CheckDigitError(
            f"barcode {number!r} is too short to carry a {scheme.value} check digit"
        )
    body, given = number[:-1], number[-1]
    expected = compute_check_digit(scheme, body)
    if given != expected:
        raise CheckDigitError(
            f"wrong check digit in {number!r} ({scheme.value}): got {given}, expected {expected}"
        )


def is_valid(scheme: CheckDigitScheme | str, number: str) -> bool:
    """Whether ``number`` (body + check digit) is well formed and its check digit is right."""
    try:
        validate(scheme, number)
    except CheckDigitError:
        return False
    return True


def strip_codabar(text: str) -> str:
    """Strip surrounding whitespace and the NW-7 start/stop characters (A–D, either case).

    Scanners can be set to transmit the start and stop characters (``A1234567890B``); only one
    character is removed from each end, and each end independently, so a scanner that transmits
    only the start character also works. The digits in between are returned unchanged.
    """
    text = text.strip()
    if text[:1] in _CODABAR_START_STOP:
        text = text[1:]
    if text[-1:] in _CODABAR_START_STOP:
        text = text[:-1]
    return text
