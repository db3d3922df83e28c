"""A product's picture, stored resized (traceapp/domain/product_images.py)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from traceapp.db import Base
from traceapp.models._columns import Timestamp


class ProductImage(Base):
    __tablename__ = "product_images"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(30))
    # SHA-256 of `data`, hex: names the image in its URL, so it can be cached for ever.
    digest: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[Timestamp]
