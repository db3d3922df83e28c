"""One place that turns errors into RFC 9457 problem details or an HTML page."""

from __future__ import annotations

from flask import Flask, Response, g, jsonify, render_template, request
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from traceapp.errors import DomainError


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/json", "application/problem+json"]
    )
    return best in ("application/json", "application/problem+json")


def problem(status: int, title: str, detail: str, **extra: object) -> Response:
    """A problem-details response, JSON or HTML depending on what the client accepts."""
    if wants_json():
        body = {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            **{k: v for k, v in extra.items() if v is not None},
        }
        response = jsonify(body)
        response.status_code = status
        response.mimetype = "application/problem+json"
        return response
    html = render_template("error.html", status=status, title=title, detail=detail)
    return Response(html, status=status, mimetype="text/html")


def _discard_failed_work() -> None:
    # A failed statement leaves the request's transaction unusable; the error page
    # itself loads the signed-in user, so roll back before rendering anything.
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def init_app(app: Flask) -> None:
    @app.errorhandler(DataError)
    def _data_error(exc: DataError) -> Response:
        # A value the column cannot hold (a number past INTEGER, text PostgreSQL
        # refuses): bad input that got past the boundary checks.
        _discard_failed_work()
        app.logger.warning("data error: %s", exc.orig)
        return problem(422, "Invalid input", "a value is out of range or cannot be stored")

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        response = problem(exc.status, exc.title, exc.detail, field=exc.field)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="traceapp"'
        return response

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError) -> Response:
        _discard_failed_work()
        app.logger.warning("integrity error: %s", exc.orig)
        return problem(409, "Conflict", "the change conflicts with data already stored")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        response = problem(exc.code or 500, exc.name, exc.description or exc.name)
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error")
        _discard_failed_work()
        return problem(500, "Internal Server Error", "something went wrong on our side")
