"""Production batches: the thing a certification covers and labels are issued for."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.models._columns import Timestamp, sql_in, vocabulary_column
from traceapp.models.organisations import Cooperative
from traceapp.models.products import Product


class BatchStatus(StrEnum):
    """Where a batch stands: registered, certified by the Union (labels allowed), recalled."""

    DRAFT = "draft"
    CERTIFIED = "certified"
    RECALLED = "recalled"


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "lot_code", name="uq_batches_lot_per_cooperative"),
        # A scanned code names its product and lot: the page finds the batch by both.
        Index("ix_batches_product_lot", "product_id", "lot_code"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint(
            "labels_issued >= 0 AND labels_issued <= quantity", name="labels_within_quantity"
        ),
        CheckConstraint(
            "best_before IS NULL OR best_before >= produced_on", name="best_before_after_production"
        ),
        CheckConstraint(sql_in("status", BatchStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    lot_code: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int]
    unit: Mapped[str] = mapped_column(String(20))
    produced_on: Mapped[date] = mapped_column(Date)
    best_before: Mapped[date | None] = mapped_column(Date)
    origin_farm: Mapped[str | None] = mapped_column(String(200))
    origin_commune: Mapped[str] = mapped_column(String(100))
    origin_province: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[BatchStatus] = vocabulary_column(BatchStatus, 20, default=BatchStatus.DRAFT)
    # Running total kept beside the labels so the quota check is one atomic UPDATE.
    labels_issued: Mapped[int] = mapped_column(default=0)
    recalled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recall_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[Timestamp]

    cooperative: Mapped[Cooperative] = relationship()
    product: Mapped[Product] = relationship()
