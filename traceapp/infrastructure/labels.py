"""The verification's LabelSource: one query reading a code's label, its batch and
its stored scans (rolled up, and raw since the roll-up), fresh on every view.

On PostgreSQL with psycopg the query is compiled once to SQL and run straight on
the driver as a prepared statement, on one cursor per thread (no ORM session, no
SQLAlchemy result machinery, no parse or plan per view); a connection the server
dropped fails once, the pool is renewed and the query runs again. Elsewhere
(SQLite) the same statement runs in a session.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, bindparam, case, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from keys.codes import LabelCode
from traceapp.infrastructure.records import LabelState, StoredScans
from traceapp.infrastructure.scan_rollups import label_scan_figures, with_label_scans
from traceapp.models import Batch, Label, Product, Scan

Sessions = Callable[[], AbstractContextManager[Session]]


def _statement(by_gtin: bool):
    item = (
        Product.gtin == bindparam("item")
        if by_gtin
        else (Product.ref == bindparam("item")) & Product.gtin.is_(None)
    )
    statement = (
        select(
            Label.id,
            Label.signature,
            Label.status,
            Label.voided_at,
            Label.void_reason,
            Batch.id,
            Batch.status,
            Batch.recalled_at,
            Batch.recall_reason,
            # Only raw scans are recent enough to be completed by a location.
            func.max(
                case(
                    (
                        (Scan.client_hash == bindparam("client"))
                        & Scan.latitude.is_(None)
                        & (Scan.scanned_at >= bindparam("since", type_=Scan.scanned_at.type)),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .join(Batch, Batch.id == Label.batch_id)
        .join(Product, Product.id == Batch.product_id)
        .where(Label.serial == bindparam("serial"), Batch.lot_code == bindparam("lot"), item)
        .group_by(Label.id, Batch.id)
    )
    return with_label_scans(statement, bindparam("client"))


def located_scans(
    session: Session, label_id: int, limit: int
) -> list[tuple[datetime, float, float]]:
    """A label's `limit` most recent located scans: (time, latitude, longitude)."""
    return [
        (t, la, lo)
        for t, la, lo in session.execute(
            select(Scan.scanned_at, Scan.latitude, Scan.longitude)
            .where(Scan.label_id == label_id, Scan.latitude.is_not(None))
            .order_by(Scan.scanned_at.desc())
            .limit(limit)
        )
        if la is not None and lo is not None
    ]


# Built once: one of these runs on every view.
_BY_GTIN = _statement(by_gtin=True)
_BY_REF = _statement(by_gtin=False)


def _parameters(code: LabelCode, client: str | None, since: datetime) -> dict[str, Any]:
    return {
        "item": code.gtin if code.gtin is not None else code.product_ref,
        "serial": code.serial,
        "lot": code.lot,
        "client": client or "",
        "since": since,
    }


def _state(row: Any) -> LabelState | None:
    if row is None:
        return None
    (label_id, signature, label_status, voided_at, void_reason, batch_id, batch_status) = row[:7]
    recalled_at, recall_reason, recent = row[7:10]
    scans = label_scan_figures(row[10:])
    return LabelState(
        label_id=label_id,
        signature=signature,
        label_status=label_status,
        voided_at=voided_at,
        void_reason=void_reason,
        batch_id=batch_id,
        batch_status=batch_status,
        recalled_at=recalled_at,
        recall_reason=recall_reason,
        stored_scans=StoredScans(
            count=scans.scans,
            clients=scans.clients,
            first_scanned_at=scans.first_scanned_at,
            located=scans.located,
            client_seen=scans.client_seen,
            client_recently_unlocated=bool(recent),
            distant_places=scans.distant_places,
        ),
    )


class SessionLabelSource:
    """The query run in a session (any database)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def label_state(
        self, code: LabelCode, client: str | None, follow_up_since: datetime
    ) -> LabelState | None:
        statement = _BY_GTIN if code.gtin is not None else _BY_REF
        with self._sessions() as session:
            # Core execution: the ORM's result machinery is not needed for plain columns.
            row = (
                session.connection()
                .execute(statement, _parameters(code, client, follow_up_since))
                .first()
            )
        return _state(row)

    def located_scans(self, label_id: int, limit: int) -> list[tuple[datetime, float, float]]:
        with self._sessions() as session:
            return located_scans(session, label_id, limit)


class PreparedLabelSource(SessionLabelSource):
    """The query as a prepared statement on the psycopg driver (PostgreSQL).

    `bind` is an Engine (each thread keeps one pooled connection and one cursor) or,
    in tests, the one Connection every session of the test shares.
    """

    def __init__(self, bind: Engine | Connection, sessions: Sessions) -> None:
        super().__init__(sessions)
        self._bind = bind
        self._compiled = {}
        for statement in (_BY_GTIN, _BY_REF):
            compiled = statement.compile(dialect=bind.dialect)
            # compiled.params: the statement's literal values (and the named ones, None).
            self._compiled[id(statement)] = (compiled.string, dict(compiled.params))
        self._local = threading.local()

    def label_state(
        self, code: LabelCode, client: str | None, follow_up_since: datetime
    ) -> LabelState | None:
        sql, defaults = self._compiled[id(_BY_GTIN if code.gtin is not None else _BY_REF)]
        parameters = {**defaults, **_parameters(code, client, follow_up_since)}
        for attempt in (1, 2):
            try:
                pooled, cursor = self._cursor()
            except psycopg.Error as exc:  # no connection at all: as SQLAlchemy reports it
                raise OperationalError(sql, parameters, exc) from exc
            try:
                # Behind a transaction pooler (prepare_threshold None) nothing is prepared.
                prepare = None if cursor.connection.prepare_threshold is None else True
                return _state(cursor.execute(sql, parameters, prepare=prepare).fetchone())
            except psycopg.OperationalError as exc:
                if pooled is None or not pooled.driver_connection.broken or attempt == 2:
                    # As SQLAlchemy reports it, so callers see one kind of database error.
                    raise OperationalError(sql, parameters, exc) from exc
                self._local.pooled = self._local.cursor = None
                pooled.invalidate()
                # The server dropped connections (a restart): the pool's others are dead too.
                assert isinstance(self._bind, Engine)
                self._bind.dispose()
        raise AssertionError("unreachable")

    def _cursor(self) -> tuple[Any, psycopg.Cursor]:
        if isinstance(self._bind, Connection):
            driver = self._bind.connection.driver_connection
            assert driver is not None
            return None, driver.cursor()
        pooled = getattr(self._local, "pooled", None)
        if pooled is None or self._local.pid != os.getpid():
            # First use in this thread (or in a process forked after it): gunicorn forks
            # after the app is built, and a connection must not cross a fork.
            # Checked out through the engine so that its isolation level applies: the
            # reading engine's autocommit. A raw connection would leave each view's
            # SELECT in a transaction, idle and holding its locks on labels and scans
            # (partition upkeep, pruning and migrations would then wait on every worker).
            self._local.connection = self._bind.connect()
            pooled = self._local.connection.connection
            self._local.pooled, self._local.pid = pooled, os.getpid()
            driver = pooled.driver_connection
            assert driver is not None
            self._local.cursor = driver.cursor()
        return pooled, self._local.cursor


def label_source(bind: Engine | Connection, sessions: Sessions) -> SessionLabelSource:
    """The prepared source on PostgreSQL with psycopg; the session's query elsewhere."""
    if bind.dialect.name == "postgresql" and bind.dialect.driver == "psycopg":
        return PreparedLabelSource(bind, sessions)
    return SessionLabelSource(sessions)
