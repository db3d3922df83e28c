"""Signed statements: small JSON documents signed with an issuer key.

Used for what is not a label code but must still be checkable offline: audit-log
checkpoints and inspectors' offline batch bundles. The signature covers the
canonical JSON of the document without its "signature" member: keys sorted, no
insignificant white space, UTF-8.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_MEMBER = "signature"


def canonical_json(document: dict[str, Any]) -> bytes:
    """The exact bytes a statement's signature covers."""
    body = {k: v for k, v in document.items() if k != SIGNATURE_MEMBER}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def statement_text(document: dict[str, Any]) -> str:
    """The whole signed statement as canonical JSON text (signature included).

    Sent so, its signed bytes are the text without the "signature" member, which a
    verifier can cut out instead of re-serialising (docs/offline-bundle.md).
    """
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sign_statement(
    document: dict[str, Any], private_key: Ed25519PrivateKey, key_id: str
) -> dict[str, Any]:
    """Return a copy of `document` with a "signature" member {kid, alg, sig}."""
    sig = private_key.sign(canonical_json(document))
    return {
        **document,
        SIGNATURE_MEMBER: {
            "kid": key_id,
            "alg": "EdDSA",
            "sig": base64.urlsafe_b64encode(sig).rstrip(b"=").decode("ascii"),
        },
    }


def verify_statement(
    document: dict[str, Any], public_key_for: Callable[[str], Ed25519PublicKey | None]
) -> bool:
    """True if the statement's signature is valid under the key its "kid" names."""
    signature = document.get(SIGNATURE_MEMBER)
    if not isinstance(signature, dict) or not isinstance(signature.get("sig"), str):
        return False
    public_key = public_key_for(str(signature.get("kid", "")))
    if public_key is None:
        return False
    try:
        raw = base64.urlsafe_b64decode(signature["sig"] + "=" * (-len(signature["sig"]) % 4))
        public_key.verify(raw, canonical_json(document))
    except (InvalidSignature, ValueError):
        return False
    return True
