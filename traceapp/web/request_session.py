"""One database session per request, closed at teardown; views commit once. Reads
that may lag (statistics, the dashboard) take `reporting_db` instead: the replica's
session when one is configured (traceapp/infrastructure/reporting.py)."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from traceapp.config import Settings
from traceapp.infrastructure.reporting import Reporting, ReportingSource


def db() -> Session:
    """The current request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["traceapp.sessions"]()
    return g.db_session


def reporting_db() -> Session:
    """The session for figures a person reads that may lag by a few seconds: on the
    replica if one is configured and up, else the request's own. Never for a verdict's
    state, sign-in or a write."""
    session = _reporting().session
    return session if session is not None else db()


def reporting_source() -> ReportingSource:
    """Where `reporting_db` reads (the replica and its lag, or the primary)."""
    return _reporting().source


def _reporting() -> Reporting:
    if "reporting" not in g:
        g.reporting = current_app.extensions["traceapp.reporting"].open()
    return g.reporting


def settings() -> Settings:
    return current_app.extensions["traceapp.settings"]


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()  # anything not committed by the view is dropped
            session.close()
        reporting = g.pop("reporting", None)
        if reporting is not None:
            reporting.close()
