"""The syntax of each field a label code carries (docs/code-format.md, section 3).

Every check here uses `fullmatch` on ASCII-only patterns, so no field can smuggle a
newline, a slash or a non-ASCII look-alike into a URI or into the signed bytes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import TypeIs

from keys.gtin import normalize_gtin

LOT_MAX_LENGTH = 20
PRODUCT_REF_MAX_LENGTH = 20
SERIAL_LENGTH = 12
# Crockford base32: digits and capitals without I, L, O and U.
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KEY_ID_LENGTH = 2

LOT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")
PRODUCT_REF_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,20}")
SERIAL_PATTERN = re.compile(r"[0-9A-HJKMNP-TV-Z]{12}")
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{2}")
ISSUER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
# "." and ".." are path dot-segments: browsers would resolve them away.
_DOT_SEGMENTS = frozenset({".", ".."})


class InvalidField(ValueError):
    """A lot, product reference, serial, key id or issuer id breaks its syntax rule."""


def _matches(value: object, pattern: re.Pattern[str]) -> TypeIs[str]:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def check_lot(lot: object) -> str:
    """Return `lot` if it is a valid lot code (GS1 AI 10 subset), else raise InvalidField."""
    if not _matches(lot, LOT_PATTERN):
        raise InvalidField(
            f"lot {lot!r} must be 1-{LOT_MAX_LENGTH} characters from "
            "A-Z a-z 0-9 . _ - and start with a letter or digit"
        )
    return lot


def check_product_ref(product_ref: object) -> str:
    """Return `product_ref` if it is a valid reference for a product without GTIN."""
    if not _matches(product_ref, PRODUCT_REF_PATTERN) or product_ref in _DOT_SEGMENTS:
        raise InvalidField(
            f"product reference {product_ref!r} must be 1-"
            f"{PRODUCT_REF_MAX_LENGTH} characters from A-Z a-z 0-9 . _ - "
            "and not '.' or '..'"
        )
    return product_ref


def check_serial(serial: str) -> str:
    """Return `serial` if it is 12 upper-case Crockford base32 characters."""
    if not _matches(serial, SERIAL_PATTERN):
        raise InvalidField(
            f"serial {serial!r} must be {SERIAL_LENGTH} characters from {SERIAL_ALPHABET}"
        )
    return serial


def check_key_id(key_id: object) -> str:
    """Return `key_id` if it is 2 characters of the base64url alphabet."""
    if not _matches(key_id, KEY_ID_PATTERN):
        raise InvalidField(
            f"key id {key_id!r} must be {KEY_ID_LENGTH} characters from A-Z a-z 0-9 _ -"
        )
    return key_id


def check_issuer(issuer: object) -> str:
    """Return `issuer` if it is a valid issuer id (e.g. VN-CB-LMHTX)."""
    if not _matches(issuer, ISSUER_PATTERN):
        raise InvalidField(
            f"issuer {issuer!r} must be 1-64 characters from "
            "A-Z a-z 0-9 . _ : - and start with a letter or digit"
        )
    return issuer


def check_item(gtin: str | None, product_ref: str | None) -> tuple[str | None, str | None]:
    """The (normalised GTIN, product ref) pair; exactly one of the two must be given.

    Raises InvalidGTIN (a ValueError) for a bad GTIN, InvalidField otherwise.
    """
    if (gtin is None) == (product_ref is None):
        raise InvalidField("give exactly one of gtin and product_ref")
    if gtin is not None:
        return normalize_gtin(gtin), None
    return None, check_product_ref(product_ref)
