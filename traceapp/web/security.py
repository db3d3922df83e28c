"""Security headers on every response, and per-client rate limits on public surfaces.

Headers are set here in one after_request hook rather than with flask-talisman:
the policy is fixed and short, and the original Talisman project is archived.

Rate limits (Flask-Limiter and the `limits` library under it; counters in memory,
or in Redis when TRACEAPP_REDIS_URL is set, so that every worker shares them) by
kind of request:

    scans    code URLs and /api/v1/verify (ScanLimits)   per client IP and per code
    public   published keys and log, GS1 resolver pages   per client IP
    sign_in  POST to a sign-in form                      per client IP
    api      the rest of /api/...                        per API token (else IP)
    report   POST of a public page's "report this label" form  per client IP
    api_auth failed API authentications (bogus tokens)   per client IP

Each limit is a setting (TRACEAPP_RATE_LIMIT_PUBLIC, for scans and the public pages
per address; _PUBLIC_PER_CODE; _SIGN_IN; _API; _API_AUTH_FAILURES; _REPORT;
docs/configuration.md); TRACEAPP_RATE_LIMITS=off turns them all off. They reach
Flask-Limiter through its own config keys, set here from the settings only. A client
over the API_AUTH_FAILURES limit is refused before its token is looked up. A refused
request gets 429 problem details with Retry-After. If Redis cannot be reached,
counting falls back to each process's memory, logged.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, Response, current_app, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

from traceapp.config import Settings
from traceapp.errors import ServiceUnavailable
from traceapp.web.errors import problem

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
log = logging.getLogger(__name__)
CONSOLE_PREFIX = "/console"
# Scans (code URLs, /api/v1/verify) never reach Flask: ScanLimits counts them. What
# Flask answers under /01/ are the GS1 resolver's product, batch and linkset answers.
PUBLIC_PREFIXES = ("/01/", "/keys.json", "/transparency/", "/.well-known/", "/passport/", "/epcis/")


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
        # Redis down: count in each process's memory (Flask-Limiter logs it), never fail.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
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

    @app.errorhandler(RedisError)
    def _counters_unreachable(exc: RedisError) -> Response:
        # Rate-limit counters are in Redis; without them a limited request is refused
        # (503), loudly logged, rather than answered with a 500.
        app.logger.error("rate-limit store unreachable: %s", exc)
        response = problem(
            503,
            "Service Unavailable",
            "this is unavailable for a moment: a service it needs cannot be reached; "
            "please try again in a few minutes",
        )
        response.headers["Retry-After"] = "60"
        return response

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
    headers: tuple[tuple[str, str], ...] = (
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    )
    if settings.is_production:
        headers += (("Strict-Transport-Security", HSTS),)
    return headers


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    headers: list[tuple[str, str]]
    description: str = ""


class ScanLimits:
    """The public limits of a scan (web/public/scan.py): per client address AND per
    code, counted with the `limits` library (Flask-Limiter's own) in the same store.

    Why both, and why these figures: docs/verification.md, "Rate limits". If the store
    cannot be reached, each process counts in its own memory instead and says so in
    the log (once a minute while it lasts): scans keep being answered.
    """

    def __init__(
        self,
        storage_uri: str,
        per_address: str,
        per_code: str,
        *,
        enabled: bool = True,
        headers_enabled: bool = True,
        prefix: str = "traceapp",
    ) -> None:
        self._enabled = enabled
        self._headers_enabled = headers_enabled
        self._prefix = prefix
        self._per_address = parse_many(per_address)
        self._per_code = parse_many(per_code)
        self._shared = FixedWindowRateLimiter(storage_from_string(storage_uri))
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._last_warning = 0.0

    def hit(self, address: str, code: str) -> LimitDecision:
        """Count one scan of `code` from `address`: allowed or not, and the headers."""
        if not self._enabled:
            return LimitDecision(True, [])
        address_key = (self._prefix, "scan-address", address or "-")
        code_key = (self._prefix, "scan-code", hashlib.sha256(code.encode()).hexdigest()[:32])
        try:
            return self._hit(self._shared, address_key, code_key)
        except Exception as exc:  # noqa: BLE001 - any store failure degrades the same way
            now = time.monotonic()
            if now - self._last_warning > 60:
                self._last_warning = now
                log.error("rate-limit store unreachable (%s): scans limited per process only", exc)
            return self._hit(self._local, address_key, code_key)

    def _hit(self, limiter: FixedWindowRateLimiter, address_key, code_key) -> LimitDecision:
        for items, key in ((self._per_address, address_key), (self._per_code, code_key)):
            for item in items:
                if not limiter.hit(item, *key):
                    return self._refused(limiter, item, key)
        if not self._headers_enabled:
            return LimitDecision(True, [])
        first = self._per_address[0]
        reset, remaining = limiter.get_window_stats(first, *address_key)
        return LimitDecision(True, _limit_headers(first, reset, remaining))

    def _refused(self, limiter, item: RateLimitItem, key) -> LimitDecision:
        reset, _remaining = limiter.get_window_stats(item, *key)
        headers = _limit_headers(item, reset, 0) if self._headers_enabled else []
        headers.append(("Retry-After", str(max(1, math.ceil(reset - time.time())))))
        return LimitDecision(False, headers, str(item))


def _limit_headers(item: RateLimitItem, reset: float, remaining: int) -> list[tuple[str, str]]:
    return [
        ("X-RateLimit-Limit", str(item.amount)),
        ("X-RateLimit-Remaining", str(remaining)),
        ("X-RateLimit-Reset", str(int(reset + 1))),
    ]


def require_attempt_counters() -> None:
    """ServiceUnavailable (503) when the store counting sign-in attempts (Redis) cannot
    be reached: signing in without the limit would let guesses through uncounted."""
    limiter: Limiter = current_app.extensions["traceapp.limiter"]
    if limiter.enabled and not limiter.limiter.storage.check():
        current_app.logger.error("sign-in refused: the rate-limit store cannot be reached")
        raise ServiceUnavailable(
            "signing in is unavailable for a moment: the service that counts sign-in "
            "attempts cannot be reached; please try again in a few minutes"
        )


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
