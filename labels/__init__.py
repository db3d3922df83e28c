"""Printable certification labels: sheets (A4/US Letter), thermal rolls, ZPL, PNG, SVG.

Takes plain :class:`LabelData` and returns bytes; imports neither Flask,
SQLAlchemy nor ``traceapp``. See docs/labels.md.
"""

from labels.calibration import render_calibration_pdf
from labels.data import LabelData, LabelWording
from labels.errors import LayoutError
from labels.grid import SheetLayout, load_layout
from labels.layout import MIN_MODULE_MM, layout_label
from labels.options import DEFAULT_OPTIONS, PrintOptions
from labels.sheet import page_count, render_sheet_pdf
from labels.sheet_presets import DEFAULT_PRESET, PRESETS, preset_names
from labels.single import render_label_png, render_label_svg
from labels.stocks import get_preset
from labels.thermal import DEFAULT_ROLL_MM, render_roll_pdf
from labels.zpl import render_zpl

__all__ = [
    "DEFAULT_OPTIONS",
    "DEFAULT_PRESET",
    "DEFAULT_ROLL_MM",
    "MIN_MODULE_MM",
    "PRESETS",
    "LabelData",
    "LabelWording",
    "LayoutError",
    "PrintOptions",
    "SheetLayout",
    "get_preset",
    "layout_label",
    "load_layout",
    "page_count",
    "preset_names",
    "render_calibration_pdf",
    "render_label_png",
    "render_label_svg",
    "render_roll_pdf",
    "render_sheet_pdf",
    "render_zpl",
]
