"""Local time for display: data is stored in UTC, people read Vietnamese time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def today_local() -> date:
    """Today's date in Vietnam, which decides whether a certificate is valid."""
    return datetime.now(UTC).astimezone(LOCAL_TZ).date()


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)
