"""Partner companies and the EPCIS events that link batches from farm to buyer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.models._columns import Timestamp, sql_in
from traceapp.models.batches import Batch

PARTNER_ROLES = ("buyer", "processor", "exporter", "supermarket", "hotel")
EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransformationEvent")
EVENT_LINK_ROLES = ("subject", "parent", "child", "input", "output")


class Partner(Base):
    __tablename__ = "partners"
    __table_args__ = (CheckConstraint(sql_in("role", PARTNER_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    gln: Mapped[str | None] = mapped_column(String(13), unique=True)
    address: Mapped[str | None] = mapped_column(String(300))
    province: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[Timestamp]


class ChainEvent(Base):
    """A GS1 EPCIS 2.0 event; the full event document is kept as recorded."""

    __tablename__ = "chain_events"
    __table_args__ = (CheckConstraint(sql_in("event_type", EVENT_TYPES), name="event_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), unique=True)
    event_type: Mapped[str] = mapped_column(String(30))
    biz_step: Mapped[str | None] = mapped_column(String(60))
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    document: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[Timestamp]

    partner: Mapped[Partner | None] = relationship()


class ChainEventBatch(Base):
    """Which batches an event is about, and in what role (input, output, parent...)."""

    __tablename__ = "chain_event_batches"
    __table_args__ = (
        UniqueConstraint("event_id", "batch_id", "role", name="uq_chain_event_batches_link"),
        CheckConstraint(sql_in("role", EVENT_LINK_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("chain_events.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))

    batch: Mapped[Batch] = relationship()
