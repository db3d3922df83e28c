"""Sessions for verification, which reads on every view and writes only scans.

On PostgreSQL its reads run in autocommit (no BEGIN/COMMIT round trips) on the
app's engine; elsewhere, and in tests (whose sessions share one
connection), on the app's own sessions. A connection the server dropped fails
once, is invalidated, and the next view gets a new one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class ReadSessions:
    bind: Engine | Connection  # what the reading sessions are bound to
    readers: sessionmaker[Session]
    writers: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A reading session, closed after use."""
        with self.readers() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session of the app's own (for writing scans), closed after use."""
        with self.writers() as session:
            yield session

    def __post_init__(self) -> None:
        object.__setattr__(self, "_local", threading.local())

    @contextmanager
    def thread_session(self) -> Iterator[Session]:
        """One reading Session per thread for a caller that rarely needs one: closed
        after any use, so it keeps no connection and no objects between requests,
        and is not built and torn down per view."""
        local = self._local  # type: ignore[attr-defined]
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = self.readers()
        try:
            yield session
        except BaseException:
            session.close()
            raise
        if session.in_transaction() or session.identity_map:
            session.close()


def read_sessions(sessions: sessionmaker[Session]) -> ReadSessions:
    """Autocommit reading sessions on the same PostgreSQL database; `sessions` elsewhere."""
    bind = sessions.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        # The same engine (its pool and driver settings, e.g. no prepared statements
        # behind PgBouncer), with connections in autocommit while these sessions hold them.
        engine = bind.execution_options(isolation_level="AUTOCOMMIT")
        readers = sessionmaker(bind=engine, expire_on_commit=False)
        return ReadSessions(engine, readers, sessions)
    assert bind is not None
    return ReadSessions(bind, sessions, sessions)
