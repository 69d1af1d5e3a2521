"""Tests for shoka.patrons.checkdigits (pure functions, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shoka.patrons.checkdigits import (
    CheckDigitError,
    CheckDigitScheme,
    compute_check_digit,
    is_valid,
    strip_codabar,
    validate,
    with_check_digit,
)

S = CheckDigitScheme
WITH_CHECK = [s for s in CheckDigitScheme if s is not S.NONE]
bodies = st.text(alphabet="0123456789", min_size=1, max_size=20)


# --- independent oracles (written the long way, to cross-check the module) -------------------


def weighted_sum_mod11(body: str) -> int:
    weights = [2, 3, 4, 5, 6, 7]
    return sum(int(d) * weights[i % 6] for i, d in enumerate(reversed(body)))


def other_digits(d: str) -> list[str]:
    return [c for c in "0123456789" if c != d]


# --- worked examples ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "body", "check"),
    [
        # none: no digit at all
        (S.NONE, "0012345", ""),
        # mod10 w2-1 split (Luhn); from the right 8×2=16→1+6, 7, 6×2=12→1+2, 5, 4×2=8, 3, 2×2=4, 1
        # = 7+7+3+5+8+3+4+1 = 38; 10 − 8 = 2  (AIM Japan's example)
        (S.MOD10_W21, "12345678", "2"),
        # Classic Luhn example 7992739871 → 3 (sum 67 → 10 − 7)
        (S.MOD10_W21, "7992739871", "3"),
        # 5×2=10→1, 4, 3×2=6, 2, 1×2=2 → 15 → 10 − 5 = 5
        (S.MOD10_W21, "12345", "5"),
        # 9×2=18→9, 1 → 10 → remainder 0 → check 0
        (S.MOD10_W21, "19", "0"),
        # mod10 w2-1 no split: 16+7+12+5+8+3+4+1 = 56 → 10 − 6 = 4
        (S.MOD10_W21_NOSPLIT, "12345678", "4"),
        # 10+4+6+2+2 = 24 → 10 − 4 = 6
        (S.MOD10_W21_NOSPLIT, "12345", "6"),
        # 5×2 = 10 → remainder 0 → check 0
        (S.MOD10_W21_NOSPLIT, "5", "0"),
        # mod11 w2-7: 5×2+4×3+3×4+2×5+1×6 = 50; 50 mod 11 = 6; 11 − 6 = 5 (Hitachi's example)
        (S.MOD11, "12345", "5"),
        # 7×2+6×3+5×4+4×5+3×6+2×7+1×2 (weights wrap to 2) = 106; mod 11 = 7; 11 − 7 = 4
        (S.MOD11, "1234567", "4"),
        # 6×2+5×3+4×4+3×5+2×6+1×7 = 77; mod 11 = 0 → check 0
        (S.MOD11, "123456", "0"),
        # 77 + 8×7 = 133; mod 11 = 1 → (11 − 1 = 10) → check 0 as well
        (S.MOD11, "923456", "0"),
        # 1×2 = 2; 11 − 2 = 9
        (S.MOD11, "1", "9"),
        # 7DR: 123456 = 7×17636 + 4
        (S.SEVEN_DR, "123456", "4"),
        # 12345678901 = 7×1763668414 + 3
        (S.SEVEN_DR, "12345678901", "3"),
        # 99991234567 = 7×14284462081 + 0
        (S.SEVEN_DR, "99991234567", "0"),
        # leading zeros do not change the value: 0000010 = 10 = 7 + 3
        (S.SEVEN_DR, "0000010", "3"),
        # 7DSR: 7 − 4 = 3
        (S.SEVEN_DSR, "123456", "3"),
        # 7 − 3 = 4
        (S.SEVEN_DSR, "12345678901", "4"),
        # remainder 0 → 0 (not 7)
        (S.SEVEN_DSR, "99991234567", "0"),
        # 12345678 = 7×1763668 + 2 → 7 − 2 = 5
        (S.SEVEN_DSR, "12345678", "5"),
    ],
)
def test_worked_examples(scheme: CheckDigitScheme, body: str, check: str) -> None:
    assert compute_check_digit(scheme, body) == check
    assert with_check_digit(scheme, body) == body + check
    assert is_valid(scheme, body + check)
    validate(scheme, body + check)


def test_scheme_values_are_the_stored_strings() -> None:
    assert [s.value for s in CheckDigitScheme] == [
        "none",
        "mod10_w21",
        "mod10_w21_nosplit",
        "mod11",
        "7dr",
        "7dsr",
    ]
    assert compute_check_digit("mod11", "12345") == "5"
    assert is_valid("7dr", "1234564")
    with pytest.raises(ValueError, match="not a valid CheckDigitScheme"):
        compute_check_digit("mod97", "12345")


def test_leading_zeros_are_kept() -> None:
    assert with_check_digit(S.MOD10_W21, "000123") == "0001230"
    assert with_check_digit(S.NONE, "000123") == "000123"
    assert with_check_digit(S.SEVEN_DR, "0000000") == "00000000"


def test_none_scheme() -> None:
    assert is_valid(S.NONE, "0")
    assert is_valid(S.NONE, "0012345")
    assert not is_valid(S.NONE, "")
    assert not is_valid(S.NONE, "12A45")


def test_seven_dsr_never_uses_seven() -> None:
    # Remainder 0 is written 0; "…7" is not an alternative spelling.
    assert is_valid(S.SEVEN_DSR, "999912345670")
    assert not is_valid(S.SEVEN_DSR, "999912345677")


# --- error messages ----------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", list(CheckDigitScheme))
def test_empty_is_rejected(scheme: CheckDigitScheme) -> None:
    with pytest.raises(CheckDigitError, match=r"^barcode is empty$"):
        validate(scheme, "")
    with pytest.raises(CheckDigitError, match=r"^barcode body is empty$"):
        compute_check_digit(scheme, "")
    assert not is_valid(scheme, "")


@pytest.mark.parametrize("text", ["12-34", "A12345B", "１２３４５", " 12345", "12345x", "١٢٣"])
def test_non_digits_are_rejected(text: str) -> None:
    with pytest.raises(CheckDigitError, match="contains non-digit characters"):
        validate(S.MOD10_W21, text)
    with pytest.raises(CheckDigitError, match="contains non-digit characters"):
        compute_check_digit(S.MOD11, text)
    assert not is_valid(S.NONE, text)


def test_non_digit_message_names_the_characters() -> None:
    with pytest.raises(CheckDigitError) as excinfo:
        validate(S.MOD11, "12a4-")
    assert str(excinfo.value) == "barcode contains non-digit characters: '-', 'a'"


def test_wrong_check_digit_message() -> None:
    with pytest.raises(CheckDigitError) as excinfo:
        validate(S.MOD11, "123457")
    assert str(excinfo.value) == "wrong check digit in '123457' (mod11): got 7, expected 5"
    with pytest.raises(CheckDigitError, match=r"got 3, expected 2$"):
        validate("mod10_w21", "123456783")


@pytest.mark.parametrize("scheme", WITH_CHECK)
def test_single_digit_too_short(scheme: CheckDigitScheme) -> None:
    with pytest.raises(CheckDigitError, match="too short"):
        validate(scheme, "0")


def test_check_digit_error_is_a_value_error() -> None:
    assert issubclass(CheckDigitError, ValueError)


# --- NW-7 start/stop characters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("scanned", "expected"),
    [
        ("A1234567890B", "1234567890"),
        ("a0012345d", "0012345"),
        ("C00123D", "00123"),
        ("  B0012345B\r\n", "0012345"),
        ("A0012345", "0012345"),
        ("0012345D", "0012345"),
        ("0012345", "0012345"),
        ("", ""),
        ("AB", ""),
    ],
)
def test_strip_codabar(scanned: str, expected: str) -> None:
    assert strip_codabar(scanned) == expected


def test_strip_then_validate() -> None:
    assert is_valid(S.MOD10_W21, strip_codabar("a123456782a"))
    assert not is_valid(S.MOD10_W21, "a123456782a")


# --- properties --------------------------------------------------------------------------------


@given(scheme=st.sampled_from(list(CheckDigitScheme)), body=bodies)
def test_with_check_digit_always_validates(scheme: CheckDigitScheme, body: str) -> None:
    number = with_check_digit(scheme, body)
    assert number.startswith(body)
    assert len(number) == len(body) + (0 if scheme is S.NONE else 1)
    assert is_valid(scheme, number)


@given(scheme=st.sampled_from(WITH_CHECK), body=bodies)
def test_check_digit_is_one_digit(scheme: CheckDigitScheme, body: str) -> None:
    check = compute_check_digit(scheme, body)
    assert len(check) == 1
    assert check in "0123456789"
    if scheme in (S.SEVEN_DR, S.SEVEN_DSR):
        assert check in "0123456"


@given(scheme=st.sampled_from(WITH_CHECK), body=bodies, data=st.data())
def test_changing_the_check_digit_is_always_detected(
    scheme: CheckDigitScheme, body: str, data: st.DataObject
) -> None:
    number = with_check_digit(scheme, body)
    wrong = data.draw(st.sampled_from(other_digits(number[-1])))
    assert not is_valid(scheme, body + wrong)


@given(body=bodies, data=st.data())
def test_mod10_split_detects_every_single_digit_error(body: str, data: st.DataObject) -> None:
    number = with_check_digit(S.MOD10_W21, body)
    pos = data.draw(st.integers(0, len(number) - 1))
    new = data.draw(st.sampled_from(other_digits(number[pos])))
    assert not is_valid(S.MOD10_W21, number[:pos] + new + number[pos + 1 :])


@given(body=bodies, data=st.data())
def test_mod10_nosplit_misses_only_plus_minus_five_at_weight_two(
    body: str, data: st.DataObject
) -> None:
    # With weight 2 a change of ±5 changes the sum by ±10 ≡ 0 (mod 10): 0↔5, 1↔6, 2↔7, 3↔8, 4↔9
    # at positions 1, 3, 5, … counted from the right of the full number (0 = check digit).
    number = with_check_digit(S.MOD10_W21_NOSPLIT, body)
    pos = data.draw(st.integers(0, len(number) - 1))
    old = number[pos]
    new = data.draw(st.sampled_from(other_digits(old)))
    changed = number[:pos] + new + number[pos + 1 :]
    from_right = len(number) - 1 - pos
    blind_spot = from_right % 2 == 1 and abs(int(new) - int(old)) == 5
    assert is_valid(S.MOD10_W21_NOSPLIT, changed) == blind_spot


def test_mod10_nosplit_blind_spot_example() -> None:
    # 12345678 → 4; the 8 (weight 2) read as 3: 6+7+12+5+8+3+4+1 = 46 → 10 − 6 = 4 again.
    assert is_valid(S.MOD10_W21_NOSPLIT, "123456784")
    assert is_valid(S.MOD10_W21_NOSPLIT, "123456734")
    # The split (Luhn) variant catches it: 3×2 = 6 vs 8×2 = 16 → 7.
    assert not is_valid(S.MOD10_W21, "123456732")


@given(body=bodies, data=st.data())
def test_mod11_misses_only_remainder_zero_one_swaps(body: str, data: st.DataObject) -> None:
    # Weights 2–7 are invertible mod 11, so every body change changes the remainder; the change
    # goes unnoticed only when it moves the remainder between 0 and 1 (both give check 0).
    number = with_check_digit(S.MOD11, body)
    pos = data.draw(st.integers(0, len(body) - 1))
    new = data.draw(st.sampled_from(other_digits(body[pos])))
    new_body = body[:pos] + new + body[pos + 1 :]
    old_r, new_r = weighted_sum_mod11(body) % 11, weighted_sum_mod11(new_body) % 11
    assert old_r != new_r
    assert is_valid(S.MOD11, new_body + number[-1]) == ({old_r, new_r} <= {0, 1})


def test_mod11_blind_spot_example() -> None:
    # 123456 (sum 77, remainder 0) and 923456 (sum 133, remainder 1) both take check digit 0.
    assert is_valid(S.MOD11, "1234560")
    assert is_valid(S.MOD11, "9234560")


@pytest.mark.parametrize("scheme", [S.SEVEN_DR, S.SEVEN_DSR])
@given(body=bodies, data=st.data())
def test_seven_check_misses_exactly_plus_minus_seven(
    scheme: CheckDigitScheme, body: str, data: st.DataObject
) -> None:
    # 7·10ᵏ ≡ 0 (mod 7): a body digit replaced by one 7 away (0↔7, 1↔8, 2↔9) is not detected;
    # every other single-digit change is.
    number = with_check_digit(scheme, body)
    pos = data.draw(st.integers(0, len(body) - 1))
    old = body[pos]
    new = data.draw(st.sampled_from(other_digits(old)))
    changed = number[:pos] + new + number[pos + 1 :]
    assert is_valid(scheme, changed) == (abs(int(new) - int(old)) == 7)


def test_seven_dr_undetected_substitutions_exhaustive() -> None:
    number = with_check_digit(S.SEVEN_DR, "0123456789")
    undetected = set()
    for pos in range(len(number)):
        for new in other_digits(number[pos]):
            if is_valid(S.SEVEN_DR, number[:pos] + new + number[pos + 1 :]):
                undetected.add((number[pos], new))
    assert undetected == {("0", "7"), ("7", "0"), ("1", "8"), ("8", "1"), ("2", "9"), ("9", "2")}
