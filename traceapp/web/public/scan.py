"""The one front door for a scan: answer_scan(request facts) -> (status, headers, body).

A phone camera opening a label asks for the code's own URL
(/01/{gtin}/10/{lot}/21/{serial}?8030=...); the JSON twin is the same URL asked
with Accept: application/json; /api/v1/verify?code= takes the code as text.
Routing, the rate limits, the language, the code text, the page's own URL and
every header are decided here, once. The WSGI adapter at the end is the only
caller: it hands every other request to Flask unchanged.

The code text given to the verifier is exactly what the client asked for: the
service's base URL, the path as sent (percent-escapes kept) and the query without
the service's own parameters (lang, lat, lon). So the page, its JSON twin,
/api/v1/verify and `traceapp verify` give the verdict keys.verify gives for the
same text, and anything keys/ calls malformed under the code routes is the red
"not genuine" page with status 404.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, unquote_plus

from flask import json
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_cookie, parse_etags

from keys.codes import MalformedCode, parse_uri
from traceapp.clock import today_local
from traceapp.config import Settings
from traceapp.domain.scans import client_hash, coarse_place
from traceapp.domain.verification import MALFORMED, VerificationOutcome, Verifier
from traceapp.infrastructure.keysets import KeysetCache, KeysUnavailable
from traceapp.web.public import languages
from traceapp.web.public.page import PageRenderer
from traceapp.web.public.wording import N_, reason_text, translated, verdict_title
from traceapp.web.resolver_requests import item_link_header, resolver_request
from traceapp.web.security import ScanLimits, security_headers

log = logging.getLogger(__name__)

API_PATH = "/api/v1/verify"
# Everything under the code routes is a scan, well formed or not (/P/..., //01/...).
CODE_PATH = re.compile(r"/+(?:01|[pP])(?:/|$)")
# The service's own parameters on a code's URL; every other one is part of the code.
# Where the scan was made, if the phone said (docs/verification.md).
LOCATION_PARAMETERS = ("lat", "lon")
OWN_PARAMETERS = ("lang", *LOCATION_PARAMETERS)
MAX_CODE_PARAMETER = 2048
# A genuine page must turn "recalled" at once: every view asks the server again.
CACHE_HEADERS = (
    ("Cache-Control", "no-cache, private, max-age=0, must-revalidate"),
    ("Vary", "Accept, Accept-Language, Cookie"),
)
# Where a CDN or reverse proxy may say which region a client is in.
REGION_HEADERS = ("HTTP_CF_IPCOUNTRY", "HTTP_X_REGION")
# A well-formed signature field, to ask keys/ whether a path alone is a code's path.
_ANY_SIGNATURE = "1AA" + "A" * 86
RETRY_UNAVAILABLE_SECONDS = 30
UNAVAILABLE_TITLE = N_("Verification temporarily unavailable")
UNAVAILABLE_DETAIL = N_(
    "This label cannot be checked right now. Please try again in a minute: "
    "this says nothing about the product."
)

WSGIEnviron = dict[str, Any]


@dataclass(frozen=True)
class ScanRequest:
    """What answer_scan needs to know about a request."""

    method: str
    path: str  # as sent, percent-escapes kept, without the app's script root
    query: str  # as sent
    script_root: str
    accept: str
    accept_language: str
    cookies: dict[str, str]
    address: str
    region: str | None
    if_none_match: str | None
    environ: WSGIEnviron  # for rendering a page shell (a Flask request context)

    @classmethod
    def from_environ(cls, environ: WSGIEnviron) -> ScanRequest:
        script_root = environ.get("SCRIPT_NAME", "").rstrip("/")
        return cls(
            method=environ.get("REQUEST_METHOD", "GET"),
            path=raw_path(environ),
            query=environ.get("QUERY_STRING", ""),
            script_root=script_root,
            accept=environ.get("HTTP_ACCEPT", ""),
            accept_language=environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            cookies=dict(parse_cookie(environ.get("HTTP_COOKIE", ""))),
            address=environ.get("REMOTE_ADDR") or "",
            region=next((environ[n] for n in REGION_HEADERS if environ.get(n)), None),
            if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
            environ=environ,
        )


@dataclass(frozen=True)
class ScanAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def raw_path(environ: WSGIEnviron) -> str:
    """The request path as the client sent it (a server's RAW_URI or REQUEST_URI),
    without the script root; else PATH_INFO re-escaped."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    script_root = environ.get("SCRIPT_NAME", "").rstrip("/")
    if raw and raw.startswith("/"):
        path = raw.partition("?")[0]
        if script_root and path.startswith(script_root):
            path = path[len(script_root) :]
        # Unless a proxy rewrote the path: then PATH_INFO is the truth.
        if unquote(path, encoding="latin-1") == environ.get("PATH_INFO", ""):
            return path
    info = environ.get("PATH_INFO", "")
    return quote(info.encode("latin-1"), safe="/!$&'()*+,;=:@-._~")


def scan_route(path: str, query: str = "", accept: str | None = None) -> str | None:
    """ "code" for the code routes, "api" for /api/v1/verify, None for anything else
    (Flask's), such as the GS1 resolver's answers under /01/ (resolver_request)."""
    if path == API_PATH:
        return "api"
    if not CODE_PATH.match(path) or resolver_request(path, query, accept):
        return None
    return "code"


@lru_cache(maxsize=256)
def prefers_json(accept: str | None) -> bool:
    """True if an Accept header prefers JSON to HTML (clients send a handful of
    distinct ones: each is parsed once)."""
    best = parse_accept_header(accept, MIMEAccept).best_match(["text/html", "application/json"])
    return best == "application/json"


def etag(body: bytes) -> str:
    return f'"{hashlib.sha1(body).hexdigest()}"'


class ScanDesk:
    """Answers scans: verification, its page or JSON, limits and headers."""

    def __init__(
        self,
        *,
        settings: Settings,
        verifier: Verifier,
        keysets: KeysetCache,
        limits: ScanLimits,
        renderer: PageRenderer,
        secure_cookies: bool,
        today: Callable[[], date] = today_local,
    ) -> None:
        self._settings = settings
        self._verifier = verifier
        self._keysets = keysets
        self._limits = limits
        self._renderer = renderer
        self._secure_cookies = secure_cookies
        self._today = today
        self._every_answer = security_headers(settings)

    def answer_scan(self, request: ScanRequest) -> ScanAnswer:
        """The whole answer to a scan (a code route or /api/v1/verify); never raises."""
        route = scan_route(request.path, request.query, request.accept)
        parameters, kept = _split_query(request.query)
        as_json = route == "api" or prefers_json(request.accept)
        language = languages.choose_language(
            parameters.get("lang"),
            request.cookies.get(languages.LANGUAGE_COOKIE),
            request.accept_language,
        )
        headers = list(self._every_answer)
        if route == "code" and request.path.startswith("/01/"):
            # The GS1 resolver's Link header: where the code's linkset is.
            headers.append(("Link", item_link_header(self._settings.public_base_url, request.path)))
        cookie = languages.language_cookie(
            parameters.get("lang"),
            request.cookies.get(languages.LANGUAGE_COOKIE),
            self._secure_cookies,
        )
        if cookie is not None:
            headers.append(("Set-Cookie", cookie))
        try:
            if request.method not in ("GET", "HEAD"):
                headers.append(("Allow", "GET, HEAD"))
                return self._problem(
                    request,
                    405,
                    "Method Not Allowed",
                    "only GET and HEAD",
                    as_json,
                    language,
                    headers,
                )
            if route == "api":
                code = _first(request.query, "code")
                if not code.strip():
                    return self._problem(
                        request,
                        422,
                        "Invalid input",
                        "give the scanned code as ?code=<URI>",
                        True,
                        language,
                        headers,
                        field="code",
                    )
                if len(code) > MAX_CODE_PARAMETER:
                    return self._problem(
                        request,
                        422,
                        "Invalid input",
                        f"a code has at most {MAX_CODE_PARAMETER} characters",
                        True,
                        language,
                        headers,
                        field="code",
                    )
                own_url = ""  # JSON only: no page links to build
            else:
                code = self._settings.public_base_url + request.path + (f"?{kept}" if kept else "")
                own_url = f"{request.script_root}{request.path}" + (f"?{kept}" if kept else "")
            limited = self._limits.hit(request.address, code.partition("?")[0])
            headers += limited.headers
            if not limited.allowed:
                return self._problem(
                    request,
                    429,
                    "Too Many Requests",
                    f"too many requests: the limit is {limited.description}; try again later",
                    as_json,
                    language,
                    headers,
                )
            return self._verified(
                request, route, code, own_url, parameters, as_json, language, headers
            )
        except KeysUnavailable:  # logged where it was found
            return self._unavailable(request, as_json, language, headers)
        except SQLAlchemyError:
            log.exception("verification failed: the database cannot be reached")
            return self._unavailable(request, as_json, language, headers)
        except Exception:  # noqa: BLE001 - a scan never shows a traceback
            log.exception("unhandled error answering a scan")
            return self._problem(
                request,
                500,
                "Internal Server Error",
                "something went wrong on our side",
                as_json,
                language,
                headers,
            )

    def _verified(
        self,
        request: ScanRequest,
        route: str | None,
        code: str,
        own_url: str,
        parameters: dict[str, str],
        as_json: bool,
        language: str,
        headers: list[tuple[str, str]],
    ) -> ScanAnswer:
        today = self._today()
        place = coarse_place(parameters.get("lat"), parameters.get("lon"), request.region)
        outcome = self._verifier.scan(
            code,
            self._keysets.current(),
            today,
            client=client_hash(request.address, self._settings.scan_salt),
            place=place,
        )
        if as_json:
            body = _json(json_document(outcome, language))
            content_type = "application/json"
        else:
            located = place.latitude is not None
            body = self._renderer.page(
                outcome, language, today, located, own_url, request.environ
            ).encode()
            content_type = "text/html; charset=utf-8"
        # Under the code routes, a path that is no code's path is not found.
        status = 404 if route == "code" and self._malformed_path(outcome, request.path) else 200
        tag = etag(body)
        headers += [("ETag", tag), *CACHE_HEADERS]
        if (
            status == 200
            and request.if_none_match
            and parse_etags(request.if_none_match).contains(tag.strip('"'))
        ):
            return ScanAnswer(304, headers, b"")
        return self._answer(request, status, content_type, body, headers)

    def _malformed_path(self, outcome: VerificationOutcome, path: str) -> bool:
        """Whether keys/ refuses the path itself, whatever its query holds (a missing or
        broken signature is a red page for a code's item URI, not a 404)."""
        if outcome.reason != MALFORMED:
            return False
        try:
            parse_uri(f"{self._settings.public_base_url}{path}?8030={_ANY_SIGNATURE}")
        except MalformedCode:
            return True
        return False

    def _answer(
        self,
        request: ScanRequest,
        status: int,
        content_type: str,
        body: bytes,
        headers: list[tuple[str, str]],
    ) -> ScanAnswer:
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            *headers,
        ]
        return ScanAnswer(status, headers, b"" if request.method == "HEAD" else body)

    def _unavailable(
        self,
        request: ScanRequest,
        as_json: bool,
        language: str,
        headers: list[tuple[str, str]],
    ) -> ScanAnswer:
        # Never a verdict: a consumer told "not genuine" by a broken server would be misled.
        headers.append(("Retry-After", str(RETRY_UNAVAILABLE_SECONDS)))
        title = translated(UNAVAILABLE_TITLE, language)
        detail = translated(UNAVAILABLE_DETAIL, language)
        return self._problem(request, 503, title, detail, as_json, language, headers)

    def _problem(
        self,
        request: ScanRequest,
        status: int,
        title: str,
        detail: str,
        as_json: bool,
        language: str,
        headers: list[tuple[str, str]],
        **extra: object,
    ) -> ScanAnswer:
        headers = [*headers, ("Cache-Control", "no-store")]
        if as_json:
            document = {"type": "about:blank", "title": title, "status": status, "detail": detail}
            document.update({k: v for k, v in extra.items() if v is not None})
            body = _json(document)
            return self._answer(request, status, "application/problem+json", body, headers)
        html = self._renderer.error(status, title, detail, language, request.environ)
        return self._answer(request, status, "text/html; charset=utf-8", html.encode(), headers)


def json_document(outcome: VerificationOutcome, language: str) -> dict[str, Any]:
    """The JSON twin of the page: the outcome's record, titled in `language`."""
    document = outcome.to_dict()
    document["title"] = verdict_title(outcome.verdict, language)
    document["message"] = reason_text(outcome.reason, language)
    return document


def _json(document: dict[str, Any]) -> bytes:
    # <, > and & escaped: a code's text echoed in a detail can never be read as markup.
    text = json.dumps(document)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def _first(query: str, name: str) -> str:
    return next((v for n, v in parse_qsl(query, keep_blank_values=True) if n == name), "")


def _split_query(query: str) -> tuple[dict[str, str], str]:
    """The service's own parameters (lang, lat, lon) by name, first one wins; and the
    rest of the query as sent, in order."""
    if not query:
        return {}, ""
    parameters: dict[str, str] = {}
    kept: list[str] = []
    for part in query.split("&"):
        name = unquote_plus(part.partition("=")[0])
        if name in OWN_PARAMETERS:
            parameters.setdefault(name, unquote_plus(part.partition("=")[2]))
        else:
            kept.append(part)
    return parameters, "&".join(kept)


class ScanFront:
    """The WSGI adapter: scans to the desk, everything else to Flask."""

    def __init__(self, desk: ScanDesk, flask_wsgi: Callable[..., Iterable[bytes]]) -> None:
        self._desk = desk
        self._flask_wsgi = flask_wsgi

    def __call__(self, environ: WSGIEnviron, start_response) -> Iterable[bytes]:
        route = scan_route(
            raw_path(environ), environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT")
        )
        if route is None:
            return self._flask_wsgi(environ, start_response)
        answer = self._desk.answer_scan(ScanRequest.from_environ(environ))
        start_response(f"{answer.status} {_REASONS[answer.status]}", answer.headers)
        return [answer.body]


_REASONS = {
    200: "OK",
    304: "Not Modified",
    404: "Not Found",
    405: "Method Not Allowed",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
