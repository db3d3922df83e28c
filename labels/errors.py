"""Exceptions raised by the label renderers."""

from __future__ import annotations


class LayoutError(ValueError):
    """A sheet layout, print option or label geometry that cannot be printed.

    The message always says what was wrong and which values are allowed, so it
    can be shown to the person configuring the printer as-is.
    """
