"""Offline check that an audit-log entry is included under a signed checkpoint.

The issuer's audit log is a hash chain: each entry's hash is SHA-256 over the
previous entry's hash and the entry's own fields (see `entry_hash`). A checkpoint
is a signed statement (keys/statements.py) of the log's last entry id and head
hash at a moment. A proof carries one entry, every entry after it up to the
checkpoint's last entry, and the checkpoint:

    {"format": "traceapp-log-proof/1",
     "entry": {"id", "occurred_at", "actor", "action", "subject_type", "subject_id",
               "details", "previous_hash", "entry_hash"},
     "following": [entries in the same shape, oldest first],
     "checkpoint": {"type": "traceapp-audit-checkpoint", "version": 1, "issuer",
                    "last_entry_id", "head_hash", "created_at", "signature": {...}}}

Recomputing the chain from the entry to the head and checking the checkpoint's
signature shows that the entry was in the log, unaltered, when the checkpoint was
signed. Nothing here needs the database or the service.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from keys.keyset import KeyStatus, PublicKeySet
from keys.statements import verify_statement

PROOF_FORMAT = "traceapp-log-proof/1"
CHECKPOINT_TYPE = "traceapp-audit-checkpoint"
CHECKPOINT_VERSION = 1
GENESIS_HASH = "0" * 64
ENTRY_FIELDS = (
    "id",
    "occurred_at",
    "actor",
    "action",
    "subject_type",
    "subject_id",
    "details",
    "previous_hash",
    "entry_hash",
)


def entry_hash(
    previous_hash: str,
    occurred_at: str,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: str,
) -> str:
    """SHA-256 (hex) over the previous hash and the entry's fields, one per line."""
    material = "\n".join(
        [previous_hash, occurred_at, actor, action, subject_type, subject_id, details]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def hash_of(entry: Mapping[str, Any]) -> str:
    """`entry_hash` of an entry given as a mapping in the proof's shape."""
    return entry_hash(
        str(entry["previous_hash"]),
        str(entry["occurred_at"]),
        str(entry["actor"]),
        str(entry["action"]),
        str(entry["subject_type"]),
        str(entry["subject_id"]),
        str(entry["details"]),
    )


@dataclass(frozen=True)
class ProofResult:
    """Whether the proof holds, and a sentence saying why or why not."""

    valid: bool
    detail: str


def checkpoint_signed(checkpoint: Mapping[str, Any], keyset: PublicKeySet) -> ProofResult:
    """Check a checkpoint's shape, issuer and signature against the issuer's key set.

    A checkpoint signed with a key the issuer has since revoked is not trusted.
    """
    if (
        not isinstance(checkpoint, Mapping)
        or checkpoint.get("type") != CHECKPOINT_TYPE
        or checkpoint.get("version") != CHECKPOINT_VERSION
    ):
        return ProofResult(False, "the checkpoint is not a TraceApp audit checkpoint")
    if checkpoint.get("issuer") != keyset.issuer:
        return ProofResult(
            False,
            f"the checkpoint names issuer {checkpoint.get('issuer')!r}, not {keyset.issuer!r}",
        )
    signature = checkpoint.get("signature")
    kid = str(signature.get("kid", "")) if isinstance(signature, Mapping) else ""
    key = keyset.get(kid)
    if key is None:
        return ProofResult(
            False,
            f"the checkpoint is signed with key {kid!r}, which {keyset.issuer} has not published",
        )
    if key.status is KeyStatus.REVOKED:
        return ProofResult(
            False, f"the checkpoint is signed with key {kid}, which {keyset.issuer} has revoked"
        )
    if not verify_statement(dict(checkpoint), lambda k: key.public_key if k == kid else None):
        return ProofResult(False, f"the checkpoint's signature does not match under key {kid}")
    return ProofResult(True, f"checkpoint signed by {keyset.issuer} with key {kid}")


def verify_inclusion(proof: Any, keyset: PublicKeySet) -> ProofResult:
    """Check that `proof["entry"]` is in the log under `proof["checkpoint"]`.

    Never raises for a malformed proof: returns an invalid result saying what is wrong.
    """
    try:
        return _verify_inclusion(proof, keyset)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return ProofResult(False, f"the proof is malformed ({exc.__class__.__name__}: {exc})")


def _verify_inclusion(proof: Any, keyset: PublicKeySet) -> ProofResult:
    if not isinstance(proof, Mapping) or proof.get("format") != PROOF_FORMAT:
        return ProofResult(False, f"the proof is not in format {PROOF_FORMAT}")
    checkpoint = proof["checkpoint"]
    signed = checkpoint_signed(checkpoint, keyset)
    if not signed.valid:
        return signed
    entries = [proof["entry"], *proof["following"]]
    for entry in entries:
        missing = [name for name in ENTRY_FIELDS if name not in entry]
        if missing:
            return ProofResult(False, f"an entry lacks {', '.join(missing)}")
    previous_id: int | None = None
    running: str | None = None
    for entry in entries:
        entry_id = int(entry["id"])
        if previous_id is not None and entry_id <= previous_id:
            return ProofResult(False, f"entry {entry_id} is out of order after {previous_id}")
        if running is not None and entry["previous_hash"] != running:
            return ProofResult(False, f"entry {entry_id} does not chain to entry {previous_id}")
        running = hash_of(entry)
        if running != entry["entry_hash"]:
            return ProofResult(False, f"entry {entry_id}'s hash does not match its contents")
        previous_id = entry_id
    if previous_id != int(checkpoint["last_entry_id"]):
        return ProofResult(
            False,
            f"the chain ends at entry {previous_id}, not at the "
            f"checkpoint's last entry {checkpoint['last_entry_id']}",
        )
    if running != checkpoint["head_hash"]:
        return ProofResult(False, "the chain's head hash differs from the checkpoint's")
    return ProofResult(
        True,
        f"entry {proof['entry']['id']} is included under the checkpoint "
        f"of entry {previous_id} ({signed.detail})",
    )
