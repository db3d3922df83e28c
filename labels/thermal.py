"""Thermal roll printers: one label per PDF page, the page the size of the label."""

from __future__ import annotations

import io
from collections.abc import Iterable

from labels.data import LabelData
from labels.errors import LayoutError
from labels.options import DEFAULT_OPTIONS, PrintOptions
from labels.pdf_label import MM, PdfLabelPainter, end_page
from labels.sheet import new_canvas
from labels.typefaces import resolve_fonts

#: The roll label size used unless another is given: 50 x 40 mm, a common
#: thermal roll that holds the QR code in whole 203 and 300 dpi dots beside the text.
DEFAULT_ROLL_MM = (50.0, 40.0)
#: Widest roll accepted (4-inch printers take up to 104 mm media).
MAX_ROLL_WIDTH_MM = 120.0
#: Tallest single label accepted on a roll.
MAX_ROLL_HEIGHT_MM = 300.0


def check_roll_size(width_mm: float, height_mm: float) -> None:
    """Raise :class:`LayoutError` unless the roll label size is plausible."""
    for key, value, limit in (
        ("width_mm", width_mm, MAX_ROLL_WIDTH_MM),
        ("height_mm", height_mm, MAX_ROLL_HEIGHT_MM),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= limit:
            raise LayoutError(
                f"roll label {key} must be a number of mm in (0, {limit:g}], got {value!r}"
            )


def render_roll_pdf(
    labels: Iterable[LabelData],
    width_mm: float,
    height_mm: float,
    options: PrintOptions = DEFAULT_OPTIONS,
) -> bytes:
    """Render ``labels`` for a thermal roll: one page of ``width_mm`` x ``height_mm`` each.

    ``offset_x_mm``/``offset_y_mm`` and ``cut_outlines`` apply as on sheets;
    ``start_position`` must stay 1 (a roll has no partly used sheet). Labels
    are consumed lazily; raises ``ValueError`` if there are none.
    """
    check_roll_size(width_mm, height_mm)
    if options.start_position != 1:
        raise LayoutError(
            f"start_position does not apply to rolls; allowed: 1, got {options.start_position}"
        )
    fonts = resolve_fonts(options.font_path, options.bold_font_path)
    buffer = io.BytesIO()
    canvas = new_canvas(
        buffer, width_mm, height_mm, "Certification labels (roll)", fonts.regular_name
    )
    painter = PdfLabelPainter(canvas, fonts, float(width_mm), float(height_mm))
    left, bottom = options.offset_x_mm * MM, -options.offset_y_mm * MM
    count = 0
    for label in labels:
        if count:
            end_page(canvas)
        if options.cut_outlines:
            painter.outline(left, bottom)
        painter.draw(label, left, bottom)
        count += 1
    if count == 0:
        raise ValueError("no labels to render")
    end_page(canvas)
    canvas.save()
    return buffer.getvalue()
