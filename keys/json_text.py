"""JSON text from outside, parsed only once its nesting is known to be shallow.

Python's parser overflows its stack near 1,000 levels, and a RecursionError raised
inside it leaves CPython 3.11's AST recursion counter off: later `compile()` and
`ast.parse()` calls in the process (route building, test reports) then fail with
SystemError. So the depth is measured on the text, before parsing. Nothing
TraceApp reads (key documents, bundles, API bodies) is deeper than a few levels.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64
# JSON strings (which may hold brackets) and the brackets outside them.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class TooDeep(ValueError):
    """JSON nested deeper than the limit."""


def loads(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads`, refusing (TooDeep, a ValueError) nesting deeper than `max_depth`."""
    check_nesting(text.decode("utf-8", "replace") if isinstance(text, bytes) else text, max_depth)
    return json.loads(text)


def check_nesting(text: str, max_depth: int = MAX_DEPTH) -> None:
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                raise TooDeep(f"JSON nested more than {max_depth} levels deep")
        elif token in "]}":
            depth -= 1
