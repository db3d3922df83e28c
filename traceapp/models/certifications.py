"""Certifications: what a batch or a whole cooperative has been certified for."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.models._columns import Timestamp, sql_in, vocabulary_column
from traceapp.models.batches import Batch
from traceapp.models.organisations import Cooperative


class CertificationScheme(StrEnum):
    """The certification schemes the Union records."""

    VIETGAP = "vietgap"
    OCOP = "ocop"
    ORGANIC = "organic"
    HERBAL_FED = "herbal_fed"
    LAB_TEST = "lab_test"


class Certification(Base):
    __tablename__ = "certifications"
    __table_args__ = (
        CheckConstraint(sql_in("scheme", CertificationScheme), name="scheme"),
        CheckConstraint("valid_to >= valid_from", name="valid_range"),
        CheckConstraint(
            "(batch_id IS NULL) <> (cooperative_id IS NULL)", name="covers_batch_or_cooperative"
        ),
        CheckConstraint(
            "(scheme = 'ocop' AND ocop_stars BETWEEN 3 AND 5)"
            " OR (scheme <> 'ocop' AND ocop_stars IS NULL)",
            name="ocop_stars",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    scheme: Mapped[CertificationScheme] = vocabulary_column(CertificationScheme, 20)
    ocop_stars: Mapped[int | None]
    certificate_number: Mapped[str] = mapped_column(String(60))
    issuing_body: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    # What the certificate claims, e.g. "Free of 570 banned substances" for a lab test.
    claim: Mapped[str | None] = mapped_column(Text)
    evidence_ref: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[Timestamp]

    batch: Mapped[Batch | None] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()
