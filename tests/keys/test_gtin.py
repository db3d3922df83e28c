from __future__ import annotations

import pytest
from biip.checksums import gs1_standard_check_digit
from hypothesis import given
from hypothesis import strategies as st

from keys.gtin import InvalidGTIN, gtin_check_digit, normalize_gtin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("96385074", "00000096385074"),  # GTIN-8
        ("036000291452", "00036000291452"),  # GTIN-12 (UPC-A)
        ("4006381333931", "04006381333931"),  # GTIN-13
        ("9506000134352", "09506000134352"),  # GTIN-13, GS1 example
        ("10614141000415", "10614141000415"),  # GTIN-14
        (" 9506000134352\n", "09506000134352"),  # surrounding whitespace ignored
    ],
)
def test_valid_gtins_are_normalised_to_14_digits(text: str, expected: str) -> None:
    assert normalize_gtin(text) == expected


def test_bad_check_digit_is_a_clear_value_error() -> None:
    with pytest.raises(InvalidGTIN, match="check digit 3.*give 2") as raised:
        normalize_gtin("9506000134353")
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "only the digits"),
        ("036000291453", "check digit"),
        ("12345", "8, 12, 13 or 14 digits"),
        ("123456789012345", "8, 12, 13 or 14 digits"),
        ("95060001343-2", "only the digits"),
        ("9506 000134352", "only the digits"),
        ("٩٥٠٦٠٠٠١٣٤٣٥٢", "only the digits"),  # Arabic-Indic digits are not ASCII digits
        ("00000000000000", "all-zero"),
    ],
)
def test_invalid_gtins_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidGTIN, match=message):
        normalize_gtin(text)


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidGTIN):
        normalize_gtin(9506000134352)  # type: ignore[arg-type]


@given(st.text(alphabet="0123456789", min_size=7, max_size=13))
def test_check_digit_agrees_with_biip(body: str) -> None:
    assert gtin_check_digit(body) == gs1_standard_check_digit(body)


@given(
    st.text(alphabet="0123456789", min_size=13, max_size=13).filter(lambda b: int(b) > 0),
    st.integers(0, 13),
    st.integers(1, 9),
)
def test_any_single_digit_error_is_detected(body: str, position: int, delta: int) -> None:
    gtin = body + str(gtin_check_digit(body))
    assert normalize_gtin(gtin) == gtin
    wrong = gtin[:position] + str((int(gtin[position]) + delta) % 10) + gtin[position + 1 :]
    with pytest.raises(InvalidGTIN):
        normalize_gtin(wrong)
