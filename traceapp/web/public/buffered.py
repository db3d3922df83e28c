"""Verifying a scan on a server that buffers scans, outside any request session.

The label's fresh state is read on a session of its own (read_sessions.py; on
PostgreSQL the prepared driver query of label_query.py) and the scan goes to the
process's write-behind buffer (scan_buffer.py). Both the Flask view and the
direct path (direct.py) verify through here.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from keys.keyset import PublicKeySet
from traceapp.domain.scans import ScanPlace
from traceapp.domain.verification import VerificationOutcome, verify_scan
from traceapp.web.public.batch_cache import BatchCache
from traceapp.web.public.label_query import label_finder
from traceapp.web.public.read_sessions import ThreadSessions, read_only_sessions, with_retry
from traceapp.web.public.scan_buffer import ScanBuffer


class BufferedVerification:
    """verify_scan for scans without a location (a located scan may complete an
    earlier one, so it is written in the request's own transaction instead)."""

    def __init__(self, sessions: sessionmaker[Session], cache: BatchCache) -> None:
        self.buffer = ScanBuffer(sessions)
        self._cache = cache
        read_sessions = read_only_sessions(sessions)
        # The label's fresh-state query: the prepared driver query on PostgreSQL,
        # None (verify_scan's own, in the session) elsewhere.
        self.find = label_finder(read_sessions.kw["bind"])
        # With the query on the driver, the session is rarely used: reuse one per thread.
        self._sessions = ThreadSessions(read_sessions) if self.find is not None else read_sessions

    def verify(
        self, uri: str, keyset: PublicKeySet, today: date, client: str, place: ScanPlace
    ) -> VerificationOutcome:
        return with_retry(
            self._sessions,
            lambda session: verify_scan(
                session,
                uri,
                keyset,
                today,
                client=client,
                place=place,
                scans=self.buffer,
                records=self._cache.records,
                find=self.find,
            ),
        )
