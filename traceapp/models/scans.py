"""Scans: every time somebody opens a label's verification page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from traceapp.db import Base
from traceapp.models._columns import utcnow


class Scan(Base):
    __tablename__ = "scans"
    # The verification page counts a code's scans and finds its first one on every
    # view: (label_id, scanned_at) serves both (and every lookup by label alone).
    __table_args__ = (Index("ix_scans_label_id_scanned_at", "label_id", "scanned_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # Null when the code did not match any issued label (forged or mistyped).
    label_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("labels.id")
    )
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    verdict: Mapped[str] = mapped_column(String(30))
    # Salted hash of the client address; the raw address is never stored.
    client_hash: Mapped[str] = mapped_column(String(64))
    # Coarse location only (rounded to ~10 km), from the browser or a proxy header.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    region: Mapped[str | None] = mapped_column(String(100))
