"""Tests for shoka.search.analysis (pure functions, no database)."""

from __future__ import annotations

import unicodedata

import jaconv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shoka.search.analysis import (
    cjk_chars,
    exact_key,
    is_cjk,
    isbn_terms,
    normalize,
    reading_sort_key,
    tokens,
)
from shoka.search.kanji_variants import variant_map

FAST = settings(max_examples=150, deadline=None)

# --- strategies --------------------------------------------------------------------------------

HIRAGANA = "".join(chr(c) for c in range(ord("ぁ"), ord("ゖ") + 1))
KATAKANA = "".join(chr(c) for c in range(ord("ァ"), ord("ヺ") + 1))
hiragana_text = st.text(alphabet=HIRAGANA + "ー", min_size=1, max_size=12)
kanji = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
# CJK letters without iteration marks and long-vowel marks (those depend on their neighbour).
plain_cjk_char = st.one_of(
    kanji, st.sampled_from([*HIRAGANA, *KATAKANA, *"國學齋髙﨑〆ｺﾛ", "ｶﾞ", "ﾊﾟ"])
)
plain_cjk_text = st.lists(plain_cjk_char, min_size=1, max_size=12)
cjk_text = st.lists(
    st.one_of(plain_cjk_char, st.sampled_from("々〻ゝゞヽヾー")), min_size=1, max_size=15
).map("".join)
separators = st.text(alphabet=" \u3000、。・「」『』,.!?？！", min_size=1, max_size=3)
word_char = st.one_of(
    plain_cjk_char, st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789ＡＢ１２")
)
SEION = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"


def is_contiguous_subsequence(needle: list[str], haystack: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


# --- 1. NFKC, case and width folding ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ｺｺﾛ", "ココロ"),
        ("ｶﾀｶﾅ", "カタカナ"),
        ("ｶﾞｯｺｳ", "ガツコウ"),
        ("ＡＢＣ１２３", "abc123"),
        ("ＡＢＣ", "abc"),
        ("Straße", "strasse"),
        ("Harry POTTER", "harry potter"),
    ],
)
def test_width_and_case_folding(text: str, expected: str) -> None:
    assert normalize(text) == expected


# --- 2. hiragana ⇄ katakana ----------------------------------------------------------------------


def test_hiragana_katakana_and_half_width_agree() -> None:
    assert normalize("こころ") == normalize("ココロ") == normalize("ｺｺﾛ") == "ココロ"
    assert tokens("ぐりとぐら") == tokens("グリトグラ") == tokens("ｸﾞﾘﾄｸﾞﾗ")


# --- 3. iteration marks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("こゝろ", "ココロ"),
        ("コヽロ", "ココロ"),
        ("いすゞ", "イスズ"),
        ("イスヾ", "イスズ"),
        ("時々", "時時"),
        ("佐々木", "佐佐木"),
        ("時〻", "時時"),
        ("々時", "時"),
        ("ゝこ", "コ"),
        ("ab々", "ab"),
    ],
)
def test_iteration_marks(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_iteration_mark_variants_match() -> None:
    assert exact_key("こゝろ") == exact_key("ココロ") == exact_key("こころ")
    assert tokens("時々") == tokens("時時")


# --- 4. long vowels, small kana, NDL reading conventions ----------------------------------------


def test_long_vowel_marks() -> None:
    forms = ["なぞぺー", "なぞぺｰ", "なぞぺ～", "なぞぺ〜", "なぞぺ~", "なぞぺ"]
    assert len({normalize(f) for f in forms}) == 1
    assert tokens("コンピューター") == tokens("コンピュータ")
    assert normalize("ラーメン") == normalize("らめん")


def test_small_kana_fold_to_large() -> None:
    assert normalize("しょう") == normalize("シヨウ") == "シヨウ"
    assert normalize("ァィゥェォッャュョヮヵヶ") == "アイウエオツヤユヨワカケ"
    assert normalize("ㇰㇱ") == "クシ"
    assert normalize("一ヶ月") == normalize("一ケ月")


def test_ndl_reading_folds() -> None:
    assert normalize("を") == normalize("ヲ") == "オ"
    assert normalize("ぢ") == "ジ"
    assert normalize("づ") == "ズ"
    assert normalize("ゐゑ") == "イエ"
    assert normalize("マルクスを読もう") == normalize("マルクスオ読もう")


def test_ha_wa_and_he_e_are_not_folded() -> None:
    # Documented limit: the particles は and へ are not folded.
    assert normalize("は") != normalize("わ")
    assert normalize("へ") != normalize("え")


# --- 5. old and variant kanji --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("國", "国"),
        ("澤", "沢"),
        ("邊", "辺"),
        ("邉", "辺"),
        ("學", "学"),
        ("會", "会"),
        ("圖", "図"),
        ("廣", "広"),
        ("齋", "斎"),
        ("齊", "斎"),
        ("髙", "高"),
        ("﨑", "崎"),
        ("嵜", "崎"),
        ("德", "徳"),
        ("𠮷", "吉"),
    ],
)
def test_old_forms_fold_to_new(old: str, new: str) -> None:
    assert normalize(old) == new


def test_modern_forms_are_unchanged() -> None:
    modern = "国沢辺学会図広斎高崎籠斉"
    assert normalize(modern) == modern


def test_variant_words_match() -> None:
    assert tokens("國學院") == tokens("国学院")
    assert tokens("齋藤") == tokens("斎藤") == tokens("齊藤")
    assert exact_key("髙橋") == exact_key("高橋")
    assert exact_key("山﨑") == exact_key("山崎")


def test_variant_table_is_one_to_one_and_final() -> None:
    table = variant_map()
    assert len(table) > 300
    targets = set(table.values())
    for old, new in table.items():
        assert len(old) == 1
        assert len(new) == 1
        assert old != new
        assert old not in targets  # no chains, so one pass of translate suffices
        assert unicodedata.normalize("NFKC", new) == new


# --- 6. punctuation and spacing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("山田太郎", "山田 太郎"),
        ("山田太郎", "山田　太郎"),
        ("山田太郎", "「山田太郎」"),
        ("若者よマルクスを読もう", "若者よ、マルクスを読もう"),
        ("チーズはどこへ消えた?", "チーズはどこへ消えた？"),
        ("チーズはどこへ消えた", "『チーズはどこへ消えた?』"),
        ("ロミオとジュリエット", "ロミオ・と・ジュリエット"),
    ],
)
def test_punctuation_and_spaces_between_cjk(a: str, b: str) -> None:
    assert tokens(a) == tokens(b)
    assert exact_key(a) == exact_key(b)


def test_spaces_separate_latin_words() -> None:
    assert normalize("Harry  Potter,  and the...") == "harry potter and the"
    assert tokens("Harry Potter") == ["harry", "potter"]
    assert tokens("harrypotter") == ["harrypotter"]
    assert normalize(" 　「」 ") == ""


def test_apostrophes_and_symbols() -> None:
    assert tokens("don't") == ["dont"]
    assert tokens("Don’t") == ["dont"]
    assert tokens("C++") == ["c"]
    assert tokens("C#") == ["c"]
    assert tokens("e-mail") == ["e", "mail"]


# --- 7. tokens -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ニホンノ", ["ニホ", "ホン", "ンノ"]),
        ("にほんの", ["ニホ", "ホン", "ンノ"]),
        ("本", ["本"]),
        ("Python入門", ["python", "入門"]),
        ("第3巻", ["第", "3", "巻"]),
        ("ＡＢＣ１２３", ["abc123"]),
        ("日本の歴史 第2版", ["日本", "本ノ", "ノ歴", "歴史", "史第", "2", "版"]),
        ("", []),
        ("、。", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_is_cjk() -> None:
    for ch in "国あアｱ々〆ヶ㐀﨑𠮷〇":
        assert is_cjk(ch), ch
    for ch in "a1 、ー・!ｰﾞ":
        assert not is_cjk(ch), ch


def test_is_cjk_is_exactly_the_documented_ranges() -> None:
    from shoka.search.analysis import _CJK_RANGES

    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates are not characters
        expected = any(lo <= code <= hi for lo, hi in _CJK_RANGES)
        assert is_cjk(chr(code)) is expected, hex(code)


@given(st.text())
def test_cjk_chars_are_the_cjk_characters_of_the_text(text: str) -> None:
    assert cjk_chars(text) == {ch for ch in text if is_cjk(ch)}


# --- 8. ISBN -------------------------------------------------------------------------------------

ISBN_PAIR = {"9784839912369", "483991236X"}


@pytest.mark.parametrize(
    "text",
    [
        "9784839912369",
        "978-4-8399-1236-9",
        "483991236X",
        "4-8399-1236-X",
        "4-8399-1236-x",
        "ISBN 978-4-8399-1236-9",
        "９７８４８３９９１２３６９",
        "４－８３９９－１２３６－Ｘ",
    ],
)
def test_isbn_terms(text: str) -> None:
    assert isbn_terms(text) == ISBN_PAIR


def test_isbn_terms_of_non_isbn_text() -> None:
    assert isbn_terms("吾輩は猫である") == set()
    assert isbn_terms("") == set()
    assert isbn_terms("979-10-90636-07-1") == {"9791090636071"}  # 979: no ISBN-10


# --- reading sort key ----------------------------------------------------------------------------


def test_reading_sort_key_examples() -> None:
    order = ["1ネン", "アイ", "アイウ", "カ", "キ", "ン", "abc", "zz", ""]
    keys = [reading_sort_key(r) for r in order]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert reading_sort_key("ガ") == reading_sort_key("カ") == reading_sort_key("か")
    assert reading_sort_key("シヨウ") == reading_sort_key("しょう")
    assert reading_sort_key("ヤマダ タロウ") == reading_sort_key("ヤマダタロウ")
    assert reading_sort_key("アイウエオカキクケ") == reading_sort_key("アイウエオカキクケコ")
    assert reading_sort_key("") == 2**63 - 1


seion_indices = st.lists(st.integers(0, len(SEION) - 1), min_size=1, max_size=12)


@FAST
@given(seion_indices, seion_indices)
def test_reading_sort_key_is_monotone(a: list[int], b: list[int]) -> None:
    key_a = reading_sort_key("".join(SEION[i] for i in a))
    key_b = reading_sort_key("".join(SEION[i] for i in b))
    assert 0 <= key_a < 2**63
    assert 0 <= key_b < 2**63
    if a[:9] < b[:9]:
        assert key_a < key_b
    elif a[:9] == b[:9]:
        assert key_a == key_b


@FAST
@given(st.text(max_size=20))
def test_reading_sort_key_in_range(text: str) -> None:
    assert 0 <= reading_sort_key(text) < 2**63


# --- properties ----------------------------------------------------------------------------------


@FAST
@given(st.text(max_size=30))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert tokens(text) == tokens(once)


@FAST
@given(cjk_text)
def test_normalize_is_idempotent_on_cjk(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@FAST
@given(hiragana_text)
def test_kana_forms_give_the_same_tokens(hiragana: str) -> None:
    katakana = jaconv.hira2kata(hiragana)
    half_width = jaconv.hira2hkata(hiragana)
    assert tokens(hiragana) == tokens(katakana) == tokens(half_width)


@FAST
@given(plain_cjk_text, st.data())
def test_separators_between_cjk_do_not_change_tokens(chars: list[str], data: st.DataObject) -> None:
    joined = "".join(chars)
    spaced = "".join(ch + data.draw(st.one_of(st.just(""), separators)) for ch in chars)
    assert tokens(spaced) == tokens(joined)
    assert exact_key(spaced) == exact_key(joined)


@FAST
@given(st.text(max_size=30))
def test_cjk_tokens_are_at_most_bigrams(text: str) -> None:
    for token in tokens(text):
        assert token
        assert " " not in token
        if is_cjk(token[0]):
            assert len(token) <= 2


@FAST
@given(cjk_text, st.data())
def test_substrings_are_phrases_of_the_token_stream(text: str, data: st.DataObject) -> None:
    normalized = normalize(text)
    if len(normalized) < 2:
        return
    start = data.draw(st.integers(0, len(normalized) - 2))
    end = data.draw(st.integers(start + 2, len(normalized)))
    assert is_contiguous_subsequence(tokens(normalized[start:end]), tokens(text))


@FAST
@given(st.lists(word_char, min_size=1, max_size=12), st.data())
def test_exact_key_ignores_spaces_and_punctuation(chars: list[str], data: st.DataObject) -> None:
    plain = "".join(chars)
    noisy = "".join(ch + data.draw(st.one_of(st.just(""), separators)) for ch in chars)
    assert exact_key(noisy) == exact_key(plain)
    assert " " not in exact_key(noisy)
