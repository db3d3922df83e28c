"""The public pages' language: ?lang= (remembered in a cookie), then the cookie,
then the browser's Accept-Language; Vietnamese when nothing matches."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, g, request
from flask_babel import Babel, refresh
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import dump_cookie, parse_accept_header

LANGUAGES = ("vi", "en", "fr")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "vi"
LANGUAGE_COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()


def choose_language(asked: str | None, remembered: str | None, accept_language: str) -> str:
    """The page's language: ?lang=, then the cookie, then Accept-Language, then Vietnamese."""
    if asked in LANGUAGES:
        return asked
    if remembered in LANGUAGES:
        return remembered
    return best_language(accept_language)


def language_cookie(asked: str | None, remembered: str | None, secure: bool) -> str | None:
    """The Set-Cookie header value that remembers ?lang=, if it changes anything."""
    if asked not in LANGUAGES or asked == remembered:
        return None
    return dump_cookie(
        LANGUAGE_COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True, secure=secure
    )


def chosen_language() -> str:
    """The language of this request (also left in g.lang for base.html)."""
    g.lang = choose_language(
        request.args.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("Accept-Language", ""),
    )
    return g.lang


@lru_cache(maxsize=1024)
def best_language(accept_language: str) -> str:
    """The supported language an Accept-Language header prefers (cached: browsers
    send a handful of distinct headers, and matching one is not free)."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(
        LANGUAGES, DEFAULT_LANGUAGE
    )


def _locale() -> str:
    # The before_request hook below has chosen it for this request already.
    return g.get("lang") or chosen_language()


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    babel.init_app(app, locale_selector=_locale)

    @app.before_request
    def _choose_language() -> None:
        # Flask-Babel caches the locale on the app context, which outlives a
        # request when the context is pushed by hand (tests, CLI): start afresh.
        refresh()
        chosen_language()

    @app.after_request
    def _remember_language(response: Response) -> Response:
        cookie = language_cookie(
            request.args.get("lang"),
            request.cookies.get(LANGUAGE_COOKIE),
            app.config.get("SESSION_COOKIE_SECURE", False),
        )
        if cookie is not None:
            response.headers.add("Set-Cookie", cookie)
        return response
