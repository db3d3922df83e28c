"""Label serial numbers: 12 random Crockford base32 characters (60 bits) each."""

from __future__ import annotations

import base64
import secrets

from keys.fields import SERIAL_LENGTH

# base32's alphabet mapped onto Crockford's (no I, L, O, U) character by character.
_TO_CROCKFORD = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)
SERIAL_BITS = SERIAL_LENGTH * 5
# 15 random bytes are 120 bits: exactly two serials, with no base32 padding.
_BYTES_PER_PAIR = 15


def new_serials(n: int) -> list[str]:
    """`n` distinct serials drawn from `secrets` (60 bits of entropy each).

    Uniqueness holds within the returned list; uniqueness across a batch's runs
    is the caller's to enforce (the service has a unique constraint for it).
    """
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"the number of serials must be a non-negative integer, not {n!r}")
    serials: list[str] = []
    seen: set[str] = set()
    while len(serials) < n:
        missing = n - len(serials)
        random_bytes = secrets.token_bytes(_BYTES_PER_PAIR * ((missing + 1) // 2))
        text = base64.b32encode(random_bytes).translate(_TO_CROCKFORD).decode("ascii")
        for start in range(0, missing * SERIAL_LENGTH, SERIAL_LENGTH):
            serial = text[start : start + SERIAL_LENGTH]
            if serial not in seen:
                seen.add(serial)
                serials.append(serial)
    return serials


def new_serial() -> str:
    """One random serial (60 bits of entropy)."""
    return new_serials(1)[0]
