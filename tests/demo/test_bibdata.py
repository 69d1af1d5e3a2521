"""The synthetic catalogue of ``shoka demo``: deterministic, valid ISBNs, katakana readings."""

from __future__ import annotations

import dataclasses
import itertools
import re
import time
from collections import Counter

import pytest

from shoka.demo.bibdata import (
    MATERIAL_TYPES,
    ROLES,
    DemoBib,
    call_number,
    generate_bibs,
    is_valid_isbn13,
    isbn13_check_digit,
)

READING_RE = re.compile(r"[ァ-ヴー0-9]+(?: [ァ-ヴー0-9]+)*")
AUTHOR_READING_RE = re.compile(r"[ァ-ヴー]+, [ァ-ヴー]+")
NDC_RE = re.compile(r"[0-9]{3}(?:\.[0-9]+)?")
SEED = 20261122


@pytest.fixture(scope="module")
def bibs() -> list[DemoBib]:
    return generate_bibs(SEED, 3000)


def test_same_seed_same_records_and_different_seed_different_records() -> None:
    first = generate_bibs(42, 400)
    assert first == generate_bibs(42, 400)
    other = generate_bibs(43, 400)
    assert other != first
    assert [b.title for b in other] != [b.title for b in first]


def test_count() -> None:
    assert generate_bibs(1, 0) == []
    assert len(generate_bibs(1, 1)) == 1
    assert len(generate_bibs(1, 777)) == 777
    with pytest.raises(ValueError):
        generate_bibs(1, -1)


def test_records_are_frozen(bibs: list[DemoBib]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        bibs[0].title = "x"  # type: ignore[misc]


def test_check_digit() -> None:
    assert isbn13_check_digit("978030640615") == "7"
    assert isbn13_check_digit("978483991236") == "9"  # 978-4-8399-1236-9
    assert is_valid_isbn13("9784839912369")
    assert not is_valid_isbn13("9784839912360")
    assert not is_valid_isbn13("4839912360")
    with pytest.raises(ValueError):
        isbn13_check_digit("97848399123")


def test_every_isbn_is_valid_japanese_and_unique(bibs: list[DemoBib]) -> None:
    isbns = [isbn for b in bibs for isbn in b.isbns]
    assert len(isbns) > 2000
    assert len(set(isbns)) == len(isbns)
    for isbn in isbns:
        assert isbn.startswith("9784"), isbn
        assert is_valid_isbn13(isbn), isbn


def test_isbns_agree_with_python_stdnum(bibs: list[DemoBib]) -> None:
    stdnum_isbn = pytest.importorskip("stdnum.isbn")
    for b in bibs[:500]:
        for isbn in b.isbns:
            assert stdnum_isbn.is_valid(isbn), isbn
            assert stdnum_isbn.format(isbn).startswith("978-4-")


def test_publisher_registrant_codes_are_prefix_free() -> None:
    from shoka.demo.bibdata import _EN_PUBLISHERS, _JA_PUBLISHERS

    publishers = _JA_PUBLISHERS + _EN_PUBLISHERS
    codes = [p.registrant for p in publishers]
    assert len(set(codes)) == len(codes)
    assert len({p.name for p in publishers}) == len(publishers)
    for code in codes:
        # group-4 ranges 200-699 (3 digits) and 7000-8499 (4 digits)
        assert (len(code) == 3 and 200 <= int(code) <= 699) or (
            len(code) == 4 and 7000 <= int(code) <= 8499
        ), code
        assert not any(other != code and other.startswith(code) for other in codes)
    for p in _JA_PUBLISHERS:
        assert p.name.endswith(("社", "書房", "出版", "書店")), p.name


def test_which_records_have_isbns(bibs: list[DemoBib]) -> None:
    for b in bibs:
        if b.year < 1981 or b.material_type in ("magazine", "cd", "dvd", "daisy"):
            assert b.isbns == (), b
    assert any(len(b.isbns) == 2 for b in bibs)  # a set ISBN on a first volume
    assert all(len(b.isbns) <= 2 for b in bibs)
    with_isbn = sum(1 for b in bibs if b.isbns) / len(bibs)
    assert 0.8 < with_isbn < 0.97


def test_japanese_readings_are_katakana_words(bibs: list[DemoBib]) -> None:
    for b in bibs:
        if b.language == "eng":
            assert b.title_reading == ""
            assert b.publisher_reading == ""
            continue
        assert READING_RE.fullmatch(b.title_reading), b.title_reading
        assert READING_RE.fullmatch(b.publisher_reading), b.publisher_reading
        for text, reading in (
            (b.subtitle, b.subtitle_reading),
            (b.volume, b.volume_reading),
            (b.series, b.series_reading),
        ):
            assert bool(text) == bool(reading), (text, reading)
            if reading:
                assert READING_RE.fullmatch(reading), reading
        # NDL reading rules: ヂ/ヅ are recorded as ジ/ズ.
        assert "ヂ" not in b.title_reading and "ヅ" not in b.title_reading


def test_reading_rules_for_particles_and_numbers(bibs: list[DemoBib]) -> None:
    checked = Counter[str]()
    for b in bibs:
        if b.language != "jpn":
            continue
        if b.title.endswith("へ") and b.title not in ("へ",):
            assert b.title_reading.endswith(" エ"), b
            checked["he"] += 1
        if b.title.endswith("はどこ？"):
            assert b.title_reading.endswith(" ワ ドコ"), b
            checked["wa"] += 1
        if re.fullmatch(r"第[0-9]+巻", b.volume):
            assert b.volume_reading == f"ダイ{b.volume[1:-1]}カン"
            assert b.volume_number == int(b.volume[1:-1])
            checked["vol"] += 1
    assert checked["he"] and checked["wa"] and checked["vol"], checked


def test_authors(bibs: list[DemoBib]) -> None:
    for b in bibs:
        for author in b.authors:
            assert author.role in ROLES
            if b.language == "eng":
                assert author.reading == ""
                family, given = author.heading.split(", ")
                assert author.name == f"{given} {family}"
                assert author.name in b.responsibility
            else:
                assert AUTHOR_READING_RE.fullmatch(author.reading), author
                assert author.name.replace(" ", "") in b.responsibility
                assert f" {author.role}" in b.responsibility
        if b.language == "eng":
            continue
        for author in (a for a in b.authors if " " in a.name):
            family, given = author.name.split(" ")
            assert author.heading == f"{family}, {given}"


def test_author_marks(bibs: list[DemoBib]) -> None:
    without_author = 0
    for b in bibs:
        if b.language == "eng":
            assert b.authors
            assert b.author_mark == b.authors[0].heading[0].upper()
        elif b.authors:
            assert b.author_mark == b.authors[0].reading[0]
        else:
            without_author += 1
            first = re.search(r"[ァ-ヶ]", b.title_reading)
            assert first is not None
            assert b.author_mark == first.group()
        assert len(b.author_mark) == 1
    assert without_author > 0


def test_classification(bibs: list[DemoBib]) -> None:
    for b in bibs:
        assert NDC_RE.fullmatch(b.ndc), b.ndc
        assert b.ndc_edition == ("10" if b.year >= 2019 else "9")
        assert 1970 <= b.year <= 2026
        assert b.material_type in MATERIAL_TYPES
        assert b.language in ("jpn", "eng")
        if b.material_type == "picture_book":
            assert b.ndc == "726.6"
            assert b.juvenile
        if b.ndc.startswith("913.6") or b.material_type in ("picture_book", "kamishibai"):
            assert b.subjects == ()
    assert sum(1 for b in bibs if b.subjects) > len(bibs) / 3


def test_call_numbers(bibs: list[DemoBib]) -> None:
    for b in bibs:
        label = call_number(b)
        parts = label.split(" ")
        if b.material_type == "picture_book":
            assert parts[0] == "E"
        elif b.material_type == "kamishibai":
            assert parts[0] == "K"
        elif b.ndc.startswith("913.6"):
            assert parts[0] == "F"
        else:
            assert parts[0] == b.ndc
        assert parts[1] == b.author_mark
        if b.volume_number is None:
            assert len(parts) == 2
        else:
            assert parts[2] == str(b.volume_number)


def test_call_number_examples(bibs: list[DemoBib]) -> None:
    base = bibs[0]
    history = dataclasses.replace(
        base, material_type="book", ndc="210.1", author_mark="ヤ", volume_number=3
    )
    assert call_number(history) == "210.1 ヤ 3"
    picture = dataclasses.replace(history, material_type="picture_book", volume_number=None)
    assert call_number(picture) == "E ヤ"
    novel = dataclasses.replace(history, ndc="913.6", volume_number=2)
    assert call_number(novel) == "F ヤ 2"
    classic = dataclasses.replace(history, ndc="913.36", volume_number=None)
    assert call_number(classic) == "913.36 ヤ"


def test_proportions(bibs: list[DemoBib]) -> None:
    kinds = Counter(b.material_type for b in bibs)
    assert set(kinds) == set(MATERIAL_TYPES)
    assert kinds["book"] / len(bibs) > 0.7
    english = sum(1 for b in bibs if b.language == "eng") / len(bibs)
    assert 0.1 < english < 0.2
    fiction = sum(1 for b in bibs if b.ndc.startswith("913.6")) / len(bibs)
    assert 0.1 < fiction < 0.35
    assert sum(1 for b in bibs if b.year >= 2016) > len(bibs) / 2  # skewed recent


def test_multi_volume_sets_are_consecutive(bibs: list[DemoBib]) -> None:
    for previous, current in itertools.pairwise(bibs):
        if current.volume_number and current.volume_number > 1 and current.material_type == "book":
            assert previous.title == current.title
            assert previous.volume_number == current.volume_number - 1


def test_timing_5000() -> None:
    start = time.perf_counter()
    bibs = generate_bibs(7, 5000)
    elapsed = time.perf_counter() - start
    print(f"generate_bibs(7, 5000): {elapsed:.2f} s")
    assert len(bibs) == 5000
    assert elapsed < 30
