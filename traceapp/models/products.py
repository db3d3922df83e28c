"""What a cooperative sells."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.models._columns import Name, Timestamp, sql_in, vocabulary_column
from traceapp.models.organisations import Cooperative


class ProductCategory(StrEnum):
    """What kind of product a cooperative registers."""

    EGGS = "eggs"
    POULTRY = "poultry"
    VEGETABLES = "vegetables"
    FRUIT = "fruit"
    MUSHROOMS = "mushrooms"
    RICE = "rice"
    TEA = "tea"
    SILK = "silk"
    PROCESSED = "processed"
    OTHER = "other"


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(sql_in("category", ProductCategory), name="category"),
        CheckConstraint("gtin IS NULL OR length(gtin) = 14", name="gtin_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    name: Mapped[Name]
    category: Mapped[ProductCategory] = vocabulary_column(ProductCategory, 20)
    # Stored normalised to 14 digits with a valid check digit (keys.gtin).
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    # The path segment used in label codes when the product has no GTIN.
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    unit: Mapped[str] = mapped_column(String(20))
    # Decree 37/2026 art. 32: a digital product passport carries the safety warnings.
    safety_warnings: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[Timestamp]

    cooperative: Mapped[Cooperative] = relationship()

    @property
    def code_ref(self) -> str | None:
        """The ref a label code carries: only for a product without a GTIN."""
        return None if self.gtin else self.ref
