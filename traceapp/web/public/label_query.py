"""The verification page's one fresh query, run straight on the driver on PostgreSQL.

The query's meaning lives in traceapp/domain/verification.py (`label_statement`);
here it is compiled once to the dialect's SQL and executed as a prepared
statement on the one cursor of a pooled psycopg connection that each thread keeps
(a cursor opened per view cost more than the query's client side): no ORM session,
no SQLAlchemy result machinery, no parse or plan per view. A connection the
server dropped fails once, the pool is renewed, and the query runs again on a new one.
"""

from __future__ import annotations

import os
import threading
from collections import namedtuple
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from keys.codes import LabelCode
from traceapp.domain.verification import (
    LABEL_COLUMNS,
    LabelFinder,
    label_parameters,
    label_statement,
    label_statements,
)

LabelRow = namedtuple("LabelRow", LABEL_COLUMNS)  # type: ignore[misc]


class PreparedLabelQuery:
    """find(session, code, client) for verify_scan; `session` is not used."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._compiled: dict[int, tuple[str, dict[str, Any]]] = {}
        for statement in label_statements():
            compiled = statement.compile(dialect=engine.dialect)
            # compiled.params: the statement's literal values (and the named ones, None).
            self._compiled[id(statement)] = (compiled.string, dict(compiled.params))
        self._local = threading.local()

    def __call__(self, session: Session, code: LabelCode, client: str | None) -> LabelRow | None:
        sql, defaults = self._compiled[id(label_statement(code))]
        parameters = {**defaults, **label_parameters(code, client)}
        for attempt in (1, 2):
            pooled, cursor = self._cursor()
            try:
                # Behind a transaction pooler (prepare_threshold None) nothing is prepared.
                prepare = None if cursor.connection.prepare_threshold is None else True
                row = cursor.execute(sql, parameters, prepare=prepare).fetchone()
            except psycopg.OperationalError:
                if not pooled.driver_connection.broken:
                    raise
                self._local.pooled = self._local.cursor = None
                pooled.invalidate()
                if attempt == 2:
                    raise
                # The server dropped connections (a restart): the pool's others are dead too.
                self._engine.dispose()
                continue
            return LabelRow._make(row) if row is not None else None
        raise AssertionError("unreachable")

    def _cursor(self) -> tuple[Any, psycopg.Cursor]:
        pooled = getattr(self._local, "pooled", None)
        if pooled is None or self._local.pid != os.getpid():
            # First use in this thread (or in a process forked after it): gunicorn forks
            # after the app is built, and a connection must not cross a fork.
            pooled = self._engine.raw_connection()
            self._local.pooled, self._local.pid = pooled, os.getpid()
            self._local.cursor = pooled.driver_connection.cursor()
        return pooled, self._local.cursor


def label_finder(engine: Engine) -> LabelFinder | None:
    """The prepared finder on PostgreSQL with psycopg; None (the session's query) elsewhere."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return None
    return PreparedLabelQuery(engine)
