"""JSON from outside, parsed once by one rule: every JSON body Flask reads
(`request.get_json`) and every uploaded JSON document go through `parse_json`.

It refuses, as a ValueError with a message for the sender, what the standard
parser lets through but the rest of the app cannot handle: nesting deeper than
keys/json_text.py's MAX_DEPTH (measured before parsing, see there) and strings
holding lone UTF-16 surrogates such as "\\ud800" (valid JSON escapes, but not
text: they cannot be stored or written back out as UTF-8).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from keys import json_text


class JSONInputError(ValueError):
    """JSON the app refuses; the message is safe to show."""


def parse_json(text: str | bytes) -> Any:
    """The parsed document, or JSONInputError (a ValueError) saying what is wrong."""
    try:
        document = json_text.loads(text)
    except json_text.TooDeep as exc:
        raise JSONInputError(str(exc)) from None
    _check_texts(document)
    return document


def _check_texts(document: Any) -> None:
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict):
            for key in value:
                _check_text(key)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JSONInputError(
            "a JSON string holds a lone surrogate (such as \\ud800), which is not text"
        ) from None


class CheckedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with request bodies parsed by `parse_json`."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return parse_json(s)


def init_app(app: Flask) -> None:
    app.json = CheckedJSONProvider(app)
