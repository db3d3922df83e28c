"""Where the reads that may lag go: statistics and the Union dashboard.

With a streaming replica configured (TRACEAPP_DATABASE_REPLICA_URL) they read the
replica, and say how far behind the primary it is; otherwise, or while the replica
cannot be reached, they read the primary like everything else. This is the one
place that decides: a view asks for a reporting session (web/request_session.py,
`reporting_db`) only for figures a person reads, never for a verdict's state
(label, batch, key), sign-in or a write, which always use the primary.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from traceapp.db import make_engine, make_sessionmaker

# A replica that refused a connection is not tried again for this long (each
# request would otherwise wait for its connect timeout).
RETRY_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 3

# How far the standby's replay is behind what it received from the primary: 0 when
# it has replayed everything it has, or when the database is no standby at all.
LAG_SQL = text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportingSource:
    """Where a page's figures were read, for the page to say so."""

    replica: bool  # read from the replica
    unavailable: bool = False  # a replica is configured but cannot be reached
    lag_seconds: float = 0.0  # how far the replica is behind the primary


PRIMARY = ReportingSource(replica=False)


@dataclass(frozen=True)
class Reporting:
    """An open reporting session (None: read the primary's session) and its source."""

    session: Session | None
    source: ReportingSource

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


class ReportingSessions:
    """Opens reporting sessions on the replica, or says to use the primary."""

    def __init__(
        self,
        replica: sessionmaker[Session] | None,
        engine: Engine | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._replica = replica
        self._engine = engine  # the replica's pool, closed by `close`
        self._clock = clock
        self._down_until = 0.0

    def open(self) -> Reporting:
        """A session on the replica with its lag, or none (read the primary): no
        replica configured, or it could not be reached (tried again after
        RETRY_SECONDS). Never raises for a replica that is down."""
        if self._replica is None:
            return Reporting(None, PRIMARY)
        if self._clock() < self._down_until:
            return Reporting(None, ReportingSource(replica=False, unavailable=True))
        session = self._replica()
        try:
            lag = session.scalar(LAG_SQL)
        except DBAPIError as exc:
            session.close()
            self._down_until = self._clock() + RETRY_SECONDS
            log.warning("the replica cannot be reached, reading the primary: %s", exc.orig)
            return Reporting(None, ReportingSource(replica=False, unavailable=True))
        lag_seconds = float(lag) if isinstance(lag, (int, float, Decimal)) else 0.0
        return Reporting(session, ReportingSource(replica=True, lag_seconds=lag_seconds))

    def close(self) -> None:
        """Close the replica's connections (the app is done)."""
        if self._engine is not None:
            self._engine.dispose()


def reporting_sessions(replica_url: str | None, *, transaction_pooler: bool) -> ReportingSessions:
    """Reporting sessions on `replica_url` (a PostgreSQL standby), or on the primary
    when it is None. `transaction_pooler`: the URL goes through PgBouncer in
    transaction mode (as the primary's does)."""
    if not replica_url:
        return ReportingSessions(None)
    engine = make_engine(
        replica_url,
        transaction_pooler=transaction_pooler,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
    # Autocommit: each statement sees the latest replayed state, and a long-open
    # transaction on a standby would hold back (or be cancelled by) its replay.
    return ReportingSessions(
        make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT")), engine
    )
