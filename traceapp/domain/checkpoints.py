"""Signed checkpoints of the audit log, published entries and inclusion proofs.

A checkpoint signs (with the issuer's active key, keys/statements.py) the id and
hash of the log's last entry at a moment. Once published, any later rewrite of
the log up to that entry shows: the chain no longer reaches the signed head hash.
Proof and checkpoint formats: keys/log_proof.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.log_proof import CHECKPOINT_TYPE, CHECKPOINT_VERSION, PROOF_FORMAT
from keys.statements import SIGNATURE_MEMBER, sign_statement
from traceapp.domain.audit_chain import chain_findings
from traceapp.domain.audit_log import entry_view, timestamp_text
from traceapp.errors import Conflict, InvalidInput, NotFound
from traceapp.models import AuditCheckpoint, AuditEntry, IssuanceRun
from traceapp.models._columns import utcnow

MAX_ENTRIES_PER_PAGE = 1000
MAX_CHECKPOINTS_LISTED = 100


def checkpoint_document(checkpoint: AuditCheckpoint, issuer: str) -> dict[str, Any]:
    """The signed statement, rebuilt from the stored row (what is published)."""
    return {
        "type": CHECKPOINT_TYPE,
        "version": CHECKPOINT_VERSION,
        "issuer": issuer,
        "last_entry_id": checkpoint.last_entry_id,
        "head_hash": checkpoint.head_hash,
        "created_at": _utc_text(checkpoint.created_at),
        SIGNATURE_MEMBER: {"kid": checkpoint.key_id, "alg": "EdDSA", "sig": checkpoint.signature},
    }


def create_checkpoint(
    session: Session, issuer: str, key_id: str, private_key: Ed25519PrivateKey
) -> tuple[AuditCheckpoint, bool]:
    """Sign the log's current head; (checkpoint, True) if new, (latest, False) if the
    head has not moved since the latest checkpoint.

    Refused (Conflict) for an empty log and for a chain that does not verify: a
    checkpoint must never vouch for a rewritten log. The chain is checked from the
    latest checkpoint's head when that entry still carries the hash it signed (the
    entries before it were checked when it was signed), else from the start.
    """
    latest = _latest(session)
    signed_head = session.get(AuditEntry, latest.last_entry_id) if latest is not None else None
    if (
        latest is not None
        and signed_head is not None
        and signed_head.entry_hash == latest.head_hash
    ):
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.id > latest.last_entry_id).order_by(AuditEntry.id)
        ).all()
        findings = chain_findings(
            entries,
            latest.head_hash,
            f"checkpoint {latest.id}'s head (entry {latest.last_entry_id})",
        )
        if not entries:
            return latest, False
    else:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        if not entries:
            raise Conflict("the audit log is empty: there is nothing to checkpoint")
        findings = chain_findings(entries)
    if findings:
        raise Conflict(
            "the audit log does not verify (%(finding)s); run `traceapp audit verify` and "
            "investigate before signing a checkpoint",
            finding=str(findings[0]),
        )
    head = entries[-1]
    if (
        latest is not None
        and latest.last_entry_id == head.id
        and latest.head_hash == head.entry_hash
    ):
        return latest, False
    created_at = utcnow().replace(microsecond=0)
    document = {
        "type": CHECKPOINT_TYPE,
        "version": CHECKPOINT_VERSION,
        "issuer": issuer,
        "last_entry_id": head.id,
        "head_hash": head.entry_hash,
        "created_at": _utc_text(created_at),
    }
    signed = sign_statement(document, private_key, key_id)
    checkpoint = AuditCheckpoint(
        last_entry_id=head.id,
        head_hash=head.entry_hash,
        key_id=key_id,
        signature=signed[SIGNATURE_MEMBER]["sig"],
        created_at=created_at,
    )
    session.add(checkpoint)
    session.flush()
    return checkpoint, True


def latest_checkpoint(session: Session) -> AuditCheckpoint:
    checkpoint = _latest(session)
    if checkpoint is None:
        raise NotFound("no checkpoint has been published yet")
    return checkpoint


def recent_checkpoints(
    session: Session, limit: int = MAX_CHECKPOINTS_LISTED
) -> list[AuditCheckpoint]:
    """The latest checkpoints, newest first."""
    return list(
        session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(limit))
    )


def published_entries(
    session: Session, first: int | None, last: int | None
) -> list[dict[str, Any]]:
    """Entries with first <= id <= last (at most MAX_ENTRIES_PER_PAGE, from `first`)."""
    first = 1 if first is None else first
    if first < 1 or (last is not None and last < first):
        raise InvalidInput("from must be at least 1 and to at least from", field="from")
    stmt = select(AuditEntry).where(AuditEntry.id >= first)
    if last is not None:
        stmt = stmt.where(AuditEntry.id <= last)
    entries = session.scalars(stmt.order_by(AuditEntry.id).limit(MAX_ENTRIES_PER_PAGE))
    return [entry_view(entry) for entry in entries]


def inclusion_proof(session: Session, run_id: int, issuer: str) -> dict[str, Any]:
    """The proof (keys/log_proof.py) that run `run_id`'s issuance is in the log under
    the first checkpoint that covers it."""
    if session.get(IssuanceRun, run_id) is None:
        raise NotFound("there is no issuance run %(id)s", id=str(run_id))
    entry = session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.action == "labels.issued",
            AuditEntry.subject_type == "issuance_run",
            AuditEntry.subject_id == str(run_id),
        )
        .order_by(AuditEntry.id)
        .limit(1)
    )
    if entry is None:
        raise NotFound("the audit log has no issuance entry for run %(id)s", id=str(run_id))
    checkpoint = session.scalar(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.last_entry_id >= entry.id)
        .order_by(AuditCheckpoint.last_entry_id, AuditCheckpoint.id)
        .limit(1)
    )
    if checkpoint is None:
        raise Conflict(
            "run %(id)s is not covered by a checkpoint yet: the next "
            "`traceapp audit checkpoint` will cover it",
            id=str(run_id),
        )
    following = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.id > entry.id, AuditEntry.id <= checkpoint.last_entry_id)
        .order_by(AuditEntry.id)
    )
    return {
        "format": PROOF_FORMAT,
        "entry": entry_view(entry),
        "following": [entry_view(e) for e in following],
        "checkpoint": checkpoint_document(checkpoint, issuer),
    }


def _latest(session: Session) -> AuditCheckpoint | None:
    return session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))


def _utc_text(moment: datetime) -> str:
    return timestamp_text(moment).replace("+00:00", "Z")
