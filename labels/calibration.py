"""A calibration page: label outlines, crosshairs, position numbers and a 10 mm ruler."""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

from labels.grid import SheetLayout
from labels.options import DEFAULT_OPTIONS, PrintOptions
from labels.pdf_label import MM
from labels.sheet import new_canvas
from labels.typefaces import resolve_fonts

RULER_MM = 10.0
CROSSHAIR_MM = 3.0


def _ruler(canvas: Canvas, x_pt: float, y_pt: float, font: str) -> None:
    """A horizontal and a vertical 10 mm ruler with 1 mm ticks, corner at (x, y)."""
    canvas.setLineWidth(0.3)
    canvas.line(x_pt, y_pt, x_pt + RULER_MM * MM, y_pt)
    canvas.line(x_pt, y_pt, x_pt, y_pt + RULER_MM * MM)
    for mm in range(int(RULER_MM) + 1):
        tick = (2.0 if mm in (0, 5, 10) else 1.0) * MM
        canvas.line(x_pt + mm * MM, y_pt, x_pt + mm * MM, y_pt - tick)
        canvas.line(x_pt, y_pt + mm * MM, x_pt - tick, y_pt + mm * MM)
    canvas.setFont(font, 6)
    canvas.drawString(x_pt + 1 * MM, y_pt + 1 * MM, "10 mm")


def render_calibration_pdf(layout: SheetLayout, options: PrintOptions = DEFAULT_OPTIONS) -> bytes:
    """One page to check printer alignment against ``layout`` stock.

    Draws every label's outline, a crosshair at its centre and its position
    number (1-based, reading order), greys out positions before
    ``options.start_position``, and draws 10 mm rulers (to check the printer
    does not scale) plus a note of the layout and offsets in the middle of the
    page. ``offset_x_mm``/``offset_y_mm`` are applied like on label sheets, so
    a corrected offset can be verified on the next test print.
    """
    options.check_against(layout)
    fonts = resolve_fonts(options.font_path, options.bold_font_path)
    buffer = io.BytesIO()
    canvas = new_canvas(
        buffer, layout.page_width_mm, layout.page_height_mm, "Label calibration", fonts.regular_name
    )
    page_h = layout.page_height_mm
    w, h = layout.label_width_mm * MM, layout.label_height_mm * MM
    for index in range(layout.labels_per_sheet):
        x_mm, y_mm = layout.label_origin_mm(index)
        left = (x_mm + options.offset_x_mm) * MM
        bottom = (page_h - y_mm - layout.label_height_mm - options.offset_y_mm) * MM
        if index + 1 < options.start_position:
            canvas.setFillGray(0.85)
            canvas.rect(left, bottom, w, h, stroke=0, fill=1)
            canvas.setFillGray(0)
        canvas.setLineWidth(0.3)
        canvas.rect(left, bottom, w, h, stroke=1, fill=0)
        cx, cy = left + w / 2, bottom + h / 2
        canvas.line(cx - CROSSHAIR_MM * MM, cy, cx + CROSSHAIR_MM * MM, cy)
        canvas.line(cx, cy - CROSSHAIR_MM * MM, cx, cy + CROSSHAIR_MM * MM)
        canvas.setFont(fonts.bold_name, 7)
        canvas.drawString(left + 1.2 * MM, bottom + h - 3.5 * MM, str(index + 1))
    # Centre panel: rulers and the settings in use.
    panel_w, panel_h = 80 * MM, 24 * MM
    px = (layout.page_width_mm * MM - panel_w) / 2
    py = (page_h * MM - panel_h) / 2
    canvas.setFillGray(1)
    canvas.rect(px, py, panel_w, panel_h, stroke=1, fill=1)
    canvas.setFillGray(0)
    _ruler(canvas, px + 5 * MM, py + 5 * MM, fonts.regular_name)
    canvas.setFont(fonts.regular_name, 6.5)
    notes = [
        f"Layout {layout.name}: {layout.columns} x {layout.rows},"
        f" {layout.label_width_mm:g} x {layout.label_height_mm:g} mm",
        f"Offset x {options.offset_x_mm:+g} mm, y {options.offset_y_mm:+g} mm",
        "Print at 100 % (no 'fit to page').",
        "Rulers must measure 10 mm.",
    ]
    for i, note in enumerate(notes):
        canvas.drawString(px + 18 * MM, py + panel_h - (5 + i * 4) * MM, note)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
