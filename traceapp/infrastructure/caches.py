"""Values kept in memory for a few seconds per process (cachetools' TTLCache, behind
a lock: a process's threads share them)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TTLCache

# Far more batches than a province scans in a few seconds; past it, the oldest go.
MAX_ENTRIES = 5_000

V = TypeVar("V")


class ExpiringCache(Generic[V]):
    """Values kept for `seconds` each; `seconds` <= 0 keeps nothing."""

    def __init__(self, seconds: float, maxsize: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self._entries: TTLCache[Hashable, V] | None = (
            TTLCache(maxsize, seconds) if seconds > 0 else None
        )
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for `key`, or make() (kept from now on)."""
        found = self.peek(key)
        if found is not None:
            return found
        value = make()
        if self._entries is not None:
            with self._lock:
                self._entries[key] = value
        return value

    def peek(self, key: Hashable) -> V | None:
        """The value kept for `key`, or None (nothing is made)."""
        if self._entries is None:
            return None
        with self._lock:
            return self._entries.get(key)

    def clear(self) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries.clear()
