"""Column types and defaults shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from sqlalchemy import DateTime, Enum, String
from sqlalchemy.orm import MappedColumn, mapped_column

# Record ids are PostgreSQL INTEGERs: a larger id names nothing, and querying it overflows.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


# Audit-log entries written together share their second: verifying a long log
# formats each second once.
@lru_cache(maxsize=4096)
def timestamp_text(moment: datetime) -> str:
    """The form of a stored time that hashes cover: UTC, to the second, e.g.
    2025-01-31T08:00:00+00:00. SQLite hands times back naive, PostgreSQL in the
    session's time zone; both mean the same UTC instant."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


# Timestamps are stored in UTC and shown in Asia/Ho_Chi_Minh.
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True), default=utcnow)]
Name = Annotated[str, mapped_column(String(200))]
Code = Annotated[str, mapped_column(String(40))]


def sql_in(column: str, vocabulary: type[StrEnum]) -> str:
    """A CHECK expression limiting a text column to a fixed vocabulary."""
    quoted = ", ".join(f"'{member.value}'" for member in vocabulary)
    return f"{column} IN ({quoted})"


def vocabulary_column(vocabulary: type[StrEnum], length: int, **kwargs: Any) -> MappedColumn[Any]:
    """A text column whose values load as members of `vocabulary`.

    The column stays a plain VARCHAR (the CHECK constraint from `sql_in` guards it),
    so raw drivers and migrations see the same text as before.
    """
    column_type = Enum(
        vocabulary,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )
    return mapped_column(column_type, **kwargs)
