"""Security headers on every response, and per-client rate limits on public surfaces.

Headers are set here in one after_request hook rather than with flask-talisman:
the policy is fixed and short, and the original Talisman project is archived.

Rate limits (Flask-Limiter; counters in memory, or in Redis when TRACEAPP_REDIS_URL
is set, so that every worker shares them) by kind of request:

    public   verification pages and API, published keys and log    per client IP
    sign_in  POST to a sign-in form                            per client IP
    api      /api/...                                          per API token (else IP)

Each limit is a Flask config value (RATELIMIT_PUBLIC, RATELIMIT_SIGN_IN,
RATELIMIT_API); RATELIMIT_ENABLED turns them all off, and is off by default when
TESTING. A refused request gets 429 problem details with Retry-After.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import Flask, Response, current_app, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from traceapp.config import Settings
from traceapp.web.errors import problem

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
                           "form-action 'self'")
HSTS = "max-age=31536000; includeSubDomains"
DEFAULT_LIMITS = {
    "RATELIMIT_PUBLIC": "120/minute",
    "RATELIMIT_SIGN_IN": "10/minute",
    "RATELIMIT_API": "600/minute",
}
PUBLIC_PREFIXES = ("/01/", "/p/", "/api/v1/verify", "/keys.json", "/transparency/",
                   "/.well-known/")


def request_kind() -> str | None:
    """Which rate limit applies to the current request, if any."""
    path = request.path
    if path.startswith(current_app.config.get("RATELIMIT_PUBLIC_PREFIXES", PUBLIC_PREFIXES)):
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
    return Limit(lambda: current_app.config[config_key], key_function=key_function,
                 scope=kind, shared=True, exempt_when=lambda: request_kind() != kind)


def init_app(app: Flask, settings: Settings) -> Limiter:
    for key, value in DEFAULT_LIMITS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("RATELIMIT_ENABLED", not app.config.get("TESTING", False))
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "traceapp")
    limiter = Limiter(get_remote_address, default_limits=[
        _limit("public", "RATELIMIT_PUBLIC", get_remote_address),
        _limit("sign_in", "RATELIMIT_SIGN_IN", get_remote_address),
        _limit("api", "RATELIMIT_API", api_client),
    ])
    limiter.init_app(app)
    app.extensions["traceapp.limiter"] = limiter

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded) -> Response:
        response = problem(429, "Too Many Requests",
                           f"too many requests: the limit is {exc.description}; "
                           "try again later")
        response.headers["Retry-After"] = str(_retry_after(limiter))
        return response

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if settings.is_production:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    return limiter


def _retry_after(limiter: Limiter) -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
