"""People who sign in to the console, and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.models._columns import Timestamp, sql_in, vocabulary_column
from traceapp.models.organisations import Cooperative


class Role(StrEnum):
    """What a console account may do (docs: README, Who does what)."""

    UNION_OFFICER = "union_officer"
    COOPERATIVE_OPERATOR = "cooperative_operator"
    INSPECTOR = "inspector"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(sql_in("role", Role), name="role"),
        CheckConstraint(
            "(role = 'cooperative_operator') = (cooperative_id IS NOT NULL)",
            name="operator_has_cooperative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = vocabulary_column(Role, 30)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"))
    active: Mapped[bool] = mapped_column(default=True)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Raised whenever existing sessions must end (sign-out, password, role, deactivation).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[Timestamp]

    cooperative: Mapped[Cooperative | None] = relationship()


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[Timestamp]
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
