"""What the verification page shows about a batch that changes rarely, kept per
process for a few seconds: the batch's records (certifications, history), the
rendered HTML of its certifications, lab results, history and value chain, and
the rendered page shells of its labels.

Never kept: the label's and the batch's status (void, recall), which
verify_scan reads fresh on every view. A new certification, inspection or chain
event shows within BATCH_CACHE_SECONDS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from traceapp.domain.verification import BatchRecords, batch_records
from traceapp.web.public.page_shell import PageShell

BATCH_CACHE_SECONDS = 5.0
# Far more batches than a province scans in a few seconds; past it, start afresh.
MAX_ENTRIES = 5_000

V = TypeVar("V")


class ExpiringCache(Generic[V]):
    """Values kept for `seconds` each; `seconds` <= 0 keeps nothing."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = make()
        if self.seconds > 0:
            with self._lock:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = (now + self.seconds, value)
        return value

    def peek(self, key: Hashable) -> V | None:
        """The value kept for `key`, or None (nothing is made)."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        return None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class BatchCache:
    """A batch's records and its rendered page sections, each keyed by batch id."""

    def __init__(self, seconds: float = BATCH_CACHE_SECONDS) -> None:
        self.records_cache: ExpiringCache[BatchRecords] = ExpiringCache(seconds)
        self.sections: ExpiringCache[str] = ExpiringCache(seconds)
        # Whole verification pages with holes (web/public/page_shell.py), keyed by
        # language, day, verdict and the label's fresh facts but its serial.
        self.pages: ExpiringCache[PageShell] = ExpiringCache(seconds)

    def records(self, session: Session, batch_id: int, today: date) -> BatchRecords:
        return self.records_cache.get(
            (batch_id, today), lambda: batch_records(session, batch_id, today)
        )

    def clear(self) -> None:
        self.records_cache.clear()
        self.sections.clear()
        self.pages.clear()
