"""The direct path: a plain scan of a printed code, answered without Flask.

A phone camera opening a label asks for exactly what the QR holds: GET
/01/{gtin}/10/{lot}/21/{serial}?8030={signature}, HTML, no cookie but perhaps
the language one. That request is most of the service's traffic, and Flask's
request machinery (context, session, hooks, routing) cost more than the page's
own work, so this WSGI middleware answers it itself, with the same verification
(buffered.py), the same page (page.py), the same headers and the same rate limit.
Anything else goes on to Flask unchanged: ?lang= or a location, JSON, HEAD,
conditional requests, other cookies, odd characters, a client over its rate
limit. A page not rendered yet is rendered in a Flask request context, and an
error is answered by Flask's error handling. tests/verification/test_direct_path.py
checks that both paths answer alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, g
from werkzeug.http import parse_cookie

from traceapp.clock import today_local
from traceapp.domain.scans import ScanPlace, client_hash, coarse_place
from traceapp.web.public import languages
from traceapp.web.public.batch_cache import BatchCache
from traceapp.web.public.buffered import BufferedVerification
from traceapp.web.public.keyset_cache import current_keyset
from traceapp.web.public.page import (
    CACHE_HEADERS,
    CONDITIONAL_HEADERS,
    cached_page_html,
    etag,
    page_html,
    prefers_json,
    region_header,
)
from traceapp.web.resolver import item_link_header, resolver_request
from traceapp.web.security import PublicLimit, security_headers

WSGIEnviron = dict[str, Any]

# What a printed code holds; segments start with a letter or digit, as every
# lot, serial, GTIN and product reference does (keys/fields.py).
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,63}"
_CODE_PATH = re.compile(rf"/(?:01|p)/{_SEGMENT}/10/{_SEGMENT}/21/{_SEGMENT}")
_SIGNATURE_QUERY = re.compile(r"8030=[A-Za-z0-9_-]{1,100}")
_NO_PLACE = ScanPlace()


class DirectPage:
    """WSGI middleware in front of the Flask app's own WSGI callable."""

    def __init__(
        self, app: Flask, flask_wsgi, verification: BufferedVerification, cache: BatchCache
    ) -> None:
        self._app = app
        self._flask_wsgi = flask_wsgi
        self._verification = verification
        self._cache = cache
        self._settings = app.extensions["traceapp.settings"]
        self._limit = PublicLimit(app)
        self._headers = (*security_headers(self._settings), *CACHE_HEADERS)

    def __call__(self, environ: WSGIEnviron, start_response) -> Iterable[bytes]:
        language = self._plain_scan_language(environ)
        if language is None:
            return self._flask_wsgi(environ, start_response)
        try:
            limit_headers = self._limit.hit(environ.get("REMOTE_ADDR", ""))
            if limit_headers is None:
                # Flask answers the 429 (counting the request once more: no matter).
                return self._flask_wsgi(environ, start_response)
            body = self._page(environ, language).encode()
        except Exception as exc:  # noqa: BLE001 - answered as Flask answers any error
            return self._flask_error(environ, start_response, exc)
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("ETag", etag(body)),
                *self._resolver_headers(environ),
                *self._headers,
                *limit_headers,
            ],
        )
        return [body]

    def _resolver_headers(self, environ: WSGIEnviron) -> list[tuple[str, str]]:
        # The GS1 resolver's Link header naming the code's linkset (web/resolver.py).
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/01/"):
            return []
        return [("Link", item_link_header(self._settings.public_base_url, path))]

    def _plain_scan_language(self, environ: WSGIEnviron) -> str | None:
        """The page's language if this request is a plain scan, else None (Flask's)."""
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or not _CODE_PATH.fullmatch(environ.get("PATH_INFO", ""))
            or not _SIGNATURE_QUERY.fullmatch(environ.get("QUERY_STRING", ""))
            or any(name in environ for name in CONDITIONAL_HEADERS)
        ):  # Flask's job
            return None
        if prefers_json(environ.get("HTTP_ACCEPT")) or resolver_request(
            environ["PATH_INFO"], environ["QUERY_STRING"], environ.get("HTTP_ACCEPT")
        ):
            return None  # JSON, or a GS1 linkset or passport (web/resolver.py): Flask's
        cookie = environ.get("HTTP_COOKIE")
        if cookie:
            cookies = parse_cookie(cookie)
            if cookies.keys() - {languages.LANGUAGE_COOKIE}:
                return None  # a session: Flask may have to refresh it
            remembered = cookies.get(languages.LANGUAGE_COOKIE)
            if remembered in languages.LANGUAGES:
                return remembered
        return languages.best_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""))

    def _page(self, environ: WSGIEnviron, language: str) -> str:
        settings, today = self._settings, today_local()
        path, query = environ["PATH_INFO"], environ["QUERY_STRING"]
        region = region_header(environ)
        outcome = self._verification.verify(
            f"{settings.public_base_url}{path}?{query}",
            current_keyset(settings),
            today,
            client_hash(environ.get("REMOTE_ADDR") or "", settings.scan_salt),
            coarse_place(None, None, region) if region else _NO_PLACE,
        )
        code_url = f"{environ.get('SCRIPT_NAME', '').rstrip('/')}{path}?{query}"
        html = cached_page_html(outcome, language, today, code_url, self._cache)
        if html is None:
            # First view of such a page here: render it, and its shell, in Flask.
            with self._app.request_context(environ):
                g.lang = language  # as the before_request hook would have chosen it
                html = page_html(outcome, language, today, False, code_url, self._cache)
        return html

    def _flask_error(self, environ: WSGIEnviron, start_response, exc: Exception):
        with self._app.request_context(environ):
            response = self._app.handle_exception(exc)
        return response(environ, start_response)
