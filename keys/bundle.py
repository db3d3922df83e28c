"""Offline bundles: a province's or commune's batches, signed, for inspectors with no signal.

docs/offline-bundle.md describes the format and the steps a verifier takes, well
enough to write another one; the inspectors' app (traceapp/static/inspect/) is
such a verifier in JavaScript. In short:

    {"format": "traceapp-offline-bundle/2", "issuer": "VN-CB-LMHTX",
     "generated_at": "2026-11-29T08:00:00Z", "timezone": "Asia/Ho_Chi_Minh",
     "region": {"province": "Cao Bằng", "commune": null},
     "keys": {<the public key document, docs/code-format.md section 6>},
     "batches": [{"batch_id": 7, "gtin": ..., "product_ref": ..., "lot": ...,
                  "product": ..., "cooperative": ..., "status": "certified" | "recalled",
                  ..., "certifications": [{"valid_from": ..., "valid_to": ..., ...}],
                  "voided_serials": [...]}],
     "signature": {"kid": ..., "alg": "EdDSA", "sig": ...}}

The batches are every certified or recalled batch of the region, plus every other
recalled batch of the issuer and every batch with a voided label, so no voided
label or recall is missing. The signature covers the canonical JSON of everything
but "signature" (keys.statements).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from keys import json_text
from keys.codes import LabelCode
from keys.keyset import InvalidKeySet, KeyStatus, PublicKeySet
from keys.statements import verify_statement
from keys.verdicts import LabelRecord, LabelVerdict, Validity, decide_verdict
from keys.verify import verify_code

BUNDLE_FORMAT = "traceapp-offline-bundle/2"
# Older data than this gets a warning (the app's default: Settings.bundle_max_age_days).
DEFAULT_MAX_AGE_DAYS = 7


class InvalidBundle(ValueError):
    """The bundle is unreadable, not signed by a trusted key, or from another issuer."""


@dataclass(frozen=True)
class BatchSummary:
    """One batch as the bundle describes it; `data` is the summary object as signed."""

    data: Mapping[str, Any]
    voided: frozenset[str]
    certifications: tuple[Validity, ...]

    @property
    def lot(self) -> str:
        """The batch's lot code."""
        return str(self.data.get("lot", ""))

    @property
    def status(self) -> str:
        """The batch status when the bundle was made: "certified" or "recalled"."""
        return str(self.data.get("status", ""))

    def record(self, serial: str, day: date) -> LabelRecord:
        """What the bundle says about the label `serial` of this batch on `day`."""
        return LabelRecord(
            issued=True,
            voided=serial in self.voided,
            batch_status=self.status,
            certification_valid=any(c.valid_on(day) for c in self.certifications),
        )

    def lines(self) -> list[str]:
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
        if self.status == "recalled":
            lines.append(f"Recalled: {data.get('recalled_at')}: {data.get('recall_reason')}")
        return lines


@dataclass(frozen=True)
class BundleCheck:
    """A code checked against a bundle: the verdict first, then what explains it."""

    verdict: LabelVerdict
    reason: str
    detail: str
    code: LabelCode | None
    batch: BatchSummary | None
    day: date


def _day(value: object, where: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidBundle(f"{where} must be an ISO 8601 date, not {str(value)[:20]!r}") from None


def _summary(batch: object) -> BatchSummary:
    if not isinstance(batch, Mapping):
        raise InvalidBundle("each entry of batches must be an object")
    certifications = batch.get("certifications") or []
    voided = batch.get("voided_serials") or []
    if not isinstance(certifications, list) or not isinstance(voided, list):
        raise InvalidBundle("certifications and voided_serials must be lists")
    periods = []
    for cert in certifications:
        if not isinstance(cert, Mapping):
            raise InvalidBundle("each certification must be an object")
        periods.append(
            Validity(
                _day(cert.get("valid_from"), "valid_from"), _day(cert.get("valid_to"), "valid_to")
            )
        )
    return BatchSummary(batch, frozenset(str(s) for s in voided), tuple(periods))


class OfflineBundle:
    """A verified bundle: its key document and batch summaries by (item, lot)."""

    def __init__(self, document: Mapping[str, Any], keyset: PublicKeySet) -> None:
        """Use `load`; this takes a document whose signature was already checked."""
        self.document = document
        self.keyset = keyset
        try:
            self.timezone = ZoneInfo(str(document.get("timezone") or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidBundle(f"unknown time zone {document.get('timezone')!r}") from None
        batches = document.get("batches")
        if not isinstance(batches, list):
            raise InvalidBundle("the bundle must have a batches list")
        self._batches: dict[tuple[str | None, str | None, str], BatchSummary] = {}
        for batch in batches:
            summary = _summary(batch)
            key = (summary.data.get("gtin"), summary.data.get("product_ref"), summary.lot)
            self._batches[key] = summary

    @property
    def generated_at(self) -> str:
        """When the service wrote the bundle (ISO 8601, UTC)."""
        return str(self.document.get("generated_at", ""))

    def age_days(self, now: datetime | None = None) -> float:
        """How old the bundle's data is, in days."""
        made = datetime.fromisoformat(self.generated_at.replace("Z", "+00:00"))
        return ((now or datetime.now(UTC)) - made).total_seconds() / 86400

    def __len__(self) -> int:
        """How many batches the bundle describes."""
        return len(self._batches)

    @classmethod
    def load(cls, document: object, trusted: PublicKeySet) -> OfflineBundle:
        """Check `document` (dict or JSON text) against the `trusted` key set.

        Refused with InvalidBundle: another format or issuer; a key document that
        is invalid or shows a key revoked in `trusted` as not revoked (stale); a
        signature that does not verify under a key of `trusted`, or whose key is
        revoked in either document.
        """
        if isinstance(document, str | bytes):
            try:
                document = json_text.loads(document)
            except ValueError as exc:
                raise InvalidBundle(f"the bundle is not valid JSON: {exc}") from None
        if not isinstance(document, Mapping) or document.get("format") != BUNDLE_FORMAT:
            raise InvalidBundle(f"not an offline bundle (format {BUNDLE_FORMAT} expected)")
        if document.get("issuer") != trusted.issuer:
            raise InvalidBundle(
                f"the bundle is from {document.get('issuer')!r}, not {trusted.issuer!r}"
            )
        try:
            keyset = PublicKeySet.from_dict(document.get("keys"))
        except InvalidKeySet as exc:
            raise InvalidBundle(f"the bundle's key document is invalid: {exc}") from None
        if keyset.issuer != trusted.issuer:
            raise InvalidBundle("the bundle's key document is from another issuer")
        for key in trusted.keys:
            inside = keyset.get(key.kid)
            if key.status is KeyStatus.REVOKED and (
                inside is None or inside.status is not KeyStatus.REVOKED
            ):
                raise InvalidBundle(
                    f"the bundle is older than your key document: key {key.kid} is revoked"
                )
        signature = document.get("signature")
        kid = str(signature.get("kid", "")) if isinstance(signature, Mapping) else ""
        for keys in (trusted, keyset):
            named = keys.get(kid)
            if named is not None and named.status is KeyStatus.REVOKED:
                raise InvalidBundle(f"the bundle is signed with key {kid}, which is revoked")
        signer = trusted.get(kid)
        if signer is None or not verify_statement(
            dict(document), lambda _: signer.public_key if signer else None
        ):
            raise InvalidBundle("the bundle's signature does not verify under the trusted keys")
        return cls(document, keyset)

    def find(self, code: LabelCode) -> BatchSummary | None:
        """The summary of the batch a code belongs to, if the bundle covers it."""
        return self._batches.get((code.gtin, code.product_ref, code.lot))

    def today(self, now: datetime | None = None) -> date:
        """Today in the issuer's time zone: the day certifications must be valid on."""
        return (now or datetime.now(UTC)).astimezone(self.timezone).date()

    def check(self, text: str, day: date | None = None) -> BundleCheck:
        """The verdict on the code `text` (any text; never raises) on `day` (default today)."""
        day = day or self.today()
        result = verify_code(text, self.keyset)
        batch = self.find(result.code) if result.code is not None else None
        record = batch.record(result.code.serial, day) if batch and result.code else None
        verdict, reason = decide_verdict(result.verdict, record)
        detail = {
            LabelVerdict.NOT_IN_BUNDLE: "the bundle says nothing about this label's batch",
            LabelVerdict.VOIDED: "the label was voided by its issuer",
            LabelVerdict.RECALLED: "the batch was recalled",
            LabelVerdict.EXPIRED: f"no certification of this batch is valid on {day}",
        }.get(verdict, result.detail)
        return BundleCheck(verdict, reason, detail, result.code, batch, day)
