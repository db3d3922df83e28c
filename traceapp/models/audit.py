"""The tamper-evident log of every state change, and its signed checkpoints."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from traceapp.db import Base
from traceapp.models._columns import Timestamp


class AuditEntry(Base):
    """One state change: who did what to which record, hash-chained to the entry before."""

    __tablename__ = "audit_entries"
    # The public page's batch history and inclusion proofs look entries up by subject.
    __table_args__ = (Index("ix_audit_entries_subject", "subject_type", "subject_id", "action"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[Timestamp]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(60))
    # Canonical JSON (sorted keys) of the change's details.
    details: Mapped[str] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditCheckpoint(Base):
    """A signed statement of the log's size and head hash at a moment."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_entry_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("audit_entries.id")
    )
    head_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(8))
    signature: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[Timestamp]


class AuditState(Base):
    """The trust facts as the log stood at the last verified checkpoint.

    Written by `audit verify` when it finds the log clean up to a new checkpoint;
    the SHA-256 of these rows is in that verification's `audit.verified` entry, so
    the next verify replays only the entries after the checkpoint (docs/audit-log.md).
    """

    __tablename__ = "audit_state"

    # A watched table's name and row id; or "labels" and a run id (its pinned digest);
    # or "quota" and a batch id (labels issued so far, per the log).
    subject_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    # Canonical JSON of what the log says about the subject.
    value: Mapped[str] = mapped_column(Text)


class LabelWrite(Base):
    """A batch whose labels (or labels_issued) were written since the last verify.

    Database triggers add the rows (traceapp/infrastructure/label_writes.py), for the
    service's writes and a direct edit alike, so `audit verify` reads the labels of
    these batches only; a verify that records a verified checkpoint deletes the notes
    it read. Not backed up: a restore's label inserts note every batch again.
    """

    __tablename__ = "label_writes"
    __table_args__ = {"info": {"backed_up": False}}

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(index=True)
