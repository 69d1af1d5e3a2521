"""Tests for shoka.patrons.contact (pure functions, no database)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shoka.patrons.contact import (
    DEFAULT_AGE_BANDS,
    AgeBand,
    ContactError,
    PostalAddress,
    age_band,
    age_on,
    complete_address,
    format_phone_national,
    lookup_postal_code,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_postal_code,
    normalize_reading,
)

# --- postal codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1000001",
        "100-0001",
        "〒100-0001",
        "〒 100-0001",
        "１００－０００１",
        "〒１００ー０００１",  # katakana long-vowel mark typed for the hyphen
        "100‐0001",
        " 1000001\n",
    ],
)
def test_normalize_postal_code(text: str) -> None:
    assert normalize_postal_code(text) == "1000001"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "postal code is empty"),
        ("〒", "postal code is empty"),
        ("100-000", "has 6 digits; it must have 7"),
        ("100-00011", "has 8 digits; it must have 7"),
        ("1", "has 1 digits; it must have 7"),
        ("100-000A", "may contain only digits"),
        ("東京都千代田区", "may contain only digits"),
        ("100_0001", "may contain only digits"),
    ],
)
def test_malformed_postal_codes(text: str, message: str) -> None:
    with pytest.raises(ContactError, match=message):
        normalize_postal_code(text)
    with pytest.raises(ContactError, match=message):
        lookup_postal_code(text)


def test_lookup_chiyoda() -> None:
    address = lookup_postal_code("〒100-0001")
    assert address == PostalAddress(
        postal_code="1000001",
        prefecture="東京都",
        city="千代田区",
        neighborhood="千代田",
        prefecture_kana="トウキョウト",
        city_kana="チヨダク",
        neighborhood_kana="チヨダ",
        jisx0402="13101",
    )
    assert address.text == "東京都千代田区千代田"


def test_lookup_other_real_codes() -> None:
    sendai = lookup_postal_code("980-0811")
    assert sendai is not None
    assert sendai.text == "宮城県仙台市青葉区一番町"
    assert sendai.neighborhood_kana == "イチバンチョウ"
    assert sendai.jisx0402 == "04101"

    # "以下に掲載がない場合": the code covers the rest of the ward, no town.
    sapporo = lookup_postal_code("0600000")
    assert sapporo is not None
    assert sapporo.neighborhood == ""
    assert sapporo.text == "北海道札幌市中央区"
    assert sapporo.note == "以下に掲載がない場合"


def test_lookup_code_with_several_towns() -> None:
    address = lookup_postal_code("452-0961")
    assert address is not None
    assert address.text == "愛知県清須市春日明河原"
    towns = {alt.neighborhood for alt in address.alternatives}
    assert "春日杁前" in towns
    assert all(alt.alternatives == () for alt in address.alternatives)


def test_lookup_office_code() -> None:
    address = lookup_postal_code("100-8111")
    assert address is not None
    assert address.office_name == "宮内庁"
    assert address.text == "東京都千代田区千代田"
    assert address.jisx0402 == "13101"


@pytest.mark.parametrize("code", ["9999999", "000-0000"])
def test_lookup_unknown_code(code: str) -> None:
    assert lookup_postal_code(code) is None


def test_lookup_from_other_threads() -> None:
    results: list[str | None] = []

    def work() -> None:
        address = lookup_postal_code("1000001")
        results.append(address.text if address else None)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["東京都千代田区千代田"] * 4


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        ("1-1", "東京都千代田区千代田1-1"),
        ("  1-1 皇居 ", "東京都千代田区千代田1-1 皇居"),
        ("千代田1-1", "東京都千代田区千代田1-1"),
        ("千代田区千代田1-1", "東京都千代田区千代田1-1"),
        ("東京都千代田区千代田1-1", "東京都千代田区千代田1-1"),
        ("", "東京都千代田区千代田"),
    ],
)
def test_complete_address(rest: str, expected: str) -> None:
    assert complete_address("100-0001", rest) == expected


def test_complete_address_picks_the_matching_town() -> None:
    assert complete_address("4520961", "春日杁前1") == "愛知県清須市春日杁前1"
    assert complete_address("4520961", "1") == "愛知県清須市春日明河原1"


def test_complete_address_unknown_code() -> None:
    with pytest.raises(ContactError, match="unknown postal code 9999999"):
        complete_address("999-9999", "1-1")


# --- phone numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "e164", "national"),
    [
        ("090-1234-5678", "+819012345678", "090-1234-5678"),
        ("09012345678", "+819012345678", "090-1234-5678"),
        ("０９０－１２３４－５６７８", "+819012345678", "090-1234-5678"),
        ("080 1234 5678", "+818012345678", "080-1234-5678"),
        ("+81 90-1234-5678", "+819012345678", "090-1234-5678"),
        ("03-1234-5678", "+81312345678", "03-1234-5678"),
        ("(03)1234-5678", "+81312345678", "03-1234-5678"),
        ("（０３）１２３４－５６７８", "+81312345678", "03-1234-5678"),
        ("03(1234)5678", "+81312345678", "03-1234-5678"),
        ("06-6123-4567", "+81661234567", "06-6123-4567"),
        ("0120-123-456", "+81120123456", "0120-123-456"),
        ("050-1234-5678", "+815012345678", "050-1234-5678"),
    ],
)
def test_normalize_phone(text: str, e164: str, national: str) -> None:
    assert normalize_phone(text) == e164
    assert format_phone_national(e164) == national


def test_foreign_numbers() -> None:
    assert normalize_phone("+1 650-253-0000") == "+16502530000"
    assert format_phone_national("+16502530000") == "+1 650-253-0000"
    assert normalize_phone("(650) 253-0000", region="US") == "+16502530000"
    assert format_phone_national("+16502530000", region="US") == "(650) 253-0000"
    assert format_phone_national("+819012345678", region="US") == "+81 90-1234-5678"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "phone number is empty"),
        ("   ", "phone number is empty"),
        ("abc", "'abc' is not a phone number"),
        ("電話", "is not a phone number"),
        ("123", "too few digits"),
        ("1234-5678", "include the area code"),
        ("03-1234-567", "no such number is assigned"),
        ("090-0000-0000", "no such number is assigned"),
        ("090-1234-56789", "no such number is assigned"),
        ("03-1234-56789012345678", "is not a phone number"),
        ("+999 1234 5678", "is not a phone number"),
        ("03-1234-5678 ext. 12", "has an extension"),
    ],
)
def test_invalid_phone_numbers(text: str, message: str) -> None:
    with pytest.raises(ContactError, match=message):
        normalize_phone(text)


def test_format_phone_national_rejects_garbage() -> None:
    with pytest.raises(ContactError, match="is not a phone number"):
        format_phone_national("not a number")


# --- e-mail ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("taro@example.jp", "taro@example.jp"),
        ("  Taro.Yamada@Example.CO.JP \n", "Taro.Yamada@example.co.jp"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
        ("taro+library@mail.example.jp", "taro+library@mail.example.jp"),
        ("taro@図書館.jp", "taro@図書館.jp"),
    ],
)
def test_normalize_email(text: str, expected: str) -> None:
    assert normalize_email(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "e-mail address is empty"),
        ("   ", "e-mail address is empty"),
        ("taro", "the @ is missing"),
        ("taro.example.jp", "the @ is missing"),
        ("taro@", "is not a valid e-mail address"),
        ("@example.jp", "is not a valid e-mail address"),
        ("taro@@example.jp", "is not a valid e-mail address"),
        ("taro@example", "is not a valid e-mail address"),
        ("ta ro@example.jp", "is not a valid e-mail address"),
        ("taro@exa mple.jp", "is not a valid e-mail address"),
        ("たろう@example.jp", "is not a valid e-mail address"),
    ],
)
def test_invalid_emails(text: str, message: str) -> None:
    with pytest.raises(ContactError, match=message):
        normalize_email(text)


# --- readings and names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ヤマダ タロウ",
        "やまだ たろう",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        "ヤマダ　タロウ",
        "ヤマダ, タロウ",
        "やまだ・たろう",
    ],
)
def test_reading_forms_match(text: str) -> None:
    assert normalize_reading(text) == "ヤマダタロウ"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("スーパー", "スーパー"),
        ("ｽｰﾊﾟｰ", "スーパー"),
        ("す～ぱ〜", "スーパー"),
        ("ス‐パ-", "スーパー"),
        ("ジャン＝ポール・サルトル", "ジャンポールサルトル"),
        ("キャッシュ", "キャッシュ"),  # small kana are kept
        ("きゃっしゅ", "キャッシュ"),
        ("ｷｬｯｼｭ", "キャッシュ"),
        ("ゔぁいおりん", "ヴァイオリン"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
        ("か゛", "ガ"),  # spacing voiced mark
        ("ABC　ﾃﾞｰﾀ", "ABCデータ"),
        ("", ""),
    ],
)
def test_reading_examples(text: str, expected: str) -> None:
    assert normalize_reading(text) == expected


def test_small_kana_are_significant() -> None:
    assert normalize_reading("キヤ") != normalize_reading("キャ")


@given(st.text(max_size=30))
def test_normalize_reading_is_idempotent(text: str) -> None:
    once = normalize_reading(text)
    assert normalize_reading(once) == once


@given(st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3096), max_size=20))
def test_hiragana_and_katakana_readings_agree(text: str) -> None:
    katakana = "".join(chr(ord(ch) + 0x60) for ch in text)
    assert normalize_reading(text) == normalize_reading(katakana)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("山田 太郎", "山田太郎"),
        ("山田　太郎", "山田太郎"),
        (" 山田\t太郎\n", "山田太郎"),
        ("髙橋　ｱｷﾗ", "髙橋アキラ"),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "JohnSmith"),
        ("", ""),
    ],
)
def test_normalize_name(text: str, expected: str) -> None:
    assert normalize_name(text) == expected


@given(st.text(max_size=30))
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


# --- ages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2010, 4, 2), date(2024, 4, 1), 13),
        (date(2010, 4, 2), date(2024, 4, 2), 14),
        (date(2010, 4, 2), date(2010, 4, 2), 0),
        (date(1950, 12, 31), date(2025, 1, 1), 74),
        (date(2008, 2, 29), date(2025, 2, 28), 16),
        (date(2008, 2, 29), date(2025, 3, 1), 17),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
    ],
)
def test_age_on(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age


def test_age_on_before_birth() -> None:
    with pytest.raises(ValueError, match="before the birth date"):
        age_on(date(2020, 1, 2), date(2020, 1, 1))


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "0-5"),
        (5, "0-5"),
        (6, "6-12"),
        (12, "6-12"),
        (13, "13-15"),
        (15, "13-15"),
        (16, "16-18"),
        (18, "16-18"),
        (19, "19-29"),
        (29, "19-29"),
        (30, "30-39"),
        (45, "40-49"),
        (59, "50-59"),
        (69, "60-69"),
        (70, "70+"),
        (120, "70+"),
    ],
)
def test_age_band(age: int, band: str) -> None:
    assert age_band(age) == band


def test_age_band_rejects_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        age_band(-1)


def test_custom_age_bands() -> None:
    bands = (AgeBand(0, 17, "child"), AgeBand(18, 64, "adult"))
    assert age_band(17, bands) == "child"
    assert age_band(18, bands) == "adult"
    with pytest.raises(ValueError, match="no age band covers age 65"):
        age_band(65, bands)


@given(st.integers(min_value=0, max_value=150))
def test_default_bands_cover_every_age_once(age: int) -> None:
    matching = [b for b in DEFAULT_AGE_BANDS if b.low <= age and (b.high is None or age <= b.high)]
    assert len(matching) == 1
    assert age_band(age) == matching[0].label


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2050, 12, 31)).filter(
        lambda d: (d.month, d.day) != (2, 29)
    ),
    st.integers(min_value=1, max_value=120),
)
def test_age_goes_up_on_the_birthday(birth: date, years: int) -> None:
    birthday = birth.replace(year=birth.year + years)
    assert age_on(birth, birth) == 0
    assert age_on(birth, birthday) == years
    assert age_on(birth, date.fromordinal(birthday.toordinal() - 1)) == years - 1
