"""A Verifier on one open session, for callers with a session of their own (the
console's look-up, the CLI, tests): nothing cached, no scan recorded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy.orm import Session

from traceapp.domain.verification import BatchRecords, Verifier, batch_records
from traceapp.infrastructure.labels import SessionLabelSource


class _SessionBatchRecords:
    def __init__(self, session: Session) -> None:
        self._session = session

    def batch_records(self, batch_id: int, today: date) -> BatchRecords:
        return batch_records(self._session, batch_id, today)


def session_verifier(session: Session) -> Verifier:
    """A Verifier reading in `session` (left open), with no scan sink."""

    @contextmanager
    def same_session() -> Iterator[Session]:
        yield session

    return Verifier(SessionLabelSource(same_session), _SessionBatchRecords(session))
