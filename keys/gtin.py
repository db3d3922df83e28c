"""GS1 Global Trade Item Numbers: validation and normalisation to 14 digits."""

from __future__ import annotations

import re

GTIN_LENGTHS = (8, 12, 13, 14)
_DIGITS = re.compile(r"[0-9]+")


class InvalidGTIN(ValueError):
    """The text is not a GTIN-8, -12, -13 or -14 with a valid GS1 check digit."""


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for `body`, a GTIN's digits without its check digit.

    Weights alternate 3, 1, 3, ... starting from the rightmost digit of the body.
    """
    total = sum(
        int(digit) * (3 if position % 2 == 0 else 1)
        for position, digit in enumerate(reversed(body))
    )
    return (10 - total % 10) % 10


def check_digit_is_valid(digits: str) -> bool:
    """Whether the last of `digits` is the GS1 mod-10 check digit of the others.

    The same rule holds for every GS1 key: GTIN, GLN, SSCC.
    """
    return int(digits[-1]) == gtin_check_digit(digits[:-1])


def normalize_gtin(text: str) -> str:
    """The GTIN in `text` as 14 digits (left-padded with zeros), or raise InvalidGTIN.

    Accepts GTIN-8, GTIN-12, GTIN-13 and GTIN-14 written as ASCII digits only;
    surrounding whitespace is ignored. The last digit must be the GS1 mod-10 check
    digit, and the all-zero number is refused.
    """
    if not isinstance(text, str):
        raise InvalidGTIN(f"a GTIN must be text, not {type(text).__name__}")
    digits = text.strip()
    if not _DIGITS.fullmatch(digits):
        raise InvalidGTIN(f"GTIN {digits[:20]!r} must contain only the digits 0-9")
    if len(digits) not in GTIN_LENGTHS:
        raise InvalidGTIN(f"a GTIN has 8, 12, 13 or 14 digits; {digits[:20]!r} has {len(digits)}")
    gtin = digits.zfill(14)
    if int(gtin) == 0:
        raise InvalidGTIN("the all-zero GTIN is not a trade item number")
    expected = gtin_check_digit(gtin[:-1])
    if int(gtin[-1]) != expected:
        raise InvalidGTIN(
            f"GTIN {digits} has check digit {gtin[-1]}, but its digits "
            f"give {expected}: a digit is probably mistyped"
        )
    return gtin
