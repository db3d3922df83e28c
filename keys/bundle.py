"""Offline batch bundles: signed summaries of a district's batches for inspectors.

The service writes a bundle (JSON) with the issuer's public key set and one
summary per certified or recalled batch, signed as a statement (keys.statements)
with the active key. An inspector's tool checks the bundle's signature against a
key set it already trusts, then looks a scanned code's batch up in it, so it can
show the product, certifications, a recall or a voided label without network.

    {"format": "traceapp-offline-bundle/1", "issuer": "VN-CB-LMHTX",
     "generated_at": "2025-01-31T08:00:00Z", "region": {"province": ..., "commune": ...},
     "keys": {<public key set>},
     "batches": [{"gtin": ..., "product_ref": ..., "lot": ..., "product": ...,
                  "cooperative": ..., "status": "certified" | "recalled", ...,
                  "certifications": [...], "voided_serials": [...]}],
     "signature": {"kid": ..., "alg": "EdDSA", "sig": ...}}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from keys.codes import LabelCode
from keys.keyset import KeyStatus, PublicKeySet
from keys.statements import verify_statement

BUNDLE_FORMAT = "traceapp-offline-bundle/1"


class InvalidBundle(ValueError):
    """The bundle is unreadable, not signed by a trusted key, or from another issuer."""


@dataclass(frozen=True)
class BatchSummary:
    """One batch as the bundle describes it; `data` is the summary object as signed."""

    data: Mapping[str, Any]

    @property
    def lot(self) -> str:
        """The batch's lot code."""
        return str(self.data.get("lot", ""))

    def label_status(self, serial: str) -> str:
        """ "voided" for a voided serial, else the batch status ("certified" or "recalled")."""
        if serial in set(self.data.get("voided_serials") or ()):
            return "voided"
        return str(self.data.get("status", "unknown"))

    def lines(self, serial: str | None = None) -> list[str]:
        """The summary as lines of text for a terminal."""
        data = self.data
        lines = [
            f"Product:  {data.get('product')}",
            f"Coop:     {data.get('cooperative')}",
            f"Origin:   {data.get('origin_commune')}, {data.get('origin_province')}",
            f"Produced: {data.get('produced_on')}",
        ]
        if data.get("best_before"):
            lines.append(f"Best before: {data['best_before']}")
        for cert in data.get("certifications") or ():
            lines.append(
                f"Certified: {cert.get('scheme')} {cert.get('certificate_number')} "
                f"({cert.get('issuing_body')}) {cert.get('valid_from')} to "
                f"{cert.get('valid_to')}"
            )
        status = self.label_status(serial) if serial else str(data.get("status"))
        lines.append(f"Status:   {status.upper()}")
        if data.get("status") == "recalled":
            lines.append(f"Recalled: {data.get('recalled_at')}: {data.get('recall_reason')}")
        return lines


class OfflineBundle:
    """A verified bundle: batch summaries by (item, lot)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        """Use `load`; this takes a document whose signature was already checked."""
        self.document = document
        self._batches: dict[tuple[str | None, str | None, str], BatchSummary] = {}
        for batch in document.get("batches") or ():
            if not isinstance(batch, Mapping):
                raise InvalidBundle("each entry of batches must be an object")
            key = (batch.get("gtin"), batch.get("product_ref"), str(batch.get("lot")))
            self._batches[key] = BatchSummary(batch)

    @property
    def generated_at(self) -> str:
        """When the service wrote the bundle (ISO 8601, UTC)."""
        return str(self.document.get("generated_at", ""))

    def __len__(self) -> int:
        """How many batches the bundle describes."""
        return len(self._batches)

    @classmethod
    def load(cls, document: object, trusted: PublicKeySet) -> OfflineBundle:
        """Check `document` (dict or JSON text) against the `trusted` key set.

        The signature must verify under a key of `trusted` that is not revoked, and
        the bundle's issuer must be that key set's issuer; raises InvalidBundle if not.
        """
        if isinstance(document, str | bytes):
            try:
                document = json.loads(document)
            except (ValueError, RecursionError) as exc:
                raise InvalidBundle(f"the bundle is not valid JSON: {exc}") from None
        if not isinstance(document, Mapping) or document.get("format") != BUNDLE_FORMAT:
            raise InvalidBundle(f"not an offline bundle (format {BUNDLE_FORMAT} expected)")
        if document.get("issuer") != trusted.issuer:
            raise InvalidBundle(
                f"the bundle is from {document.get('issuer')!r}, not {trusted.issuer!r}"
            )

        def public_key_for(kid: str) -> Ed25519PublicKey | None:
            key = trusted.get(kid)
            return (
                key.public_key if key is not None and key.status is not KeyStatus.REVOKED else None
            )

        if not verify_statement(dict(document), public_key_for):
            raise InvalidBundle("the bundle's signature does not verify under the trusted keys")
        return cls(document)

    def find(self, code: LabelCode) -> BatchSummary | None:
        """The summary of the batch a code belongs to, if the bundle covers it."""
        return self._batches.get((code.gtin, code.product_ref, code.lot))
