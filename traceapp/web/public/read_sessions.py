"""Sessions for the verification page's one fresh query, on servers that buffer scans.

The page writes nothing in its own transaction (scans go to the buffer), so its
query runs in autocommit (no BEGIN/COMMIT round trips) on a pool without
pre-ping (no `SELECT 1` round trip per view). A connection the server dropped
fails once, is invalidated, and verify_with_retry runs the view's query again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


def read_only_sessions(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Autocommit sessions on the same PostgreSQL database (others: `sessions` itself)."""
    engine = sessions.kw.get("bind")
    if engine is None or engine.dialect.name != "postgresql":
        return sessions
    # The same engine (its pool and driver settings, e.g. no prepared statements behind
    # PgBouncer), with connections in autocommit while these sessions hold them.
    return sessionmaker(
        bind=engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )


class ThreadSessions:
    """One Session per thread for a view that rarely touches it (its query runs on
    the driver, label_query.py): closed after any use, so it keeps no connection
    and no objects between requests, and is not built and torn down per view."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._local = threading.local()

    @contextmanager
    def __call__(self) -> Iterator[Session]:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._sessions()
        try:
            yield session
        except BaseException:
            session.close()
            raise
        if session.in_transaction() or session.identity_map:
            session.close()


def with_retry(
    sessions: Callable[[], AbstractContextManager[Session]], work: Callable[[Session], T]
) -> T:
    """work(session), once more on a fresh connection if the first one was dead."""
    for attempt in (1, 2):
        with sessions() as session:
            try:
                return work(session)
            except DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
    raise AssertionError("unreachable")
