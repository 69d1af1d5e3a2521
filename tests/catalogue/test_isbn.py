"""Tests for shoka.catalogue.isbn (pure functions, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shoka.catalogue.isbn import (
    IsbnError,
    ParsedIsbn,
    hyphenate,
    isbn_query_variants,
    normalize_isbn,
    parse_isbn,
    stored_isbn_variants,
    to_isbn10,
)

# --- oracles, written out independently of python-stdnum ---------------------------------------


def isbn10_check(body9: str) -> str:
    # weights 10..2 from the left; check = (11 − sum mod 11) mod 11, 10 written X
    total = sum((10 - i) * int(d) for i, d in enumerate(body9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check(body12: str) -> str:
    # weights 1, 3, 1, 3, … from the left; check = (10 − sum mod 10) mod 10
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return str((10 - total % 10) % 10)


digits9 = st.text(alphabet="0123456789", min_size=9, max_size=9)
isbn10s = digits9.map(lambda b: b + isbn10_check(b))
isbn13s = st.builds(
    lambda prefix, body: prefix + body + isbn13_check(prefix + body),
    st.sampled_from(["978", "979"]),
    digits9,
)


# --- Japanese and other worked examples --------------------------------------------------------

# 4-8399-1236-X: 4×10+8×9+3×8+9×7+9×6+1×5+2×4+3×3+6×2 = 287; 287 mod 11 = 1; 11 − 1 = 10 → X.
# As ISBN-13: 978483991236 → 9+21+8+12+8+9+9+27+1+6+3+18 = 131 → 10 − 1 = 9.
JAPANESE = [
    ("4-8399-1236-X", "9784839912369", "483991236X", "978-4-8399-1236-9"),
    ("4-06-274868-1", "9784062748681", "4062748681", "978-4-06-274868-1"),
    ("4-00-310101-4", "9784003101018", "4003101014", "978-4-00-310101-8"),
    ("978-4-10-109205-8", "9784101092058", "4101092052", "978-4-10-109205-8"),
    ("4-88380-478-X", "9784883804788", "488380478X", "978-4-88380-478-8"),
]


@pytest.mark.parametrize(("printed", "isbn13", "isbn10", "hyphenated"), JAPANESE)
def test_japanese_examples(printed: str, isbn13: str, isbn10: str, hyphenated: str) -> None:
    assert normalize_isbn(printed) == isbn13
    assert normalize_isbn(isbn13) == isbn13
    assert to_isbn10(isbn13) == isbn10
    assert to_isbn10(printed) == isbn10
    assert hyphenate(isbn13) == hyphenated
    assert hyphenate(printed) == hyphenated
    assert isbn_query_variants(printed) == {isbn13, isbn10}


@pytest.mark.parametrize(
    "text",
    [
        "4-8399-1236-X",
        "4-8399-1236-x",
        "483991236x",
        "4 8399 1236 X",
        "978-4-8399-1236-9",
        "9784839912369",
        "978 4 8399 1236 9",
        "ISBN4-8399-1236-X",
        "ISBN 4-8399-1236-X",
        "ISBN:978-4-8399-1236-9",
        "isbn: 9784839912369",
        "ISBN-13: 978-4-8399-1236-9",
        "ISBN10 4-8399-1236-X",
        "ＩＳＢＮ９７８－４－８３９９－１２３６－９",
        "４－８３９９－１２３６－Ｘ",
        "４８３９９１２３６ｘ",
        "978‐4‐8399‐1236‐9",  # U+2010 hyphens
        "978−4−8399−1236−9",  # U+2212 minus signs
        "  9784839912369\n",
    ],
)
def test_accepted_spellings(text: str) -> None:
    assert normalize_isbn(text) == "9784839912369"


def test_979_has_no_isbn10() -> None:
    parsed = parse_isbn("979-10-323-0569-0")
    assert parsed == ParsedIsbn(
        printed="979-10-323-0569-0",
        isbn13="9791032305690",
        isbn10=None,
        qualifier=None,
        valid=True,
        error=None,
    )
    assert to_isbn10("9791032305690") is None
    assert hyphenate("9791032305690") == "979-10-323-0569-0"
    assert isbn_query_variants("979-10-323-0569-0") == {"9791032305690"}


# --- parse_isbn: qualifiers and errors ---------------------------------------------------------


def test_marc_020_with_qualifier() -> None:
    parsed = parse_isbn("4-8399-1236-X (pbk.)")
    assert parsed.valid
    assert parsed.printed == "4-8399-1236-X (pbk.)"
    assert parsed.isbn13 == "9784839912369"
    assert parsed.isbn10 == "483991236X"
    assert parsed.qualifier == "(pbk.)"
    assert parsed.error is None
    assert normalize_isbn("4-8399-1236-X (pbk.)") == "9784839912369"


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("978-4-10-109205-8 (上)", "(上)"),
        ("978-4-10-109205-8（上）", "(上)"),  # full-width parentheses, glued: NFKC → "("
        ("4-10-109205-2 : 1500円", ": 1500円"),
        ("4-10-109205-2 セット", "セット"),
        (" ISBN 978-4-10-109205-8 (v. 1) ", "(v. 1)"),
    ],
)
def test_qualifiers(text: str, qualifier: str) -> None:
    parsed = parse_isbn(text)
    assert parsed.valid
    assert parsed.isbn13 == "9784101092058"
    assert parsed.qualifier == qualifier
    assert parsed.printed == text.strip()


def test_invalid_check_digit_isbn10() -> None:
    # The correct check digit of 4-8399-1236 is X (see above), not 0.
    parsed = parse_isbn("4-8399-1236-0 (pbk.)")
    assert not parsed.valid
    assert parsed.isbn13 is None
    assert parsed.isbn10 is None
    assert parsed.qualifier == "(pbk.)"
    assert parsed.error == "invalid ISBN-10 check digit"
    assert normalize_isbn("4-8399-1236-0") is None


def test_invalid_check_digit_isbn13() -> None:
    parsed = parse_isbn("978-4-8399-1236-2")
    assert not parsed.valid
    assert parsed.error == "invalid ISBN-13 check digit"
    assert normalize_isbn("9784839912362") is None


def test_wrong_prefix() -> None:
    # Valid EAN-13 (a JAN product code), but not in the Bookland 978/979 range.
    assert isbn13_check("490123456789") == "4"
    parsed = parse_isbn("4901234567894")
    assert not parsed.valid
    assert parsed.error == "an ISBN-13 must start with 978 or 979"


def test_ten_digits_followed_by_other_numbers() -> None:
    # "4839912360 123" could be read as 13 digits; the 10-digit reading is reported instead.
    parsed = parse_isbn("483991236X 123")
    assert parsed.valid
    assert parsed.isbn13 == "9784839912369"
    assert parsed.qualifier == "123"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "empty ISBN"),
        ("   ", "empty ISBN"),
        ("ISBN", "empty ISBN"),
        ("ISBN:", "empty ISBN"),
        ("hello", "not an ISBN: expected 10 or 13 digits"),
        ("123456789", "not an ISBN: expected 10 or 13 digits"),
        ("48399123691", "not an ISBN: expected 10 or 13 digits"),
        ("97848399123690", "not an ISBN: expected 10 or 13 digits"),
        ("9784839912369abc", "not an ISBN: expected 10 or 13 digits"),
        ("483991236Xabc", "not an ISBN: expected 10 or 13 digits"),
        ("978483991236X", "not an ISBN: expected 10 or 13 digits"),
        ("48399X2369", "not an ISBN: expected 10 or 13 digits"),
        ("978--4-8399-1236-9", "not an ISBN: expected 10 or 13 digits"),
        ("(pbk.)", "not an ISBN: expected 10 or 13 digits"),
    ],
)
def test_garbage(text: str, error: str) -> None:
    parsed = parse_isbn(text)
    assert not parsed.valid
    assert parsed.isbn13 is None
    assert parsed.error == error
    assert normalize_isbn(text) is None
    assert to_isbn10(text) is None


def test_hyphenate_rejects_invalid() -> None:
    with pytest.raises(IsbnError, match="invalid ISBN-13 check digit"):
        hyphenate("9784839912362")
    with pytest.raises(ValueError, match="not a valid ISBN"):
        hyphenate("garbage")


def test_query_variants_for_invalid_input() -> None:
    # Misprinted ISBNs are copied into records as printed, so search for them as they are.
    assert isbn_query_variants("4-8399-1236-0") == {"4839912360"}
    assert isbn_query_variants("978-4-8399-1236-2 (pbk.)") == {"9784839912362"}
    assert isbn_query_variants("hello") == set()
    assert isbn_query_variants("") == set()
    assert isbn_query_variants("12345") == set()


# --- properties --------------------------------------------------------------------------------


@given(isbn10s)
def test_round_trip_10_13_10(isbn10: str) -> None:
    isbn13 = normalize_isbn(isbn10)
    assert isbn13 is not None
    assert isbn13 == "978" + isbn10[:9] + isbn13_check("978" + isbn10[:9])
    assert to_isbn10(isbn13) == isbn10
    assert normalize_isbn(isbn13) == isbn13
    assert isbn_query_variants(isbn10) == {isbn10, isbn13}


@given(isbn13s)
def test_round_trip_13(isbn13: str) -> None:
    assert normalize_isbn(isbn13) == isbn13
    isbn10 = to_isbn10(isbn13)
    if isbn13.startswith("979"):
        assert isbn10 is None
    else:
        assert isbn10 is not None
        assert normalize_isbn(isbn10) == isbn13
    assert hyphenate(isbn13).replace("-", "") == isbn13


@given(isbn13s, st.data())
def test_separators_and_width_do_not_matter(isbn13: str, data: st.DataObject) -> None:
    pieces = []
    for ch in isbn13:
        pieces.append(data.draw(st.sampled_from([ch, chr(ord(ch) + 0xFEE0)])))  # full width
        pieces.append(data.draw(st.sampled_from(["", "-", " ", "－", "‐"])))
    text = "".join(pieces[:-1])
    assert normalize_isbn(data.draw(st.sampled_from(["", "ISBN", "ISBN ", "isbn:"])) + text) == (
        isbn13
    )


@given(isbn13s, st.data())
def test_single_digit_errors_are_detected(isbn13: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, 12))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != isbn13[pos]]))
    assert normalize_isbn(isbn13[:pos] + new + isbn13[pos + 1 :]) is None


@given(isbn10s, st.data())
def test_single_digit_errors_are_detected_isbn10(isbn10: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, 9))
    alphabet = "0123456789X" if pos == 9 else "0123456789"
    new = data.draw(st.sampled_from([d for d in alphabet if d != isbn10[pos]]))
    assert normalize_isbn(isbn10[:pos] + new + isbn10[pos + 1 :]) is None


@given(
    st.one_of(
        isbn13s,
        st.text(alphabet="0123456789", min_size=13, max_size=13),
        st.text(max_size=16),
    )
)
def test_stored_variants_agree_with_query_variants(text: str) -> None:
    # the index writer's short cut for stored ISBN-13s gives what parsing would
    assert stored_isbn_variants(text) == isbn_query_variants(text)


@given(st.text(max_size=40))
def test_arbitrary_text_never_raises(text: str) -> None:
    parsed = parse_isbn(text)
    assert parsed.valid == (parsed.isbn13 is not None)
    assert parsed.valid == (parsed.error is None)
    if parsed.isbn13 is not None:
        assert len(parsed.isbn13) == 13
        assert parsed.isbn13.isdigit()
    assert normalize_isbn(text) == parsed.isbn13
    for variant in isbn_query_variants(text):
        assert len(variant) in (10, 13)


@given(
    st.one_of(
        st.text(alphabet="0123456789", min_size=13, max_size=13),
        st.sampled_from(["978", "979"]).flatmap(
            lambda p: st.text(alphabet="0123456789", min_size=10, max_size=10).map(p.__add__)
        ),
        st.text(alphabet="0123456789", min_size=9, max_size=9).flatmap(
            lambda d: st.sampled_from([*"0123456789X"]).map(d.__add__)
        ),
    )
)
def test_check_digits_agree_with_python_stdnum(digits):
    from stdnum import isbn as stdnum_isbn

    parsed = parse_isbn(digits)
    assert parsed.valid == stdnum_isbn.is_valid(digits)
    if parsed.valid:
        assert parsed.isbn13 == stdnum_isbn.to_isbn13(digits)
        if parsed.isbn13.startswith("978"):
            assert parsed.isbn10 == stdnum_isbn.to_isbn10(parsed.isbn13)
