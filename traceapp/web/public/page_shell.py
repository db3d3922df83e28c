"""A rendered page with holes: rendered once with a marker in each per-request
spot, kept, then filled with each request's values (escaped as Jinja would).

The verification page of every label of a batch is the same but for the serial,
the scan count and the links that carry the code: rendering it once per batch,
verdict and language and filling the holes costs a few microseconds a view.
"""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup, escape

_MARK = "\x00"


class Holes:
    """`holes.name` in a template renders the marker of the hole `name`."""

    def __getattr__(self, name: str) -> Markup:
        if name.startswith("__"):
            raise AttributeError(name)
        return Markup(f"{_MARK}{name}{_MARK}")


class Filled:
    """`holes.name` renders the value itself (a page rendered without a shell)."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Markup:
        if name.startswith("__"):
            raise AttributeError(name)
        return escape(self._values[name])


class PageShell:
    """Rendered HTML split at its holes."""

    def __init__(self, html: str, holes: frozenset[str]) -> None:
        # Even indexes are fixed HTML, odd ones hole names.
        self.parts = html.split(_MARK)
        if len(self.parts) % 2 == 0 or not set(self.parts[1::2]) <= holes:
            # A NUL character in the data itself: this page cannot be a shell.
            raise ValueError("stray hole marker in a rendered page")

    def fill(self, values: Mapping[str, object]) -> str:
        parts = self.parts[:]
        for index in range(1, len(parts), 2):
            parts[index] = escape(values[parts[index]])
        return "".join(parts)
