"""Dates, times and numbers as people read them: one style per language, through Babel.

    date      27 thg 11, 2026      Nov 27, 2026       27 nov. 2026
    moment    27 thg 11, 2026 14:05 (Vietnam time)
    number    1.200                1,200              1 200

The functions take the language, so the public page's fast path (no Flask request)
formats exactly as the templates do; the template filters ``date``, ``moment`` and
``number`` use the request's language.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from flask import Flask
from flask_babel import get_locale

from traceapp.clock import to_local

DATE_FORMAT = "medium"
TIME_FORMAT = "short"


def date_text(day: date, language: str) -> str:
    """A calendar day, e.g. '27 thg 11, 2026'."""
    if isinstance(day, datetime):
        day = to_local(day).date()
    return format_date(day, DATE_FORMAT, locale=language)


def moment_text(moment: datetime | str, language: str) -> str:
    """A moment in Vietnam's time, e.g. '27 thg 11, 2026 14:05' (also from ISO 8601 text)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    local = to_local(moment)
    return (
        f"{format_date(local.date(), DATE_FORMAT, locale=language)} "
        f"{format_time(local.replace(tzinfo=None).time(), TIME_FORMAT, locale=language)}"
    )


def number_text(number: int | float | Decimal, language: str) -> str:
    """A count or quantity, e.g. '1.200'."""
    return format_decimal(number, locale=language)


def actor_text(actor: str) -> str:
    """Who did something, as the audit log names them ('user:an@hoptacxa.vn'), for people."""
    return actor.removeprefix("user:")


def _language() -> str:
    return str(get_locale() or "vi")


def init_app(app: Flask) -> None:
    app.add_template_filter(lambda day: date_text(day, _language()), "date")
    app.add_template_filter(lambda moment: moment_text(moment, _language()), "moment")
    app.add_template_filter(lambda number: number_text(number, _language()), "number")
    app.add_template_filter(actor_text, "actor")
