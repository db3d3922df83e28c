"""Where a consumer can buy a product again: online markets, supermarkets, hotels..."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.models._columns import Timestamp, sql_in, vocabulary_column
from traceapp.models.products import Product


class WhereToBuyKind(StrEnum):
    ONLINE_MARKET = "online_market"  # e.g. Chợ online Cao Bằng
    SUPERMARKET_CHAIN = "supermarket_chain"  # e.g. Co.opmart
    HOTEL_OR_RESTAURANT = "hotel_or_restaurant"
    COOPERATIVE_SHOP = "cooperative_shop"
    PARTNER_COMPANY = "partner_company"


class WhereToBuyLink(Base):
    __tablename__ = "where_to_buy_links"
    __table_args__ = (
        CheckConstraint(sql_in("kind", WhereToBuyKind), name="kind"),
        CheckConstraint("url IS NOT NULL OR address IS NOT NULL", name="url_or_address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    kind: Mapped[WhereToBuyKind] = vocabulary_column(WhereToBuyKind, 30)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(300))
    # BCP 47 language codes the place serves its customers in, comma-separated: "vi,en".
    languages: Mapped[str] = mapped_column(String(60), default="vi")
    created_at: Mapped[Timestamp]

    product: Mapped[Product] = relationship()

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]
