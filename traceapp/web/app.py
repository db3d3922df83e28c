"""Puts the web layer on an app: request sessions, error pages, formatting, security,
and every blueprint."""

from __future__ import annotations

from flask import Flask

from traceapp.web import (
    api,
    auth,
    console,
    errors,
    formatting,
    home,
    ids,
    inspect,
    json_input,
    public,
    reports,
    request_session,
    resolver,
    security,
    transparency,
    vocabulary,
)


def register_web(app: Flask) -> None:
    request_session.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    vocabulary.init_app(app)
    json_input.init_app(app)
    ids.init_app(app)
    security.init_app(app, app.extensions["traceapp.settings"])
    auth.init_app(app)
    app.register_blueprint(home.blueprint)
    app.register_blueprint(console.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(transparency.blueprint)
    app.register_blueprint(reports.blueprint)
    app.jinja_env.globals["union_hotline"] = app.extensions["traceapp.settings"].union_hotline
    inspect.init_app(app)
    public.init_app(app)  # Babel, the verification pages, the box page, the timeline
    resolver.init_app(app)  # GS1 resolver levels, passports, product images
