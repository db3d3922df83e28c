"""Sheet grids: where each label sits on a page of label stock."""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from labels.errors import LayoutError

#: Rounding slack when checking that labels fit (label vendors round to 0.05 mm).
FIT_TOLERANCE_MM = 0.05

#: Named page sizes accepted by ``page = "..."`` in custom grid files.
PAGE_SIZES_MM: dict[str, tuple[float, float]] = {
    "a4": (210.0, 297.0),
    "letter": (215.9, 279.4),
}

_MM_FIELDS = (
    "page_width_mm",
    "page_height_mm",
    "margin_left_mm",
    "margin_top_mm",
    "label_width_mm",
    "label_height_mm",
    "gap_x_mm",
    "gap_y_mm",
)
_COUNT_FIELDS = ("columns", "rows")


@dataclass(frozen=True)
class SheetLayout:
    """A grid of equal labels on a page; all lengths in millimetres.

    Margins are measured from the top-left corner of the page to the top-left
    corner of the first label; ``gap_x_mm`` is the space between columns and
    ``gap_y_mm`` the space between rows. Construction validates the grid and
    raises :class:`LayoutError` if the labels do not fit the page.
    """

    page_width_mm: float
    page_height_mm: float
    margin_left_mm: float
    margin_top_mm: float
    label_width_mm: float
    label_height_mm: float
    gap_x_mm: float
    gap_y_mm: float
    columns: int
    rows: int
    name: str = "custom"

    def __post_init__(self) -> None:
        for key in _MM_FIELDS:
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise LayoutError(f"{key} must be a number of millimetres, got {value!r}")
            if not math.isfinite(value):
                raise LayoutError(f"{key} must be a finite number, got {value!r}")
        for key in ("page_width_mm", "page_height_mm", "label_width_mm", "label_height_mm"):
            if getattr(self, key) <= 0:
                raise LayoutError(f"{key} must be > 0 mm, got {getattr(self, key)!r}")
        for key in ("margin_left_mm", "margin_top_mm", "gap_x_mm", "gap_y_mm"):
            if getattr(self, key) < 0:
                raise LayoutError(f"{key} must be >= 0 mm, got {getattr(self, key)!r}")
        for key in _COUNT_FIELDS:
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise LayoutError(f"{key} must be a whole number >= 1, got {value!r}")
        used_w = (
            self.margin_left_mm
            + self.columns * self.label_width_mm
            + (self.columns - 1) * self.gap_x_mm
        )
        if used_w > self.page_width_mm + FIT_TOLERANCE_MM:
            raise LayoutError(
                f"labels do not fit the page width in layout {self.name!r}: margin_left_mm "
                f"{self.margin_left_mm:g} + {self.columns} columns x {self.label_width_mm:g} mm"
                f" + {self.columns - 1} gaps x {self.gap_x_mm:g} mm = {used_w:g} mm, but "
                f"page_width_mm is {self.page_width_mm:g}; allowed: margin_left_mm + columns"
                " x label_width_mm + (columns - 1) x gap_x_mm <= page_width_mm"
            )
        used_h = (
            self.margin_top_mm + self.rows * self.label_height_mm + (self.rows - 1) * self.gap_y_mm
        )
        if used_h > self.page_height_mm + FIT_TOLERANCE_MM:
            raise LayoutError(
                f"labels do not fit the page height in layout {self.name!r}: margin_top_mm "
                f"{self.margin_top_mm:g} + {self.rows} rows x {self.label_height_mm:g} mm"
                f" + {self.rows - 1} gaps x {self.gap_y_mm:g} mm = {used_h:g} mm, but "
                f"page_height_mm is {self.page_height_mm:g}; allowed: margin_top_mm + rows"
                " x label_height_mm + (rows - 1) x gap_y_mm <= page_height_mm"
            )

    @property
    def labels_per_sheet(self) -> int:
        """Number of labels on one full sheet."""
        return self.columns * self.rows

    def label_origin_mm(self, index: int) -> tuple[float, float]:
        """Top-left corner (x, y from the page's top-left) of 0-based label ``index``.

        Labels are numbered in reading order: left to right, then top to bottom.
        """
        if not 0 <= index < self.labels_per_sheet:
            raise LayoutError(
                f"label index must be 0..{self.labels_per_sheet - 1} on layout "
                f"{self.name!r}, got {index}"
            )
        row, column = divmod(index, self.columns)
        x = self.margin_left_mm + column * (self.label_width_mm + self.gap_x_mm)
        y = self.margin_top_mm + row * (self.label_height_mm + self.gap_y_mm)
        return x, y


def layout_keys() -> tuple[str, ...]:
    """Keys accepted in a custom grid file (besides the ``page`` shortcut)."""
    return tuple(f.name for f in fields(SheetLayout))


def layout_from_mapping(data: Mapping[str, Any], *, source: str = "layout") -> SheetLayout:
    """Build a :class:`SheetLayout` from a mapping such as a parsed grid file.

    ``page = "A4" | "letter"`` may replace ``page_width_mm``/``page_height_mm``;
    ``gap_x_mm``, ``gap_y_mm`` and the margins default to 0. Unknown or missing
    keys raise :class:`LayoutError` listing the allowed keys.
    """
    if not isinstance(data, Mapping):
        raise LayoutError(f"{source}: expected a table of keys, got {type(data).__name__}")
    allowed = (*layout_keys(), "page")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise LayoutError(
            f"{source}: unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(allowed)}"
        )
    values: dict[str, Any] = {
        "margin_left_mm": 0.0,
        "margin_top_mm": 0.0,
        "gap_x_mm": 0.0,
        "gap_y_mm": 0.0,
        "name": Path(source).stem if source != "layout" else "custom",
    }
    page = data.get("page")
    if page is not None:
        size = PAGE_SIZES_MM.get(str(page).lower())
        if size is None:
            raise LayoutError(
                f"{source}: unknown page {page!r}; allowed pages: {', '.join(PAGE_SIZES_MM)}"
                " (or give page_width_mm and page_height_mm)"
            )
        values["page_width_mm"], values["page_height_mm"] = size
    values.update({k: v for k, v in data.items() if k != "page"})
    missing = [k for k in layout_keys() if k not in values]
    if missing:
        raise LayoutError(
            f"{source}: missing key(s) {', '.join(missing)}; allowed keys: {', '.join(allowed)}"
        )
    if not isinstance(values["name"], str):
        raise LayoutError(f"{source}: name must be a string, got {values['name']!r}")
    try:
        return SheetLayout(**values)
    except LayoutError as exc:
        raise LayoutError(f"{source}: {exc}") from None


def load_layout(path: str | Path) -> SheetLayout:
    """Read a custom sheet grid from a ``.json`` or ``.toml`` file.

    See docs/labels.md for the format. Any problem (unreadable file, syntax
    error, unknown key, labels that do not fit) raises :class:`LayoutError`.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise LayoutError(f"{path}: unsupported grid file type {suffix!r}; allowed: .json, .toml")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LayoutError(f"{path}: cannot read grid file: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw) if suffix == ".json" else tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise LayoutError(f"{path}: not valid {suffix[1:].upper()}: {exc}") from None
    return layout_from_mapping(data, source=str(path))
