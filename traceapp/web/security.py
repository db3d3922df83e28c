"""Security headers on every response, and per-client rate limits on public surfaces.

Headers are set here in one after_request hook rather than with flask-talisman:
the policy is fixed and short, and the original Talisman project is archived.

Rate limits (Flask-Limiter; counters in memory, or in Redis when TRACEAPP_REDIS_URL
is set, so that every worker shares them) by kind of request:

    public   verification pages and API, published keys and log    per client IP
    sign_in  POST to a sign-in form                            per client IP
    report   POST of a public page's "report this label" form      per client IP
    api      /api/...                                          per API token (else IP)
    api_auth failed API authentications (bogus tokens)         per client IP

Each limit is a setting (TRACEAPP_RATE_LIMIT_PUBLIC, _SIGN_IN, _API,
_API_AUTH_FAILURES, _REPORT; docs/configuration.md); TRACEAPP_RATE_LIMITS=off turns them all
off. They reach Flask-Limiter through its own config keys, set here from the
settings only. A client over the API_AUTH_FAILURES limit is refused before its
token is looked up. A refused request gets 429 problem details with Retry-After.
"""

from __future__ import annotations

import hashlib
import math
import time
from functools import lru_cache

from flask import Flask, Response, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

from traceapp.config import Settings
from traceapp.web.errors import problem

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
CONSOLE_PREFIX = "/console"
PUBLIC_PREFIXES = (
    "/01/",
    "/p/",
    "/api/v1/verify",
    "/keys.json",
    "/transparency/",
    "/.well-known/",
    "/passport/",
    "/epcis/",
)


def request_kind() -> str | None:
    """Which rate limit applies to the current request, if any."""
    path = request.path
    if path.startswith(PUBLIC_PREFIXES):
        return "public"
    if path.startswith("/api/"):
        return "api"
    if request.method == "POST" and path.rstrip("/").endswith("/sign-in"):
        return "sign_in"
    if request.method == "POST" and path == "/report":
        return "report"
    return None


def api_client() -> str:
    """An API client by its token (hashed: the secret never reaches the counter store)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip():
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "ip:" + get_remote_address()


def _limit(kind: str, limit: str, key_function) -> Limit:
    return Limit(
        limit,
        key_function=key_function,
        scope=kind,
        shared=True,
        exempt_when=lambda: request_kind() != kind,
    )


def init_app(app: Flask, settings: Settings) -> Limiter:
    app.config.update(
        RATELIMIT_ENABLED=settings.rate_limits,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_KEY_PREFIX=settings.rate_limit_key_prefix,
    )
    limiter = Limiter(
        get_remote_address,
        default_limits=[
            _limit("public", settings.rate_limit_public, get_remote_address),
            _limit("sign_in", settings.rate_limit_sign_in, get_remote_address),
            _limit("api", settings.rate_limit_api, api_client),
            _limit("report", settings.rate_limit_report, get_remote_address),
        ],
    )
    limiter.init_app(app)
    app.extensions["traceapp.limiter"] = limiter
    app.extensions["traceapp.auth_failures"] = AuthenticationFailures(app)

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded) -> Response:
        response = problem(
            429,
            "Too Many Requests",
            f"too many requests: the limit is {exc.description}; try again later",
        )
        response.headers["Retry-After"] = str(_retry_after(limiter))
        return response

    every_response = security_headers(settings)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        for name, value in every_response:
            headers.setdefault(name, value)
        if request.path.startswith(CONSOLE_PREFIX):
            # Console pages show private data (a new API token once): never kept by a
            # browser, a shared phone or a proxy.
            headers["Cache-Control"] = "no-store"
        return response

    return limiter


def security_headers(settings: Settings) -> tuple[tuple[str, str], ...]:
    """The headers every response carries unless its view set them itself."""
    headers = (
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    )
    if settings.is_production:
        headers += (("Strict-Transport-Security", HSTS),)
    return headers


class PublicLimit:
    """The "public" limit counted outside a Flask request (web/public/direct.py),
    on the counters Flask-Limiter keeps for it, with the headers it would add."""

    def __init__(self, app: Flask) -> None:
        self._config = app.config
        self._limit_text = app.extensions["traceapp.settings"].rate_limit_public
        self._limiter: Limiter = app.extensions["traceapp.limiter"]

    def hit(self, address: str) -> list[tuple[str, str]] | None:
        """Count a request from `address`: the rate-limit headers, or None if over the limit."""
        if not self._limiter.enabled:
            return []
        item = _parsed_limit(self._limit_text)
        # The storage key Flask-Limiter uses for a shared limit: prefix, client, scope.
        key = (self._config["RATELIMIT_KEY_PREFIX"], address or "127.0.0.1", "public")
        if not self._limiter.limiter.hit(item, *key):
            return None
        if not self._config["RATELIMIT_HEADERS_ENABLED"]:
            return []
        reset_time, remaining = self._limiter.limiter.get_window_stats(item, *key)
        reset_at = int(reset_time + 1)
        return [
            ("X-RateLimit-Limit", str(item.amount)),
            ("X-RateLimit-Remaining", str(remaining)),
            ("X-RateLimit-Reset", str(reset_at)),
            ("Retry-After", str(int(reset_at - time.time()))),
        ]


class AuthenticationFailures:
    """Failed API authentications counted per client address, on the limiter's storage."""

    def __init__(self, app: Flask) -> None:
        self._config = app.config
        self._limit_text = app.extensions["traceapp.settings"].rate_limit_api_auth_failures
        self._limiter: Limiter = app.extensions["traceapp.limiter"]

    def _key(self) -> tuple[RateLimitItem, str, str, str]:
        item = _parsed_limit(self._limit_text)
        return item, self._config["RATELIMIT_KEY_PREFIX"], get_remote_address(), "api_auth"

    def refusal(self) -> Response | None:
        """A 429 problem if this client has failed too often, else None."""
        if not self._limiter.enabled:
            return None
        item, *key = self._key()
        if self._limiter.limiter.test(item, *key):
            return None
        reset_time, _remaining = self._limiter.limiter.get_window_stats(item, *key)
        response = problem(
            429,
            "Too Many Requests",
            f"too many requests with an invalid API token: the limit is {item}; try again later",
        )
        response.headers["Retry-After"] = str(max(1, math.ceil(reset_time - time.time())))
        return response

    def count(self) -> None:
        if self._limiter.enabled:
            item, *key = self._key()
            self._limiter.limiter.hit(item, *key)


@lru_cache(maxsize=8)
def _parsed_limit(text: str) -> RateLimitItem:
    return parse(text)


def _retry_after(limiter: Limiter) -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
