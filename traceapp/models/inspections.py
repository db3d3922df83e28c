"""Inspections recorded by inspectors in the field."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.models._columns import Timestamp, sql_in, vocabulary_column
from traceapp.models.batches import Batch


class InspectionResult(StrEnum):
    """An inspector's finding on a batch."""

    PASSED = "passed"
    FAILED = "failed"
    OBSERVATIONS = "observations"


class Inspection(Base):
    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(sql_in("result", InspectionResult), name="result"),
        # An inspection recorded offline carries the id its phone made: sent twice, stored once.
        UniqueConstraint("client_id", name="uq_inspections_client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspected_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    result: Mapped[InspectionResult] = vocabulary_column(InspectionResult, 20)
    notes: Mapped[str | None] = mapped_column(Text)
    photo_ref: Mapped[str | None] = mapped_column(String(300))
    client_id: Mapped[str | None] = mapped_column(String(36))
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[Timestamp]

    batch: Mapped[Batch] = relationship()
