"""Signing label codes with the issuer's Ed25519 key (docs/code-format.md, section 4).

The signed bytes are ASCII lines, each ending in a line feed:

    TRACEAPP-LABEL/1
    issuer={issuer}
    kid={key id}
    gtin={GTIN-14}          or   ref={product_ref}
    lot={lot}
    serial={serial}

The base URL is not signed, so the service's domain can change without re-labelling.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from keys.codes import (
    FORMAT_VERSION,
    SERIAL_AI,
    SIGNATURE_AI,
    SIGNATURE_CHARS,
    item_path,
    normalize_base_url,
)
from keys.fields import (
    SERIAL_PATTERN,
    check_issuer,
    check_item,
    check_key_id,
    check_lot,
    check_serial,
)
from keys.serials import new_serials

__all__ = ["PAYLOAD_HEADER", "CodeSigner", "new_serials", "signing_payload"]

PAYLOAD_HEADER = f"TRACEAPP-LABEL/{FORMAT_VERSION}\n"


def _payload_prefix(
    issuer: str, key_id: str, gtin: str | None, product_ref: str | None, lot: str
) -> bytes:
    item = f"gtin={gtin}" if gtin is not None else f"ref={product_ref}"
    return (
        f"{PAYLOAD_HEADER}issuer={check_issuer(issuer)}\nkid={check_key_id(key_id)}\n"
        f"{item}\nlot={check_lot(lot)}\nserial="
    ).encode("ascii")


def signing_payload(
    issuer: str,
    *,
    gtin: str | None = None,
    product_ref: str | None = None,
    lot: str,
    serial: str,
    key_id: str,
) -> bytes:
    """The exact bytes signed for one label (see the module docstring).

    Exactly one of `gtin` (normalised to 14 digits here) and `product_ref` is given.
    Raises a ValueError (InvalidGTIN or InvalidField) for any invalid field.
    """
    gtin, product_ref = check_item(gtin, product_ref)
    prefix = _payload_prefix(issuer, key_id, gtin, product_ref, lot)
    return prefix + check_serial(serial).encode("ascii") + b"\n"


class CodeSigner:
    """Signs label codes for one issuer with one key, publishing under one base URL."""

    def __init__(
        self, private_key: Ed25519PrivateKey, key_id: str, issuer: str, base_url: str
    ) -> None:
        """Validate the key id, issuer and base URL; raise ValueError if one is bad."""
        if not isinstance(private_key, Ed25519PrivateKey):
            raise TypeError("CodeSigner needs an Ed25519 private key")
        self._private_key = private_key
        self.key_id = check_key_id(key_id)
        self.issuer = check_issuer(issuer)
        self.base_url = normalize_base_url(base_url)

    def __repr__(self) -> str:
        """A description without any key material."""
        return (
            f"CodeSigner(key_id={self.key_id!r}, issuer={self.issuer!r}, "
            f"base_url={self.base_url!r})"
        )

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half of the signing key."""
        return self._private_key.public_key()

    def sign(
        self, *, gtin: str | None = None, product_ref: str | None = None, lot: str, serial: str
    ) -> str:
        """The full signed code URI for one item; raises ValueError for invalid fields."""
        return next(
            self.sign_many(
                gtin=gtin, product_ref=product_ref, lot=lot, serials=(check_serial(serial),)
            )
        )[1]

    def sign_many(
        self,
        *,
        gtin: str | None = None,
        product_ref: str | None = None,
        lot: str,
        serials: Iterable[str],
    ) -> Iterator[tuple[str, str]]:
        """Yield (serial, URI) for each serial, lazily and in order.

        The product, lot and signer fields are validated now and turned into a
        constant payload prefix and URI prefix once; per serial only the serial is
        checked, signed and appended. An invalid serial raises InvalidField when
        reached.
        """
        gtin, product_ref = check_item(gtin, product_ref)
        payload_prefix = _payload_prefix(self.issuer, self.key_id, gtin, product_ref, lot)
        uri_prefix = (
            self.base_url
            + item_path(gtin=gtin, product_ref=product_ref, lot=lot)
            + f"/{SERIAL_AI}/"
        )
        query_prefix = f"?{SIGNATURE_AI}={FORMAT_VERSION}{self.key_id}"
        return self._sign_serials(payload_prefix, uri_prefix, query_prefix, serials)

    def _sign_serials(
        self, payload_prefix: bytes, uri_prefix: str, query_prefix: str, serials: Iterable[str]
    ) -> Iterator[tuple[str, str]]:
        sign = self._private_key.sign
        encode = base64.urlsafe_b64encode
        matches = SERIAL_PATTERN.fullmatch
        for serial in serials:
            if not isinstance(serial, str) or not matches(serial):
                check_serial(serial)
            signature = encode(sign(payload_prefix + serial.encode("ascii") + b"\n"))
            yield (
                serial,
                (uri_prefix + serial + query_prefix + signature[:SIGNATURE_CHARS].decode("ascii")),
            )
