"""The issuer's public key document: a JWKS-style set of Ed25519 verification keys.

    {"issuer": "VN-CB-LMHTX",
     "keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "7K", "x": "<43 base64url chars>",
               "use": "sig", "alg": "EdDSA", "status": "active",
               "created": "2025-01-31T08:00:00Z", "revoked_at": "..." (revoked keys only)}]}

Retired keys stay in the set so that labels signed with them still verify; revoked
keys stay too, marked, so that verifiers can say "revoked" rather than "unknown".
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.exceptions import CryptoError
from nacl.signing import VerifyKey

from keys import json_text
from keys.fields import InvalidField, check_issuer, check_key_id

_X_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


class InvalidKeySet(ValueError):
    """The public key document is not valid; the message says what is wrong."""


class KeyStatus(StrEnum):
    """Where a key is in its life: signing now, kept for old labels, or withdrawn."""

    ACTIVE = "active"
    RETIRED = "retired"
    REVOKED = "revoked"


def encode_public_key(public_key: Ed25519PublicKey) -> str:
    """The JWK `x` value of an Ed25519 public key: 43 unpadded base64url characters."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_public_key(x: object) -> Ed25519PublicKey:
    """The Ed25519 public key from a JWK `x` value; raises InvalidKeySet if not canonical."""
    if not isinstance(x, str) or not _X_PATTERN.fullmatch(x):
        raise InvalidKeySet("a key's x must be 43 base64url characters")
    try:
        raw = base64.urlsafe_b64decode(x + "=")
    except (binascii.Error, ValueError):
        raise InvalidKeySet("a key's x is not valid base64url") from None
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != x:
        raise InvalidKeySet("a key's x is not canonical base64url")
    return Ed25519PublicKey.from_public_bytes(raw)


def _timestamp(value: object, name: str, kid: str) -> str:
    if not isinstance(value, str):
        raise InvalidKeySet(f"key {kid}: {name} must be an ISO 8601 date or time")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise InvalidKeySet(f"key {kid}: {name} {value[:40]!r} is not an ISO 8601 date") from None
    return value


@dataclass(frozen=True)
class PublicKey:
    """One verification key of the issuer."""

    kid: str
    public_key: Ed25519PublicKey
    status: KeyStatus
    created: str
    revoked_at: str | None = None

    def verifies(self, signature: bytes, message: bytes) -> bool:
        """True if `signature` is this key's Ed25519 signature of `message`."""
        try:
            self._verify_key.verify(message, signature)
        except CryptoError:
            return False
        return True

    @cached_property
    def _verify_key(self) -> VerifyKey:
        # libsodium checks a signature in half the time OpenSSL takes (README, libraries).
        return VerifyKey(self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))

    @property
    def x(self) -> str:
        """The public key as the JWK `x` value."""
        return encode_public_key(self.public_key)

    def to_jwk(self) -> dict[str, str]:
        """This key as a JWK object with TraceApp's status fields."""
        jwk = {
            "kty": "OKP",
            "crv": "Ed25519",
            "kid": self.kid,
            "x": self.x,
            "use": "sig",
            "alg": "EdDSA",
            "status": self.status.value,
            "created": self.created,
        }
        if self.revoked_at is not None:
            jwk["revoked_at"] = self.revoked_at
        return jwk

    @classmethod
    def from_jwk(cls, jwk: object) -> PublicKey:
        """Read one JWK object; raises InvalidKeySet if it is not an Ed25519 key of ours.

        Members other than those documented are ignored.
        """
        if not isinstance(jwk, Mapping):
            raise InvalidKeySet("each entry of keys must be an object")
        try:
            kid = check_key_id(jwk.get("kid"))
        except InvalidField as exc:
            raise InvalidKeySet(str(exc)) from None
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise InvalidKeySet(f"key {kid}: only kty OKP with crv Ed25519 is supported")
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "EdDSA") != "EdDSA":
            raise InvalidKeySet(f"key {kid}: use must be sig and alg EdDSA")
        try:
            status = KeyStatus(str(jwk.get("status")))
        except ValueError:
            raise InvalidKeySet(f"key {kid}: status must be active, retired or revoked") from None
        revoked_at = jwk.get("revoked_at")
        if revoked_at is not None:
            revoked_at = _timestamp(revoked_at, "revoked_at", kid)
        try:
            public_key = decode_public_key(jwk.get("x"))
        except InvalidKeySet as exc:
            raise InvalidKeySet(f"key {kid}: {exc}") from None
        return cls(
            kid=kid,
            public_key=public_key,
            status=status,
            created=_timestamp(jwk.get("created"), "created", kid),
            revoked_at=revoked_at,
        )


class PublicKeySet:
    """An issuer's public keys by key id: what an offline verifier needs."""

    def __init__(self, issuer: object, keys: Iterable[PublicKey]) -> None:
        """Raise InvalidKeySet for a bad issuer id or a key id listed twice."""
        try:
            self.issuer = check_issuer(issuer)
        except InvalidField as exc:
            raise InvalidKeySet(str(exc)) from None
        self._keys: dict[str, PublicKey] = {}
        for key in keys:
            if key.kid in self._keys:
                raise InvalidKeySet(f"key id {key.kid} is listed twice")
            self._keys[key.kid] = key

    def __repr__(self) -> str:
        """The issuer and the key ids with their status."""
        listed = ", ".join(f"{k.kid}:{k.status.value}" for k in self._keys.values())
        return f"PublicKeySet(issuer={self.issuer!r}, keys=[{listed}])"

    @property
    def keys(self) -> tuple[PublicKey, ...]:
        """All keys, in document order."""
        return tuple(self._keys.values())

    def get(self, kid: str) -> PublicKey | None:
        """The key with id `kid`, or None if the issuer never published it."""
        return self._keys.get(kid)

    def to_dict(self) -> dict[str, Any]:
        """The JWKS-style document (see the module docstring)."""
        return {"issuer": self.issuer, "keys": [key.to_jwk() for key in self._keys.values()]}

    def to_json(self) -> str:
        """The document as indented JSON text, ending in a newline."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, document: object) -> PublicKeySet:
        """Read the JWKS-style document; raises InvalidKeySet saying what is wrong."""
        if not isinstance(document, Mapping):
            raise InvalidKeySet("the key document must be a JSON object")
        keys = document.get("keys")
        if not isinstance(keys, list):
            raise InvalidKeySet("the key document must have a keys list")
        return cls(document.get("issuer"), [PublicKey.from_jwk(jwk) for jwk in keys])

    @classmethod
    def from_json(cls, text: str | bytes) -> PublicKeySet:
        """Read the document from JSON text; raises InvalidKeySet for bad JSON too."""
        try:
            document = json_text.loads(text)
        except ValueError as exc:
            raise InvalidKeySet(f"the key document is not valid JSON: {exc}") from None
        return cls.from_dict(document)
