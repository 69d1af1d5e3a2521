"""Detection rules that the corpus does not isolate: My Number needs a context, a catalogue
column of ISBNs does not hide patron columns, names need a label, an honorific or company."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from stdnum.jp import in_ as my_number

from shoka.audit.scan import tables
from shoka.audit.scan.records import Tally
from shoka.audit.scan.text import TextScanner
from shoka.demo.people import DemoPerson, generate_people, municipality_postal_codes


@pytest.fixture(scope="module")
def people() -> list[DemoPerson]:
    codes = municipality_postal_codes("宮崎県", "えびの市")
    crowd = generate_people(31, 40, today=dt.date(2010, 5, 1), postal_codes=codes)
    return [p for p in crowd if p.category != "group"][:30]


def _my_number(rng: random.Random) -> str:
    body = "".join(str(rng.randint(0, 9)) for _ in range(11))
    return body + my_number.calc_check_digit(body)


def _scan_rows(rows: list[list[str]], header: list[str] | None = None) -> Tally:
    tally = Tally()
    tables.scan_rows(rows, tally, header=header)
    return tally


def test_my_number_needs_a_header_or_a_label(people):
    rng = random.Random(1)
    rows = [[p.name, p.phone, _my_number(rng)] for p in people]
    assert "my_number" not in _scan_rows(rows).attributes  # twelve digits alone: no context
    labelled = _scan_rows(rows, header=["氏名", "電話", "個人番号"])
    assert "my_number" in labelled.attributes
    text = Tally()
    scanner = TextScanner(text)
    for p in people:
        scanner.feed(f"氏名：{p.name}　マイナンバー：{_my_number(rng)}\n")
    scanner.flush()
    assert text.attributes == {"name", "my_number"} and text.records == len(people)
    unlabelled = Tally()
    scanner = TextScanner(unlabelled)
    for p in people:
        scanner.feed(f"氏名：{p.name}　番号 {_my_number(rng)}\n")  # twelve digits, no label
    scanner.flush()
    assert "my_number" not in unlabelled.attributes
    invalid = _scan_rows(
        [[p.name, p.phone, str(int(_my_number(rng)) ^ 1).zfill(12)] for p in people],
        header=["氏名", "電話", "個人番号"],
    )
    assert "my_number" not in invalid.attributes  # a header, but wrong check digits


def test_a_loans_export_with_isbns_is_still_personal(people):
    rng = random.Random(2)
    rows = [
        [f"1{i:07d}", p.name, f"978410101{rng.randint(0, 999):03d}", "こころ", "2010-04-01"]
        for i, p in enumerate(people)
    ]
    tally = _scan_rows(rows, header=["利用者番号", "氏名", "ISBN", "書名", "貸出日"])
    assert tally.attributes == {"patron_id", "name", "loan_title", "loan_date"}
    assert tally.records == tally.persons == len(people)


def test_authors_in_a_catalogue_are_not_patrons(people):
    rows = [[p.name, p.name_kana, p.address, "913.6"] for p in people]
    assert _scan_rows(rows, header=["著者", "著者ヨミ", "出版者住所", "NDC"]).records == 0
    assert _scan_rows(rows).records == 0  # no header: the call-number column tells


def test_without_the_catalogue_columns_the_same_people_are_personal(people):
    rows = [[p.name, p.name_kana, p.address] for p in people]
    tally = _scan_rows(rows)
    assert tally.attributes == {"name", "kana", "address"}
    assert tally.origin() == "宮崎県えびの市"


def test_a_name_alone_in_prose_is_not_a_record(people):
    tally = Tally()
    scanner = TextScanner(tally)
    for p in people[:5]:
        scanner.feed(f"{p.name} さんから寄贈がありました。\n")  # a name, nothing else
        scanner.feed(f"{p.name} 0984-33-0001\n")  # a name and one more fact: not enough
    scanner.flush()
    assert tally.records == 0


def test_age_bands_are_not_ages():
    rows = [["0-6歳", "120"], ["7-12歳", "340"], ["70歳以上", "88"]]
    assert _scan_rows(rows, header=["年齢", "人数"]).records == 0


def test_past_the_key_limit_memory_stays_bounded_and_persons_is_an_upper_bound(monkeypatch):
    from shoka.audit.scan import records

    monkeypatch.setattr(records, "MAX_KEYS", 4)
    tally = Tally()
    for card in ("1", "2", "3", "1", "4", "5", "5"):
        tally.add(records.Record({"patron_id", "loan_date"}, patron_id=card))
    assert tally.records == 7
    assert tally.persons == 6  # 1, 2, 3 and 4 exactly; 5 twice (not stored): counted twice
    assert not tally.persons_exact
    assert len(tally._parent) == 4


def test_labels_in_any_case_and_birth_dates_marked_as_births(people):
    tally = Tally()
    scanner = TextScanner(tally)
    for p in people:
        assert p.birth_date is not None
        born = f"{p.birth_date.year}年{p.birth_date.month}月{p.birth_date.day}日生"
        scanner.feed(f"氏名：{p.name}　Tel: {p.phone}　{born}\n")
        # A date that is not marked as a birth is not a birth date: a name alone is no record.
        scanner.feed(f"{p.name} 様　貸出中の資料があります（{born.removesuffix('生')}）\n")
    scanner.flush()
    assert tally.records == len(people)
    assert tally.attributes == {"name", "phone", "birth_date"}


@pytest.mark.parametrize(
    ("header", "attribute"),
    [
        ("氏名", "name"),
        ("名前", "name"),
        ("フリガナ", "kana"),
        ("ﾌﾘｶﾞﾅ", "kana"),
        ("カナ", "kana"),
        ("ヨミ", "kana"),
        ("住所", "address"),
        ("〒", "postal_code"),
        ("郵便番号", "postal_code"),
        ("電話", "phone"),
        ("TEL", "phone"),
        ("携帯", "phone"),
        ("メールアドレス", "email"),
        ("生年月日", "birth_date"),
        ("年齢", "age"),
        ("保護者", "guardian"),
        ("続柄", "guardian"),
        ("個人番号", "my_number"),
        ("利用者番号", "patron_id"),
        ("書名", "loan_title"),
        ("貸出日", "loan_date"),
        ("返却期限", "loan_date"),
        ("shimei", "name"),
        ("jusho", "address"),
        ("seinengappi", "birth_date"),
        ("ISBN", tables.CATALOGUE),
        ("著者ヨミ", tables.CATALOGUE),  # an author's reading, not a patron's
        ("出版者住所", tables.CATALOGUE),
        ("利用者数", None),
    ],
)
def test_column_headers_name_their_attribute(header, attribute):
    assert tables.header_attribute(header) == attribute
