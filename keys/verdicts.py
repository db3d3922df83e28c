"""The verdict on a label once the issuer's records are known, in one order for everyone.

The public page (the service's database), the inspectors' app and `traceapp verify
--bundle` (an offline bundle) all decide with `decide_verdict`; the app's
JavaScript follows the same order, and a parity test keeps the two equal. The
first that applies wins:

1. not_genuine    malformed, tampered, unknown key (keys.verify), or a well-signed
                  code the records say was never issued
2. revoked_key    the signature is right but the issuer withdrew the key
3. not_in_bundle  offline only: the bundle says nothing about the label's batch
4. voided         the label itself was withdrawn
5. recalled       the whole batch was recalled
6. expired        the batch is not certified, or no certification is valid that day
7. genuine        otherwise
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from keys.verify import Verdict


class LabelVerdict(StrEnum):
    """What the inspector or consumer is told, in the order the rules apply."""

    NOT_GENUINE = "not_genuine"
    REVOKED_KEY = "revoked_key"
    NOT_IN_BUNDLE = "not_in_bundle"
    VOIDED = "voided"
    RECALLED = "recalled"
    EXPIRED = "expired"
    GENUINE = "genuine"


VERDICT_ORDER: tuple[LabelVerdict, ...] = tuple(LabelVerdict)

# Why a code is not genuine: the signature verdict, or a serial never issued.
UNKNOWN_CODE = "unknown_code"
NOT_GENUINE_REASONS = (
    Verdict.MALFORMED.value,
    Verdict.TAMPERED.value,
    Verdict.UNKNOWN_KEY.value,
    UNKNOWN_CODE,
)

# `traceapp verify` exit status, one per verdict (2 stays the usage error of click).
EXIT_CODES: dict[str, int] = {
    LabelVerdict.GENUINE: 0,
    Verdict.MALFORMED.value: 3,
    Verdict.TAMPERED.value: 4,
    Verdict.UNKNOWN_KEY.value: 5,
    UNKNOWN_CODE: 6,
    LabelVerdict.REVOKED_KEY: 7,
    LabelVerdict.NOT_IN_BUNDLE: 8,
    LabelVerdict.VOIDED: 9,
    LabelVerdict.RECALLED: 10,
    LabelVerdict.EXPIRED: 11,
}


@dataclass(frozen=True)
class Validity:
    """One certification's validity period (both days included)."""

    valid_from: date
    valid_to: date

    def valid_on(self, day: date) -> bool:
        """True if `day` lies within the period."""
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class LabelRecord:
    """What the issuer's records say about one label (None: they do not cover it)."""

    issued: bool
    voided: bool
    batch_status: str
    # Some certification of the batch is valid on the day of the check.
    certification_valid: bool


# A verifier with only the key document (no records) judges the signature alone.
SIGNATURE_ONLY = LabelRecord(
    issued=True, voided=False, batch_status="certified", certification_valid=True
)


def decide_verdict(signature: Verdict, record: LabelRecord | None) -> tuple[LabelVerdict, str]:
    """(verdict, reason) for a code whose signature check gave `signature`.

    `record` is None when the records at hand (an offline bundle) do not cover the
    label's batch. The reason is the verdict itself, except for NOT_GENUINE, whose
    reason is one of NOT_GENUINE_REASONS.
    """
    if signature in (Verdict.MALFORMED, Verdict.TAMPERED, Verdict.UNKNOWN_KEY):
        return LabelVerdict.NOT_GENUINE, signature.value
    if record is not None and not record.issued:
        return LabelVerdict.NOT_GENUINE, UNKNOWN_CODE
    if signature is Verdict.REVOKED_KEY:
        return LabelVerdict.REVOKED_KEY, LabelVerdict.REVOKED_KEY.value
    if record is None:
        verdict = LabelVerdict.NOT_IN_BUNDLE
    elif record.voided:
        verdict = LabelVerdict.VOIDED
    elif record.batch_status == "recalled":
        verdict = LabelVerdict.RECALLED
    elif record.batch_status != "certified" or not record.certification_valid:
        verdict = LabelVerdict.EXPIRED
    else:
        verdict = LabelVerdict.GENUINE
    return verdict, verdict.value
