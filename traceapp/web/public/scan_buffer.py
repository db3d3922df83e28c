"""A per-process write-behind buffer for scans: the verification page hands its
scan over and answers at once; a background thread writes what gathered every
FLUSH_INTERVAL seconds (or sooner, at FLUSH_ROWS) in one multi-row INSERT.

What is lost in a crash: the scans of the last fraction of a second of one
process (a clean exit flushes). docs/verification.md states it.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from traceapp.domain.scans import PendingScan, write_scans

FLUSH_INTERVAL = 0.2
FLUSH_ROWS = 500
# While the database is unreachable, keep this many scans for the next try, drop the rest.
MAX_KEPT_ROWS = 50_000

log = logging.getLogger(__name__)
# Rows the database will never accept, as SQLAlchemy reports them, or psycopg from COPY.
REFUSED = (IntegrityError, DataError, psycopg.IntegrityError, psycopg.DataError)


class ScanBuffer:
    """Scans waiting to be written; safe to share between a process's threads."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        interval: float = FLUSH_INTERVAL,
        max_rows: int = FLUSH_ROWS,
    ) -> None:
        self._sessions = sessions
        self._interval = interval
        self._max_rows = max_rows
        self._lock = threading.Lock()  # guards the rows below
        self._flushing = threading.Lock()  # one writer at a time
        self._rows: list[dict[str, Any]] = []
        # The waiting rows, and those being written, by label id: every page view
        # asks for its label's, so it need not scan a fraction of a second's scans.
        self._by_label: dict[int | None, list[dict[str, Any]]] = {}
        self._in_flight_by_label: dict[int | None, list[dict[str, Any]]] = {}
        self._wake = threading.Event()
        self._owner_pid: int | None = None
        atexit.register(self.flush)

    def add(self, row: dict[str, Any]) -> None:
        with self._lock:
            self._rows.append(row)
            self._by_label.setdefault(row["label_id"], []).append(row)
            waiting = len(self._rows)
            if self._owner_pid != os.getpid():
                # First scan in this process (gunicorn forks after the app is built).
                self._start_writer()
        if waiting >= self._max_rows:
            self._wake.set()

    def pending(self, label_id: int) -> list[PendingScan]:
        """This process's scans of the label not yet committed."""
        with self._lock:
            return [
                _pending(row)
                for row in (
                    *self._in_flight_by_label.get(label_id, ()),
                    *self._by_label.get(label_id, ()),
                )
            ]

    def flush(self) -> None:
        """Write every waiting scan now (and wait for a write in progress)."""
        with self._flushing:
            with self._lock:
                rows, self._rows = self._rows, []
                self._in_flight_by_label, self._by_label = self._by_label, {}
            if not rows:
                return
            try:
                self._write(rows)
            except REFUSED:
                # Not a passing outage: some row will never be accepted (its label is
                # gone, say). Retrying the batch would block every scan behind it.
                self._write_salvaging(rows)
            except Exception:
                log.exception("could not write %d scans; keeping them for the next try", len(rows))
                with self._lock:
                    self._rows = (rows + self._rows)[-MAX_KEPT_ROWS:]
                    self._by_label = _by_label(self._rows)
            finally:
                with self._lock:
                    self._in_flight_by_label = {}

    def _write(self, rows: list[dict[str, Any]]) -> None:
        with self._sessions() as session:
            write_scans(session, rows)
            session.commit()

    def _write_salvaging(self, rows: list[dict[str, Any]]) -> None:
        """Write the rows one by one, dropping (and logging) those the database refuses."""
        for row in rows:
            try:
                self._write([row])
            except REFUSED:
                log.warning("dropped a scan the database refuses (label %s)", row["label_id"])

    def _start_writer(self) -> None:
        self._owner_pid = os.getpid()
        threading.Thread(target=self._write_forever, name="scan-buffer", daemon=True).start()

    def _write_forever(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            self.flush()


def _by_label(rows: list[dict[str, Any]]) -> dict[int | None, list[dict[str, Any]]]:
    by_label: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        by_label.setdefault(row["label_id"], []).append(row)
    return by_label


def _pending(row: dict[str, Any]) -> PendingScan:
    scanned_at: datetime = row["scanned_at"]
    return PendingScan(client=row["client_hash"], scanned_at=scanned_at)
