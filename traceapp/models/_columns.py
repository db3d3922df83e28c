"""Column types and defaults shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import DateTime, String
from sqlalchemy.orm import mapped_column

# Record ids are PostgreSQL INTEGERs: a larger id names nothing, and querying it overflows.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


# Timestamps are stored in UTC and shown in Asia/Ho_Chi_Minh.
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True), default=utcnow)]
Name = Annotated[str, mapped_column(String(200))]
Code = Annotated[str, mapped_column(String(40))]


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK expression limiting a text column to a fixed vocabulary."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
