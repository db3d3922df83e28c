"""Append entries to the hash-chained audit log (who did what, when).

The hash of each entry covers the previous entry's hash and the entry's fields
(keys/log_proof.py `entry_hash`, so an inspector's offline tool computes exactly
the same); docs/audit-log.md describes the chain, checkpoints and verification.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from keys.log_proof import GENESIS_HASH, entry_hash
from traceapp.models import AuditEntry
from traceapp.models._columns import utcnow

__all__ = [
    "GENESIS_HASH",
    "KEY_ACTIONS",
    "canonical_details",
    "entry_hash",
    "entry_view",
    "hash_of_entry",
    "record",
    "record_key_event",
    "timestamp_text",
]

AUDIT_LOCK_KEY = 0x7472616365  # "trace"
KEY_ACTIONS = ("key.generated", "key.rotated", "key.revoked")


def canonical_details(details: dict[str, Any]) -> str:
    return json.dumps(
        details, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def timestamp_text(moment: datetime) -> str:
    """The form of a stored time that hashes cover: UTC, to the second, e.g.
    2025-01-31T08:00:00+00:00. SQLite hands times back naive, PostgreSQL in the
    session's time zone; both mean the same UTC instant."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def hash_of_entry(entry: AuditEntry) -> str:
    """The hash an entry must have, recomputed from its stored fields."""
    return entry_hash(
        entry.previous_hash,
        timestamp_text(entry.occurred_at),
        entry.actor,
        entry.action,
        entry.subject_type,
        entry.subject_id,
        entry.details,
    )


def entry_view(entry: AuditEntry) -> dict[str, Any]:
    """The entry as published (transparency endpoints, proofs): every hashed field."""
    return {
        "id": entry.id,
        "occurred_at": timestamp_text(entry.occurred_at),
        "actor": entry.actor,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "details": entry.details,
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
    }


def record(
    session: Session,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: object,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction, chained to the current head."""
    head = _lock_head(session)
    previous = head.entry_hash if head else GENESIS_HASH
    occurred_at = utcnow().replace(microsecond=0)
    details_text = canonical_details(details or {})
    entry = AuditEntry(
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        details=details_text,
        previous_hash=previous,
        entry_hash=entry_hash(
            previous,
            timestamp_text(occurred_at),
            actor,
            action,
            subject_type,
            str(subject_id),
            details_text,
        ),
    )
    session.add(entry)
    session.flush()
    return entry


def record_key_event(
    session: Session, actor: str, action: str, kid: str, details: dict[str, Any] | None = None
) -> AuditEntry:
    """Log a signing-key event (generated, rotated, revoked) of key `kid`.

    keys/ knows no database, so whoever drives the key store (the `traceapp keys`
    commands, the console) calls this once the key store has changed.
    """
    if action not in KEY_ACTIONS:
        raise ValueError(f"key events are {', '.join(KEY_ACTIONS)}, not {action!r}")
    return record(session, actor, action, "signing_key", kid, details)


def _lock_head(session: Session) -> AuditEntry | None:
    # Writers queue on one advisory lock so two transactions can't both chain to
    # the same head. (SQLite serialises writers already with BEGIN IMMEDIATE.)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)
    return session.scalars(stmt).first()
