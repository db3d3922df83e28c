"""Append entries to the hash-chained audit log (who did what, when).

The hash of each entry covers the previous entry's hash and the entry's fields
(keys/log_proof.py `entry_hash`, so an inspector's offline tool computes exactly
the same); docs/audit-log.md describes the chain, checkpoints and verification.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Table, event, insert, inspect, select, text
from sqlalchemy.orm import Session

from keys.log_proof import GENESIS_HASH, entry_hash
from traceapp.domain.audit_facts import (
    DELETED,
    RECORDED,
    WATCHED_BY_MODEL,
    WatchedTable,
    stored_facts,
)
from traceapp.models import AuditEntry
from traceapp.models._columns import timestamp_text, utcnow

__all__ = [
    "GENESIS_HASH",
    "append",
    "write_facts",
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


def hash_of_entry(entry: Any) -> str:
    """The hash an entry must have, recomputed from its stored fields (an AuditEntry
    or a selected row of audit_entries)."""
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
    """Append one entry in the caller's transaction, chained to the current head.

    The trust facts the caller changed (audit_facts.WATCHED) are logged first, as
    `row.recorded` / `row.deleted` entries under the same actor.
    """
    session.info[ACTOR_KEY] = actor
    session.flush()
    write_facts(session, actor)
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


def append(session: Session, actor: str, items: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Append entries (action, subject_type, subject_id, details) in order, without
    going through the session's unit of work (so it can run during a flush or commit)."""
    if items:
        append_on(session.connection(), actor, items)


def append_on(
    connection: Connection, actor: str, items: list[tuple[str, str, str, dict[str, Any]]]
) -> None:
    """`append` on a bare connection (migrations write the baseline with it)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    table = AuditEntry.__table__
    assert isinstance(table, Table)
    previous = (
        connection.scalar(select(table.c.entry_hash).order_by(table.c.id.desc()).limit(1))
        or GENESIS_HASH
    )
    occurred_at = utcnow().replace(microsecond=0)
    at_text = timestamp_text(occurred_at)
    for action, subject_type, subject_id, details in items:
        details_text = canonical_details(details)
        digest = entry_hash(
            previous, at_text, actor, action, subject_type, subject_id, details_text
        )
        # One row per statement: ids must follow the chain's order.
        connection.execute(
            insert(table).values(
                occurred_at=occurred_at,
                actor=actor,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                details=details_text,
                previous_hash=previous,
                entry_hash=digest,
            )
        )
        previous = digest


# The session listener: one mechanism for every trust fact (audit_facts.WATCHED).
# Each flush collects the watched rows it inserted, changed or deleted; they are
# logged before the next entry the domain records, or at commit at the latest.
PENDING_KEY = "traceapp.audit.pending_facts"
ACTOR_KEY = "traceapp.audit.actor"
UNKNOWN_ACTOR = "system"


def write_facts(session: Session, actor: str | None = None) -> None:
    """Log the trust facts this session has flushed but not yet logged."""
    pending: dict[tuple[str, str], dict[str, Any] | None] = session.info.pop(PENDING_KEY, {})
    append(
        session,
        actor or session.info.get(ACTOR_KEY) or UNKNOWN_ACTOR,
        [
            (DELETED if facts is None else RECORDED, table, row_id, facts or {})
            for (table, row_id), facts in pending.items()
        ],
    )


@event.listens_for(Session, "after_flush")
def _collect_facts(session: Session, _context: object) -> None:
    pending = session.info.setdefault(PENDING_KEY, {})
    written: dict[WatchedTable, list[int]] = {}
    for instance in list(session.new) + list(session.dirty):
        spec = WATCHED_BY_MODEL.get(type(instance))
        if spec is None:
            continue
        state = inspect(instance)
        if instance in session.new or any(
            state.attrs[name].history.has_changes() for name in spec.fields
        ):
            written.setdefault(spec, []).append(instance.id)
    for spec, ids in written.items():
        for row_id, facts in stored_facts(session, spec, ids):
            pending[(spec.name, row_id)] = facts
    for instance in session.deleted:
        spec = WATCHED_BY_MODEL.get(type(instance))
        if spec is not None:
            pending[(spec.name, str(instance.id))] = None
    if not pending:
        session.info.pop(PENDING_KEY, None)


@event.listens_for(Session, "before_commit")
def _write_facts_at_commit(session: Session) -> None:
    session.flush()
    if session.info.get(PENDING_KEY):
        write_facts(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_facts(session: Session, _previous: object) -> None:
    session.info.pop(PENDING_KEY, None)


def _lock_head(session: Session) -> AuditEntry | None:
    # Writers queue on one advisory lock so two transactions can't both chain to
    # the same head. (SQLite serialises writers already with BEGIN IMMEDIATE.)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)
    return session.scalars(stmt).first()
