"""Offline verification of a label code against the issuer's public key document."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from keys.codes import LabelCode, MalformedCode, parse_uri
from keys.keyset import KeyStatus, PublicKeySet
from keys.signing import signing_payload


class Verdict(StrEnum):
    """What a verifier concludes about a scanned code."""

    GENUINE = "genuine"
    TAMPERED = "tampered"
    UNKNOWN_KEY = "unknown_key"
    REVOKED_KEY = "revoked_key"
    MALFORMED = "malformed"

    @property
    def label(self) -> str:
        """The verdict in words, e.g. "unknown key"."""
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class VerificationResult:
    """The verdict, the decoded code (None if malformed) and a sentence for people."""

    verdict: Verdict
    code: LabelCode | None
    detail: str

    @property
    def genuine(self) -> bool:
        """True only for the GENUINE verdict."""
        return self.verdict is Verdict.GENUINE


def verify_code(uri: str, keyset: PublicKeySet) -> VerificationResult:
    """Verify a scanned code offline; never raises, whatever text `uri` holds.

    MALFORMED: not a well-formed code. UNKNOWN_KEY: its key id is not in the key
    document. TAMPERED: the signature does not match the code's fields under that
    key (or the key's issuer). REVOKED_KEY: the signature matches, but the issuer
    has revoked the key, so the label must not be trusted. GENUINE otherwise, for
    active and retired keys alike.
    """
    try:
        code = parse_uri(uri)
    except MalformedCode as exc:
        return VerificationResult(Verdict.MALFORMED, None, str(exc))
    key = keyset.get(code.key_id)
    if key is None:
        return VerificationResult(
            Verdict.UNKNOWN_KEY, code, f"{keyset.issuer} has published no key {code.key_id}"
        )
    payload = signing_payload(
        keyset.issuer,
        gtin=code.gtin,
        product_ref=code.product_ref,
        lot=code.lot,
        serial=code.serial,
        key_id=code.key_id,
    )
    if not key.verifies(code.signature, payload):
        return VerificationResult(
            Verdict.TAMPERED,
            code,
            f"the signature does not match this code under {keyset.issuer}'s key {code.key_id}",
        )
    if key.status is KeyStatus.REVOKED:
        when = f" on {key.revoked_at}" if key.revoked_at else ""
        return VerificationResult(
            Verdict.REVOKED_KEY,
            code,
            f"signed with key {code.key_id}, which {keyset.issuer} "
            f"revoked{when}: do not trust this label",
        )
    return VerificationResult(
        Verdict.GENUINE,
        code,
        f"signed by {keyset.issuer} with key {code.key_id} ({key.status.value})",
    )
