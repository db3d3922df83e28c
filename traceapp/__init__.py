"""TraceApp: signed, QR-coded certification labels for a Cooperative Union."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from traceapp.config import Settings
    from traceapp.infrastructure.reporting import ReportingSessions

#: The engine create_app made itself (none when the caller passed its sessions).
OWN_ENGINE = "traceapp.own_engine"


def create_app(
    settings: Settings | None = None,
    config: dict[str, Any] | None = None,
    session_factory=None,
    check_keys: bool = True,
    reporting_sessions: ReportingSessions | None = None,
) -> Flask:
    """Build the web app. Nothing touches the database until a request does.

    Tests pass their own `session_factory` bound to a connection that rolls back.
    `reporting_sessions` serve the reads that may lag (statistics, the dashboard):
    by default on TRACEAPP_DATABASE_REPLICA_URL's replica if set, else the primary.
    Unless `check_keys` is False (the command line, whose key commands check for
    themselves), signing keys the app cannot use are a ConfigError
    (signing_keys.check_signing_keys: in production, a key store that has no index
    is the one case that asks the database, whether labels were issued).
    """
    # Imported here, not at the top: `traceapp verify` imports this package and
    # must not pay for Flask, SQLAlchemy and the rest (traceapp/launcher.py).
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from traceapp.config import Settings
    from traceapp.db import make_engine, make_sessionmaker

    settings = settings or Settings.from_env()
    settings.check_safe()
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        # A console session ends after a working day without a request: Flask refuses
        # a session cookie signed longer ago than this, and each request re-signs it.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    app.extensions["traceapp.settings"] = settings
    if session_factory is None:
        engine = make_engine(
            settings.database_url, transaction_pooler=settings.database_pooler == "transaction"
        )
        session_factory = make_sessionmaker(engine)
        app.extensions[OWN_ENGINE] = engine
    app.extensions["traceapp.sessions"] = session_factory
    if check_keys:
        from traceapp.domain.signing_keys import check_signing_keys

        check_signing_keys(settings, session_factory)
    if reporting_sessions is None:
        from traceapp.infrastructure.reporting import reporting_sessions as on_replica

        reporting_sessions = on_replica(
            settings.database_replica_url,
            transaction_pooler=settings.database_pooler == "transaction",
        )
    app.extensions["traceapp.reporting"] = reporting_sessions

    from traceapp.web.app import register_web

    register_web(app)
    if settings.proxy_hops:
        # Behind nginx & co: take the client address and scheme from their headers,
        # trusting only as many hops as there are proxies (rate limits key on it).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app,
            x_for=settings.proxy_hops,
            x_proto=settings.proxy_hops,
            x_host=settings.proxy_hops,
        )
    return app


def close_app(app: Flask, *, write_scans: bool = True) -> None:
    """Release what `app` holds: write its buffered scans (or drop them), then close
    its own database pool. At the end of a process (gunicorn's worker_exit) or a test."""
    from traceapp.web.public import close_scans

    close_scans(app, write=write_scans)
    app.extensions["traceapp.reporting"].close()
    engine = app.extensions.pop(OWN_ENGINE, None)
    if engine is not None:
        engine.dispose()
