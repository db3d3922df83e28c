"""Append entries to the hash-chained audit log (who did what, when)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from traceapp.models import AuditEntry
from traceapp.models._columns import utcnow

GENESIS_HASH = "0" * 64
AUDIT_LOCK_KEY = 0x7472616365  # "trace"


def entry_hash(previous_hash: str, occurred_at: str, actor: str, action: str,
               subject_type: str, subject_id: str, details: str) -> str:
    """SHA-256 over the previous hash and the entry's fields (docs/audit-log.md)."""
    material = "\n".join(
        [previous_hash, occurred_at, actor, action, subject_type, subject_id, details]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def canonical_details(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def record(session: Session, actor: str, action: str, subject_type: str,
           subject_id: object, details: dict[str, Any] | None = None) -> AuditEntry:
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
        entry_hash=entry_hash(previous, occurred_at.isoformat(), actor, action, subject_type,
                              str(subject_id), details_text),
    )
    session.add(entry)
    session.flush()
    return entry


def _lock_head(session: Session) -> AuditEntry | None:
    # Writers queue on one advisory lock so two transactions can't both chain to
    # the same head. (SQLite serialises writers already with BEGIN IMMEDIATE.)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)
    return session.scalars(stmt).first()
