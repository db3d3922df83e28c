"""Partner companies and the EPCIS events that link batches from farm to buyer."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.epcis.documents import EventType
from traceapp.models._columns import Timestamp, sql_in, vocabulary_column
from traceapp.models.batches import Batch


class PartnerRole(StrEnum):
    """What a partner company does in a value chain."""

    BUYER = "buyer"
    PROCESSOR = "processor"
    EXPORTER = "exporter"
    SUPERMARKET = "supermarket"
    HOTEL = "hotel"


class EventLinkRole(StrEnum):
    """How a batch takes part in a value-chain event."""

    SUBJECT = "subject"
    PARENT = "parent"
    CHILD = "child"
    INPUT = "input"
    OUTPUT = "output"


class Partner(Base):
    __tablename__ = "partners"
    __table_args__ = (CheckConstraint(sql_in("role", PartnerRole), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[PartnerRole] = vocabulary_column(PartnerRole, 20)
    gln: Mapped[str | None] = mapped_column(String(13), unique=True)
    address: Mapped[str | None] = mapped_column(String(300))
    province: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[Timestamp]


class ChainEvent(Base):
    """A GS1 EPCIS 2.0 event; the full event document is kept as recorded."""

    __tablename__ = "chain_events"
    __table_args__ = (CheckConstraint(sql_in("event_type", EventType), name="event_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), unique=True)
    event_type: Mapped[EventType] = vocabulary_column(EventType, 30)
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
        CheckConstraint(sql_in("role", EventLinkRole), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("chain_events.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    role: Mapped[EventLinkRole] = vocabulary_column(EventLinkRole, 10)

    batch: Mapped[Batch] = relationship()
