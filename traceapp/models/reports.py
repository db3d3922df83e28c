"""Reports that consumers send from a label's page when its verdict is not genuine."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from traceapp.db import Base
from traceapp.models._columns import utcnow


class LabelReport(Base):
    __tablename__ = "label_reports"
    # The Union lists open reports newest first.
    __table_args__ = (Index("ix_label_reports_handled_at_id", "handled_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The address of the page the consumer reported (the label's code as scanned).
    code: Mapped[str] = mapped_column(String(2100))
    # The verdict the page showed (one of keys.verify's verdicts, or "copied").
    verdict: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    # Salted hash of the sender's address, as for scans; the raw address is never stored.
    client_hash: Mapped[str] = mapped_column(String(64))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by: Mapped[str | None] = mapped_column(String(200))
