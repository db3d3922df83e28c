"""One place that turns errors into RFC 9457 problem details or an HTML page.

Problem details (the API, JSON clients) stay in English; the HTML page speaks the
reader's language, and inside the console keeps its navigation (console/error.html).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from traceapp.errors import DomainError, Term
from traceapp.web.formatting import date_text, number_text
from traceapp.web.vocabulary import term, wording

# What an error page calls each status, and what it tells the reader to do.
STATUS_TITLES = {
    400: _l("Bad request"),
    401: _l("Please sign in"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Not allowed"),
    409: _l("This cannot be done now"),
    413: _l("The file is too large"),
    422: _l("Please check what you entered"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}
STATUS_HELP = {
    400: _l("The request could not be understood. Go back and try again."),
    401: _l("Sign in to continue."),
    403: _l("Your account is not allowed to open this page."),
    404: _l(
        "There is no page at this address. Check the address, or start again from the home page."
    ),
    405: _l("This page cannot be opened this way. Go back and use the page's buttons."),
    409: _l("The change conflicts with what is already stored. Nothing was changed."),
    413: _l("Choose a smaller file and try again."),
    422: _l("Some of what you entered cannot be used. Go back and correct it."),
    429: _l("You have sent many requests in a short time. Wait a minute, then try again."),
    500: _l("Something went wrong on our side. Nothing was changed; please try again later."),
}
CONSOLE_PREFIX = "/console"


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/json", "application/problem+json"]
    )
    return best in ("application/json", "application/problem+json")


def domain_message(exc: DomainError) -> str:
    """A domain refusal in the reader's language: its English template, translated,
    with the same values (numbers and dates written the reader's way)."""
    if exc.values:
        language = str(get_locale() or "vi")
        text = gettext(exc.message, **{k: _local(v, language) for k, v in exc.values.items()})
    else:
        text = gettext(exc.message)
    text = text[:1].upper() + text[1:]  # shown as a sentence of its own
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _local(value: object, language: str) -> object:
    if isinstance(value, tuple | list):
        return ", ".join(str(_local(v, language)) for v in value)
    if isinstance(value, Term):
        return term(value.kind, value.value)
    if isinstance(value, StrEnum):
        return wording(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return number_text(value, language)
    if isinstance(value, date):
        return date_text(value, language)
    return value


def problem(
    status: int, title: str, detail: str, *, page_detail: str | None = None, **extra: object
) -> Response:
    """A problem-details response, JSON or HTML depending on what the client accepts.

    The HTML page shows `page_detail` (already in the reader's language) or the
    status's own help text, under the status's title in the reader's language.
    """
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
    template = "console/error.html" if request.path.startswith(CONSOLE_PREFIX) else "error.html"
    html = render_template(
        template,
        status=status,
        title=str(STATUS_TITLES.get(status, title)),
        detail=page_detail or str(STATUS_HELP.get(status, detail)),
    )
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
        response = problem(
            exc.status, exc.title, exc.detail, page_detail=domain_message(exc), field=exc.field
        )
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="traceapp"'
        return response

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError) -> Response:
        _discard_failed_work()
        app.logger.warning("integrity error: %s", exc.orig)
        return problem(409, "Conflict", "the change conflicts with data already stored")

    @app.errorhandler(CSRFError)
    def _form_expired(exc: CSRFError) -> Response:
        # Flask-WTF's reasons ("The CSRF token is missing.") are in the catalogues.
        return problem(400, exc.name, exc.description, page_detail=gettext(exc.description))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        response = problem(exc.code or 500, exc.name, exc.description or exc.name)
        allowed = getattr(exc, "valid_methods", None)  # MethodNotAllowed's
        if exc.code == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error")
        _discard_failed_work()
        return problem(500, "Internal Server Error", "something went wrong on our side")
