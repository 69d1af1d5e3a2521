"""Recognisers for single values: phone numbers, postal codes, dates (Western and Japanese era),
My Number, e-mail addresses, kana readings, personal names and addresses.

Every function takes text that went through :func:`norm` (NFKC: full-width digits and Latin
letters become ASCII, half-width kana become full-width). Patterns never rely on ASCII word
boundaries (``\\b`` sees no boundary between a digit and a kanji); they use explicit digit
look-arounds instead.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from typing import Final

import phonenumbers
from stdnum.jp import in_ as my_number_check

from shoka.audit.scan import places

__all__ = [
    "find_dates",
    "find_phones",
    "find_postal_codes",
    "is_address",
    "is_email",
    "is_kana_name",
    "is_my_number",
    "is_person_name",
    "norm",
    "parse_date",
    "valid_phone",
    "valid_postal_code",
]


def norm(text: str) -> str:
    """NFKC, with the dashes and long-vowel look-alikes used in numbers folded to ``-``."""
    if text.isascii():
        return text.strip()
    text = unicodedata.normalize("NFKC", text)
    if _DASHES.search(text):
        text = _DASHES.sub("-", text)
    if "ー" in text:  # 090ー1234ー5678, typed with the IME's long-vowel mark
        text = _LONG_VOWEL_DASH.sub("-", text)
    return text.strip()


_DASHES: Final = re.compile("[‐‑–—−―]")
_LONG_VOWEL_DASH: Final = re.compile("(?<=[0-9])ー(?=[0-9])")

# -- phone numbers -----------------------------------------------------------------------------

# A candidate: +81 or 0, then digits with at most one separator (hyphen, space, parentheses)
# between groups. phonenumbers decides whether it is a real Japanese number.
_PHONE_RE: Final = re.compile(
    r"(?<![0-9.\-])(?:\+81[ \-]?\(?0?\)?|\(0|0)[0-9]{1,4}(?:[ \-()]{1,2}[0-9]{1,4}){0,2}"
    r"(?:[ \-()]{1,2}[0-9]{3,4})(?![0-9\-])"
    r"|(?<![0-9.\-])0[0-9]{9,10}(?![0-9])"
)


@lru_cache(maxsize=65536)
def valid_phone(text: str) -> bool:
    """A valid Japanese number (fixed line, mobile, 050 IP, toll-free, …)."""
    digits = re.sub(r"[^0-9+]", "", text)
    if len(digits) < 10:
        return False
    try:
        number = phonenumbers.parse(text, "JP")
    except phonenumbers.NumberParseException:
        return False
    return number.country_code == 81 and phonenumbers.is_valid_number(number)


def find_phones(text: str) -> list[str]:
    """Valid Japanese numbers in ``text``. A fast regex proposes candidates; a candidate that
    is not valid as a whole (``090-1234-5678 1977`` — a number followed by a year) is handed
    to phonenumbers' own matcher, which finds the number inside it."""
    found = []
    for match in _PHONE_RE.finditer(text):
        candidate = match.group(0)
        if valid_phone(candidate):
            found.append(candidate)
        elif len(candidate) > 12:
            matcher = phonenumbers.PhoneNumberMatcher(
                candidate, "JP", leniency=phonenumbers.Leniency.VALID
            )
            found += [m.raw_string for m in matcher]
    return found


@lru_cache(maxsize=65536)
def phone_area(text: str) -> str | None:
    """The municipality a fixed-line number's area code points to (None for mobiles or when
    the area spans several municipalities)."""
    try:
        number = phonenumbers.parse(text, "JP")
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.FIXED_LINE:
        return None
    from phonenumbers import geocoder

    return places.municipality_of_area(geocoder.description_for_number(number, "ja"))


# -- postal codes --------------------------------------------------------------------------------

_POSTAL_RE: Final = re.compile(r"(?:〒 ?|(?<![0-9\-]))([0-9]{3})-([0-9]{4})(?![0-9\-])")
_POSTAL_MARKED_RE: Final = re.compile(r"〒 ?([0-9]{3})-?([0-9]{4})(?![0-9])")


def valid_postal_code(text: str) -> bool:
    digits = text.replace("〒", "").replace("-", "").strip()
    return len(digits) == 7 and digits.isdigit() and places.postal_town(digits) is not None


def find_postal_codes(text: str) -> list[str]:
    found = {m.group(1) + m.group(2) for m in _POSTAL_MARKED_RE.finditer(text)}
    found |= {m.group(1) + m.group(2) for m in _POSTAL_RE.finditer(text)}
    return [code for code in found if places.postal_town(code) is not None]


# -- e-mail --------------------------------------------------------------------------------------

EMAIL_RE: Final = re.compile(
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)


def is_email(text: str) -> bool:
    return EMAIL_RE.fullmatch(text) is not None


# -- dates ---------------------------------------------------------------------------------------

_ERAS: Final = {
    "明治": 1867,
    "M": 1867,
    "大正": 1911,
    "T": 1911,
    "昭和": 1925,
    "S": 1925,
    "平成": 1988,
    "H": 1988,
    "令和": 2018,
    "R": 2018,
}
_ERA_LAST: Final = {1867: 45, 1911: 15, 1925: 64, 1988: 31, 2018: 99}
_KANJI_DIGITS: Final = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_NUM: Final = r"(?:[0-9]{1,2}|元|[〇一二三四五六七八九十]{1,3})"
_ERA_RE: Final = re.compile(
    rf"(明治|大正|昭和|平成|令和|(?<![A-Za-z])[MTSHR]) ?({_NUM}) ?[年./\-] ?({_NUM}) ?[月./\-] ?"
    rf"({_NUM})(?![0-9])日?"
)
_ERA_COMPACT_RE: Final = re.compile(
    r"(?<![A-Za-z0-9])([MTSHR])([0-9]{2})([0-9]{2})([0-9]{2})(?![0-9])"
)
_WESTERN_RE: Final = re.compile(
    r"(?<![0-9])((?:18|19|20)[0-9]{2}) ?[年./\-] ?([0-9]{1,2}) ?[月./\-] ?([0-9]{1,2})(?![0-9])日?"
)
_WESTERN_COMPACT_RE: Final = re.compile(
    r"(?<![0-9])((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])(?![0-9])"
)


def _number(text: str) -> int:
    if text == "元":
        return 1
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _KANJI_DIGITS.get(tens, 1) * 10 + (_KANJI_DIGITS.get(ones, 0) if ones else 0)
    return int("".join(str(_KANJI_DIGITS[c]) for c in text))


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _era_date(era: str, year: str, month: str, day: str) -> dt.date | None:
    base = _ERAS[era]
    number = _number(year)
    if not 1 <= number <= _ERA_LAST[base]:
        return None
    return _date(base + number, _number(month), _number(day))


def find_dates(text: str, *, compact: bool = False) -> list[dt.date]:
    """Full dates (day included) in ``text``: ``1980-04-01``, ``1980年4月1日``, ``昭和55年4月1日``,
    ``S55.4.1``, ``平成元年一月八日``; with ``compact`` also ``19800401`` and ``S550401``."""
    found: list[dt.date | None] = []
    found += [_era_date(*m.groups()) for m in _ERA_RE.finditer(text)]
    found += [_date(int(y), int(m), int(d)) for y, m, d in _WESTERN_RE.findall(text)]
    if compact:
        found += [_era_date(*m.groups()) for m in _ERA_COMPACT_RE.finditer(text)]
        found += [_date(int(y), int(m), int(d)) for y, m, d in _WESTERN_COMPACT_RE.findall(text)]
    return [d for d in found if d is not None]


def parse_date(text: str) -> dt.date | None:
    """The date a whole cell holds, in any of the forms :func:`find_dates` knows."""
    found = find_dates(text, compact=True)
    return found[0] if len(found) == 1 and len(text) <= 24 else None


# -- My Number -----------------------------------------------------------------------------------


def is_my_number(text: str) -> bool:
    """Twelve digits (spaces or hyphens allowed) with a valid check digit. Callers must also
    see a context (a column header or a label): one random 12-digit number in 11 passes."""
    digits = re.sub(r"[ \-]", "", text)
    return len(digits) == 12 and digits.isdigit() and my_number_check.is_valid(digits)


MY_NUMBER_RE: Final = re.compile(r"(?<![0-9])[0-9]{4}[ \-]?[0-9]{4}[ \-]?[0-9]{4}(?![0-9])")

# -- names, readings, addresses ------------------------------------------------------------------

_KANJI: Final = "一-鿿々〆ヶ"
_KANA_NAME_RE: Final = re.compile(
    r"[ァ-ヺー]{1,12}(?: [ァ-ヺー]{1,12})?|[ぁ-ゖー]{1,12}(?: [ぁ-ゖー]{1,12})?"
)
_NAME_RE: Final = re.compile(rf"[{_KANJI}]{{1,4}} ?[{_KANJI}ぁ-ゖァ-ヺー]{{1,5}}")
# In running text a name needs the space between family and given name.
NAME_IN_TEXT: Final = rf"[{_KANJI}]{{1,4}} [{_KANJI}ぁ-ゖァ-ヺー]{{1,5}}"
_NOT_NAMES: Final = re.compile(
    r"図書館|市役所|役場|学校|会社|センター|協会|課|係|株式|有限|[市区町村県都府]立"
)


def is_kana_name(text: str) -> bool:
    """A reading: katakana or hiragana only, at most one space (NFKC turned half-width kana
    into full-width ones already)."""
    return len(text) >= 2 and _KANA_NAME_RE.fullmatch(text) is not None


def is_person_name(text: str) -> bool:
    """The shape of a Japanese personal name: 1–4 kanji, an optional space, 1–5 kanji or kana,
    and none of the words that make it an organisation."""
    return _NAME_RE.fullmatch(text) is not None and _NOT_NAMES.search(text) is None


_BLOCK_RE: Final = re.compile(r"[0-9一二三四五六七八九十]+ ?(?:丁目|番地?|号|-[0-9])")


def is_address(text: str) -> bool:
    """An address with a municipality and a block number (``松本市中央1丁目2-3``)."""
    if len(text) < 6 or _BLOCK_RE.search(text) is None:
        return False
    return places.municipality_in(text) is not None
