"""Where scans are written: at once in a session (SessionScanSink), or through a
per-process write-behind buffer (ScanBuffer). Both write through write_scans:
COPY on PostgreSQL, one multi-row INSERT elsewhere, with durability relaxed.

The buffer: the verification page hands its scan over and answers at once; a
background thread writes what gathered every `interval` seconds (or sooner, at
FLUSH_ROWS). What is lost in a crash: the scans of the last fraction of a second
of one process (a clean exit flushes). docs/verification.md states it.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime

import psycopg
from sqlalchemy import insert, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from traceapp.infrastructure.bulk import copy_rows, relax_durability
from traceapp.infrastructure.records import NewScan
from traceapp.infrastructure.scan_rollups import roll_up_rows, rolled_up_to
from traceapp.models import LabelScanTotal, Scan

FLUSH_INTERVAL = 0.2
FLUSH_ROWS = 500
# While the database is unreachable, keep this many scans for the next try, drop the rest.
MAX_KEPT_ROWS = 50_000

log = logging.getLogger(__name__)
# Rows the database will never accept, as SQLAlchemy reports them, or psycopg from COPY.
REFUSED = (IntegrityError, DataError, psycopg.IntegrityError, psycopg.DataError)
_COLUMNS = ("label_id", "scanned_at", "verdict", "client_hash", "latitude", "longitude", "region")


def write_scans(session: Session, scans: Iterable[NewScan]) -> None:
    """Store scans in the caller's transaction. A scan that completes an earlier one
    fills in that scan's place (if it is still there to fill, and not rolled up).

    The roll-up's watermark is held (shared) until the transaction ends, so the
    roll-up never counts a window while scans of it are being written. A scan older
    than the watermark (kept through a long database outage) is added to the
    aggregates here, by the roll-up's own statements.
    """
    scans = list(scans)
    if not scans:
        return
    watermark = rolled_up_to(session, lock="share")
    new: list[NewScan] = []
    for scan in scans:
        if scan.completes_since is not None and (
            _complete_among(new, scan, scan.completes_since)
            # A scan already rolled up is not filled in: its place is counted.
            or _complete(session, scan, max(scan.completes_since, watermark))
        ):
            continue
        new.append(scan)
    if not new:
        return
    relax_durability(session)
    late = [scan for scan in new if scan.scanned_at < watermark]
    if late:
        _write_late(session, late, watermark)
    copy_rows(
        session,
        Scan.__table__,  # type: ignore[arg-type]
        _COLUMNS,
        (_row(scan) for scan in new if scan.scanned_at >= watermark),
    )


def _write_late(session: Session, late: list[NewScan], watermark: datetime) -> None:
    ids = [
        session.scalar(
            insert(Scan).values(dict(zip(_COLUMNS, _row(scan), strict=True))).returning(Scan.id)
        )
        for scan in late
    ]
    log.warning("%d scans arrived after their time was rolled up; added to it", len(ids))
    roll_up_rows(session, Scan.id.in_(ids) & (Scan.scanned_at < watermark))
    # Their codes are judged again by the pages that list suspicious codes.
    labels = {scan.label_id for scan in late if scan.label_id is not None}
    if labels:
        session.execute(
            update(LabelScanTotal)
            .where(LabelScanTotal.label_id.in_(labels))
            .values(suspicious=True)
        )


def _row(scan: NewScan) -> tuple:
    place = scan.place
    return (
        scan.label_id,
        scan.scanned_at,
        scan.verdict,
        scan.client,
        place.latitude,
        place.longitude,
        place.region,
    )


def _complete_among(scans: list[NewScan], scan: NewScan, since: datetime) -> bool:
    """Fill in the place of the latest scan in `scans` that `scan` completes, if any."""
    for index in range(len(scans) - 1, -1, -1):
        earlier = scans[index]
        if (
            earlier.label_id == scan.label_id
            and earlier.client == scan.client
            and earlier.place.latitude is None
            and earlier.scanned_at >= since
        ):
            region = earlier.place.region or scan.place.region
            scans[index] = replace(earlier, place=replace(scan.place, region=region))
            return True
    return False


def _complete(session: Session, scan: NewScan, since: datetime) -> bool:
    found = session.execute(
        select(Scan.id, Scan.scanned_at)
        .where(
            Scan.label_id == scan.label_id,
            Scan.client_hash == scan.client,
            Scan.latitude.is_(None),
            Scan.scanned_at >= since,
        )
        .order_by(Scan.scanned_at.desc())
        .limit(1)
    ).first()
    if found is None:
        return False
    earlier, earlier_at = found
    place = scan.place
    values: dict[str, object] = {"latitude": place.latitude, "longitude": place.longitude}
    if place.region:
        values["region"] = place.region
    relax_durability(session)
    # With its time, so PostgreSQL looks in one partition only.
    session.execute(
        update(Scan).where(Scan.id == earlier, Scan.scanned_at == earlier_at).values(**values)
    )
    return True


class SessionScanSink:
    """Writes each scan at once in the given session: nothing is ever pending."""

    writes = 0  # nothing moves from pending to stored behind a reader's back

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, scan: NewScan) -> None:
        write_scans(self.session, [scan])

    def pending(self, label_id: int) -> list[NewScan]:
        return []


class ScanBuffer:
    """Scans waiting to be written; safe to share between a process's threads.

    `interval` > 0 starts a writer thread in each process that adds a scan;
    0 starts none (scans are written at FLUSH_ROWS, on flush() and at exit).
    """

    def __init__(
        self,
        sessions: Callable[[], AbstractContextManager[Session]],
        interval: float = FLUSH_INTERVAL,
        max_rows: int = FLUSH_ROWS,
    ) -> None:
        self._sessions = sessions
        self._interval = interval
        self._max_rows = max_rows
        self._lock = threading.Lock()  # guards the scans below
        self._flushing = threading.Lock()  # one writer at a time
        self._waiting: list[NewScan] = []
        # The waiting scans, and those being written, by label id: every page view
        # asks for its label's, so it need not scan a fraction of a second's scans.
        self._by_label: dict[int | None, list[NewScan]] = {}
        self._in_flight_by_label: dict[int | None, list[NewScan]] = {}
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._owner_pid: int | None = None
        #: Writes ended so far: scans move from pending() to the database at each.
        self.writes = 0
        atexit.register(self.flush)

    def add(self, scan: NewScan) -> None:
        with self._lock:
            self._waiting.append(scan)
            self._by_label.setdefault(scan.label_id, []).append(scan)
            waiting = len(self._waiting)
            if self._interval > 0 and self._owner_pid != os.getpid():
                # First scan in this process (gunicorn forks after the app is built).
                self._start_writer()
        if waiting >= self._max_rows:
            if self._interval > 0:
                self._wake.set()
            else:
                self.flush()

    def pending(self, label_id: int) -> list[NewScan]:
        """This process's scans of the label not yet committed, oldest first."""
        with self._lock:
            return [
                *self._in_flight_by_label.get(label_id, ()),
                *self._by_label.get(label_id, ()),
            ]

    def flush(self) -> None:
        """Write every waiting scan now (and wait for a write in progress)."""
        with self._flushing:
            with self._lock:
                scans, self._waiting = self._waiting, []
                self._in_flight_by_label, self._by_label = self._by_label, {}
            if not scans:
                return
            try:
                self._write(scans)
            except REFUSED:
                # Not a passing outage: some row will never be accepted (its label is
                # gone, say). Retrying the batch would block every scan behind it.
                self._write_salvaging(scans)
            except Exception:
                log.exception("could not write %d scans; keeping them for the next try", len(scans))
                with self._lock:
                    self._waiting = (scans + self._waiting)[-MAX_KEPT_ROWS:]
                    self._by_label = _by_label(self._waiting)
            finally:
                with self._lock:
                    self._in_flight_by_label = {}
                    self.writes += 1

    def close(self, write: bool = True) -> None:
        """Write what waits (unless `write` is False: dropped), stop the writer thread,
        and stop writing at exit (the sessions are going away)."""
        self._closed.set()
        self._wake.set()
        if write:
            self.flush()
        else:
            with self._lock:
                self._waiting, self._by_label = [], {}
        atexit.unregister(self.flush)

    def _write(self, scans: list[NewScan]) -> None:
        with self._sessions() as session:
            write_scans(session, scans)
            session.commit()

    def _write_salvaging(self, scans: list[NewScan]) -> None:
        """Write the scans one by one, dropping (and logging) those the database refuses."""
        for scan in scans:
            try:
                self._write([scan])
            except REFUSED:
                log.warning("dropped a scan the database refuses (label %s)", scan.label_id)

    def _start_writer(self) -> None:
        self._owner_pid = os.getpid()
        threading.Thread(target=self._write_forever, name="scan-buffer", daemon=True).start()

    def _write_forever(self) -> None:
        while not self._closed.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            self.flush()


def _by_label(scans: list[NewScan]) -> dict[int | None, list[NewScan]]:
    by_label: dict[int | None, list[NewScan]] = {}
    for scan in scans:
        by_label.setdefault(scan.label_id, []).append(scan)
    return by_label
