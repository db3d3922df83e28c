"""JSON from outside, parsed once by one rule: every JSON body Flask reads
(`request.get_json`) and every uploaded JSON document go through `parse_json`.

It refuses, as a ValueError with a message for the sender, what the standard
parser lets through but the rest of the app cannot handle: nesting deeper than
MAX_DEPTH (Python's parser overflows its stack near 1,000 levels, and nothing
TraceApp reads is deeper than a few dozen) and strings holding lone UTF-16
surrogates such as "\\ud800" (valid JSON escapes, but not text: they cannot be
stored or written back out as UTF-8).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 64
# JSON strings (which may hold brackets) and the brackets outside them.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class JSONInputError(ValueError):
    """JSON the app refuses; the message is safe to show."""


def parse_json(text: str | bytes) -> Any:
    """The parsed document, or JSONInputError (a ValueError) saying what is wrong."""
    # Measured on the text before parsing: a RecursionError inside the parser would
    # leave CPython 3.11's AST recursion counter off (later route builds then fail).
    _check_nesting(text.decode("utf-8", "replace") if isinstance(text, bytes) else text)
    document = json.loads(text)
    _check(document)
    return document


def _check_nesting(text: str) -> None:
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise JSONInputError(f"JSON nested more than {MAX_DEPTH} levels deep")
        elif token in "]}":
            depth -= 1


def _check(document: Any) -> None:
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise JSONInputError(f"JSON nested more than {MAX_DEPTH} levels deep")
            if isinstance(value, dict):
                for key in value:
                    _check_text(key)
                pending.extend((item, depth + 1) for item in value.values())
            else:
                pending.extend((item, depth + 1) for item in value)


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
