"""The web layer: blueprints, request-scoped sessions and error pages."""

from __future__ import annotations

from flask import Flask

from traceapp.web import auth, errors, home, request_session


def register_web(app: Flask) -> None:
    request_session.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    app.register_blueprint(home.blueprint)
