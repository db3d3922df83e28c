"""Security headers on every response, and per-client rate limits on public surfaces.

Headers are set here in one after_request hook rather than with flask-talisman:
the policy is fixed and short, and the original Talisman project is archived.

Rate limits (Flask-Limiter and the `limits` library under it; counters in memory,
or in Redis when TRACEAPP_REDIS_URL is set, so that every worker shares them) by
kind of request:

    scans    code URLs and /api/v1/verify (ScanLimits)   per client IP and per code
    public   published keys and transparency log         per client IP
    sign_in  POST to a sign-in form                      per client IP
    api      the rest of /api/...                        per API token (else IP)

Each limit is a Flask config value (RATELIMIT_PUBLIC, for scans and the public
pages per address; RATELIMIT_PUBLIC_PER_CODE; RATELIMIT_SIGN_IN; RATELIMIT_API);
RATELIMIT_ENABLED turns them all off, and is off by default when TESTING. A
refused request gets 429 problem details with Retry-After. If Redis cannot be
reached, counting falls back to each process's memory, logged.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from traceapp.config import Settings
from traceapp.web.errors import problem

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
log = logging.getLogger(__name__)
DEFAULT_LIMITS = {
    # Why these figures: docs/verification.md, "Rate limits".
    "RATELIMIT_PUBLIC": "600/minute",
    "RATELIMIT_PUBLIC_PER_CODE": "30/minute",
    "RATELIMIT_SIGN_IN": "10/minute",
    "RATELIMIT_API": "600/minute",
}
# Scans (code URLs, /api/v1/verify) are limited by ScanLimits, before Flask.
PUBLIC_PREFIXES = ("/keys.json", "/transparency/", "/.well-known/")


def request_kind() -> str | None:
    """Which rate limit applies to the current request, if any."""
    path = request.path
    if path.startswith(PUBLIC_PREFIXES):
        return "public"
    if path.startswith("/api/"):
        return "api"
    if request.method == "POST" and path.rstrip("/").endswith("/sign-in"):
        return "sign_in"
    return None


def api_client() -> str:
    """An API client by its token (hashed: the secret never reaches the counter store)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip():
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "ip:" + get_remote_address()


def _limit(kind: str, config_key: str, key_function) -> Limit:
    return Limit(
        lambda: current_app.config[config_key],
        key_function=key_function,
        scope=kind,
        shared=True,
        exempt_when=lambda: request_kind() != kind,
    )


def init_app(app: Flask, settings: Settings) -> Limiter:
    for key, value in DEFAULT_LIMITS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("RATELIMIT_ENABLED", not app.config.get("TESTING", False))
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "traceapp")
    # Redis down: count in each process's memory (Flask-Limiter logs it) rather than fail.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter = Limiter(
        get_remote_address,
        default_limits=[
            _limit("public", "RATELIMIT_PUBLIC", get_remote_address),
            _limit("sign_in", "RATELIMIT_SIGN_IN", get_remote_address),
            _limit("api", "RATELIMIT_API", api_client),
        ],
    )
    limiter.init_app(app)
    app.extensions["traceapp.limiter"] = limiter

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
        self._per_address = parse(per_address)
        self._per_code = parse(per_code)
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
        if not limiter.hit(self._per_address, *address_key):
            return self._refused(limiter, self._per_address, address_key)
        if not limiter.hit(self._per_code, *code_key):
            return self._refused(limiter, self._per_code, code_key)
        if not self._headers_enabled:
            return LimitDecision(True, [])
        reset, remaining = limiter.get_window_stats(self._per_address, *address_key)
        return LimitDecision(True, _limit_headers(self._per_address, reset, remaining))

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


def _retry_after(limiter: Limiter) -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
