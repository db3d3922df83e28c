"""Issuance runs and the signed labels they produced, one per physical item."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.models._columns import Timestamp, sql_in, vocabulary_column
from traceapp.models.batches import Batch


class LabelStatus(StrEnum):
    """Whether a printed label still vouches for its item."""

    ACTIVE = "active"
    VOIDED = "voided"


class IssuanceRun(Base):
    """One request for N labels; its labels are printed and downloaded together."""

    __tablename__ = "issuance_runs"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    quantity: Mapped[int]
    key_id: Mapped[str] = mapped_column(String(8))
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[Timestamp]
    # The language of the run's printed words (vi, or en for export), chosen at
    # issuance: its print jobs and downloads use it unless one asks for another.
    label_language: Mapped[str] = mapped_column(String(5), default="vi", server_default="vi")

    batch: Mapped[Batch] = relationship()


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (
        UniqueConstraint("batch_id", "serial", name="uq_labels_serial_per_batch"),
        UniqueConstraint("run_id", "sequence", name="uq_labels_sequence_per_run"),
        CheckConstraint(sql_in("status", LabelStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("issuance_runs.id"))
    # 1-based position within the run: the order labels are printed in.
    sequence: Mapped[int]
    # Found by (batch_id, serial), uq_labels_serial_per_batch: an index on the serial
    # alone, random among 20 million, cost issuance two thirds of its rate (0021).
    serial: Mapped[str] = mapped_column(String(20))
    key_id: Mapped[str] = mapped_column(String(8))
    # The GS1 AI 8030 value: key id and Ed25519 signature (docs/code-format.md).
    signature: Mapped[str] = mapped_column(String(90))
    status: Mapped[LabelStatus] = vocabulary_column(LabelStatus, 10, default=LabelStatus.ACTIVE)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str | None] = mapped_column(Text)

    batch: Mapped[Batch] = relationship()
    run: Mapped[IssuanceRun] = relationship()
