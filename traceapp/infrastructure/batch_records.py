"""The verification's BatchRecordsSource: a batch's records (certifications, history,
value chain, descriptions) read in a session and kept a few seconds per process.

Never kept: the label's and the batch's status (void, recall), which the
LabelSource reads fresh on every view. A new certification, inspection or chain
event shows within `seconds`. What the records hold, and how they are read, is the
domain's `load` (traceapp/domain/verification.py batch_records).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from traceapp.infrastructure.caches import ExpiringCache

Records = TypeVar("Records")


class CachedBatchRecords(Generic[Records]):
    def __init__(
        self,
        sessions: Callable[[], AbstractContextManager[Session]],
        load: Callable[[Session, int, date], Records],
        seconds: float,
    ) -> None:
        self._sessions = sessions
        self._load_in = load
        self._cache: ExpiringCache[Records] = ExpiringCache(seconds)

    def batch_records(self, batch_id: int, today: date) -> Records:
        return self._cache.get((batch_id, today), lambda: self._load(batch_id, today))

    def _load(self, batch_id: int, today: date) -> Records:
        with self._sessions() as session:
            return self._load_in(session, batch_id, today)

    def clear(self) -> None:
        self._cache.clear()
