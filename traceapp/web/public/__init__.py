"""The public verification area: scans of a code (answered by web/public/scan.py in
front of Flask) and the issuer's public key document. init_app wires the verifier
to its storage (traceapp/infrastructure)."""

from __future__ import annotations

from functools import partial

from flask import Flask, current_app, jsonify

from traceapp.config import Settings
from traceapp.domain.signing_keys import public_keyset
from traceapp.domain.verification import Verifier, batch_records
from traceapp.infrastructure.batch_records import CachedBatchRecords
from traceapp.infrastructure.keysets import KeysetCache
from traceapp.infrastructure.labels import label_source
from traceapp.infrastructure.read_sessions import read_sessions
from traceapp.infrastructure.scan_sinks import ScanBuffer
from traceapp.web.public import (
    languages,
    value_chain,  # noqa: F401  (the box page registers on the blueprint)
)
from traceapp.web.public.base import blueprint
from traceapp.web.public.page import PageRenderer
from traceapp.web.public.scan import ScanDesk, ScanFront
from traceapp.web.security import ScanLimits

KEYS_MAX_AGE = 300
SCAN_DESK = "traceapp.scan_desk"
SCAN_BUFFER = "traceapp.scan_buffer"
KEYSETS = "traceapp.keysets"
VERIFIER = "traceapp.verifier"


def init_app(app: Flask) -> None:
    languages.init_app(app)
    app.register_blueprint(blueprint)
    settings: Settings = app.extensions["traceapp.settings"]
    sessions = app.extensions["traceapp.sessions"]
    reading = read_sessions(sessions)
    buffer = ScanBuffer(reading.writing, interval=settings.scan_flush_seconds)
    verifier = Verifier(
        label_source(reading.bind, reading.thread_session),
        CachedBatchRecords(reading.session, batch_records, settings.verification_cache_seconds),
        buffer,
    )
    keysets = KeysetCache(partial(public_keyset, settings, reading.session))
    desk = ScanDesk(
        settings=settings,
        verifier=verifier,
        keysets=keysets,
        limits=ScanLimits(
            settings.redis_url or "memory://",
            settings.rate_limit_public,
            settings.rate_limit_public_per_code,
            enabled=settings.rate_limits,
            prefix=settings.rate_limit_key_prefix,
        ),
        renderer=PageRenderer(app, settings.verification_cache_seconds),
        secure_cookies=app.config.get("SESSION_COOKIE_SECURE", False),
    )
    app.extensions.update(
        {SCAN_DESK: desk, SCAN_BUFFER: buffer, KEYSETS: keysets, VERIFIER: verifier}
    )
    app.wsgi_app = ScanFront(desk, app.wsgi_app)  # type: ignore[method-assign]


def flush_scans(app: Flask) -> None:
    """Write the app's buffered scans now."""
    app.extensions[SCAN_BUFFER].flush()


def close_scans(app: Flask, *, write: bool = True) -> None:
    """Write (or drop) the app's buffered scans, and stop writing them at exit."""
    app.extensions[SCAN_BUFFER].close(write=write)


def current_keysets() -> KeysetCache:
    return current_app.extensions[KEYSETS]


def current_verifier() -> Verifier:
    """The app's one Verifier (the public page's): for other views that verify a code."""
    return current_app.extensions[VERIFIER]


@blueprint.get("/.well-known/traceapp-keys.json")
@blueprint.get("/keys.json")
def public_keys():
    response = jsonify(current_keysets().current().to_dict())
    response.headers["Cache-Control"] = f"public, max-age={KEYS_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
