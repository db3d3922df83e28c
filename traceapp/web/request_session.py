"""One database session per request, closed at teardown; views commit once."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from traceapp.config import Settings


def db() -> Session:
    """The current request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["traceapp.sessions"]()
    return g.db_session


def settings() -> Settings:
    return current_app.extensions["traceapp.settings"]


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()  # anything not committed by the view is dropped
            session.close()
