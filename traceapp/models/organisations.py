"""The certifying Union and the cooperatives it certifies."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.models._columns import Code, Name, Timestamp


class Union(Base):
    """A certifying body, e.g. the Cao Bang provincial Cooperative Union."""

    __tablename__ = "unions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Code] = mapped_column(unique=True)
    name: Mapped[Name]
    province: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[Timestamp]

    cooperatives: Mapped[list[Cooperative]] = relationship(back_populates="union")


class Cooperative(Base):
    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"))
    name: Mapped[Name]
    commune: Mapped[str] = mapped_column(String(100))
    province: Mapped[str] = mapped_column(String(100))
    registration_number: Mapped[Code] = mapped_column(unique=True)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[Timestamp]

    union: Mapped[Union] = relationship(back_populates="cooperatives")
