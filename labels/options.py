"""Print options: where to start on a partly used sheet and printer calibration."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from labels.errors import LayoutError
from labels.grid import SheetLayout

#: Largest printer calibration shift accepted, in mm, either direction.
MAX_OFFSET_MM = 10.0


@dataclass(frozen=True)
class PrintOptions:
    """How to place labels on the stock.

    - ``start_position``: 1-based position (reading order) of the first label on
      the first sheet, to reuse a partly used sheet.
    - ``offset_x_mm`` / ``offset_y_mm``: printer calibration, moves everything
      right / down (negative: left / up); at most ``MAX_OFFSET_MM`` either way.
    - ``cut_outlines``: draw a thin grey outline around each label (plain paper).
    - ``font_path``: TrueType font to use instead of the bundled DejaVu Sans.
    - ``bold_font_path``: its bold face (default: see ``labels.typefaces``).
    """

    start_position: int = 1
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0
    cut_outlines: bool = False
    font_path: str | Path | None = None
    bold_font_path: str | Path | None = None

    def __post_init__(self) -> None:
        start = self.start_position
        if isinstance(start, bool) or not isinstance(start, int) or start < 1:
            raise LayoutError(
                f"start_position must be a whole number >= 1 (1 = first label on the sheet),"
                f" got {start!r}"
            )
        for key in ("offset_x_mm", "offset_y_mm"):
            value = getattr(self, key)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or abs(value) > MAX_OFFSET_MM
            ):
                raise LayoutError(
                    f"{key} must be a number of mm between -{MAX_OFFSET_MM:g} and "
                    f"{MAX_OFFSET_MM:g}, got {value!r}"
                )
        if not isinstance(self.cut_outlines, bool):
            raise LayoutError(f"cut_outlines must be true or false, got {self.cut_outlines!r}")
        for key in ("font_path", "bold_font_path"):
            value = getattr(self, key)
            if value is not None and not isinstance(value, str | Path):
                raise LayoutError(f"{key} must be a file path or None, got {value!r}")

    def check_against(self, layout: SheetLayout) -> None:
        """Raise :class:`LayoutError` if ``start_position`` is not on ``layout``'s sheet."""
        if self.start_position > layout.labels_per_sheet:
            raise LayoutError(
                f"start_position {self.start_position} is not on a {layout.name!r} sheet;"
                f" allowed: 1..{layout.labels_per_sheet}"
            )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PrintOptions:
        """Build options from a mapping (e.g. form or config values).

        Unknown keys raise :class:`LayoutError` listing the allowed keys.
        """
        allowed = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise LayoutError(
                f"unknown print option(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
            )
        return cls(**data)


#: The default options (frozen, so safe to share as a default argument).
DEFAULT_OPTIONS = PrintOptions()
