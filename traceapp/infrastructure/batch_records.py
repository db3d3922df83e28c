"""The verification's BatchRecordsSource: a batch's records (certifications, history,
value chain, descriptions) read in a session and kept a few seconds per process.

Never kept: the label's and the batch's status (void, recall), which the
LabelSource reads fresh on every view. A new certification, inspection or chain
event shows within `seconds`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date

from sqlalchemy.orm import Session

from traceapp.domain.verification import BatchRecords, batch_records
from traceapp.infrastructure.caches import ExpiringCache


class CachedBatchRecords:
    def __init__(
        self,
        sessions: Callable[[], AbstractContextManager[Session]],
        seconds: float,
    ) -> None:
        self._sessions = sessions
        self._cache: ExpiringCache[BatchRecords] = ExpiringCache(seconds)

    def batch_records(self, batch_id: int, today: date) -> BatchRecords:
        return self._cache.get((batch_id, today), lambda: self._load(batch_id, today))

    def _load(self, batch_id: int, today: date) -> BatchRecords:
        with self._sessions() as session:
            return batch_records(session, batch_id, today)

    def clear(self) -> None:
        self._cache.clear()
