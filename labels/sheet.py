"""Sheets of labels on A4 / US Letter label stock, as a streamed PDF."""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.pdfgen.canvas import Canvas

from labels.data import LabelData
from labels.grid import SheetLayout
from labels.options import DEFAULT_OPTIONS, PrintOptions
from labels.pdf_label import MM, PdfLabelPainter, end_page
from labels.typefaces import resolve_fonts


def page_count(label_count: int, layout: SheetLayout, start_position: int = 1) -> int:
    """Pages needed: ceil((label_count + start_position - 1) / labels_per_sheet)."""
    if label_count <= 0:
        return 0
    return -(-(label_count + start_position - 1) // layout.labels_per_sheet)


def new_canvas(
    buffer: io.BytesIO, width_mm: float, height_mm: float, title: str, font_name: str
) -> Canvas:
    """A compressed, reproducible (timestamp-free) reportlab canvas writing to ``buffer``.

    The PDF asks viewers not to scale it when printing (``/PrintScaling /None``).

    ``font_name`` (a registered TrueType font) becomes the initial font, so the
    PDF references no non-embedded standard font.
    """
    canvas = Canvas(
        buffer,
        pagesize=(width_mm * MM, height_mm * MM),
        pageCompression=1,
        invariant=1,
        initialFontName=font_name,
        initialFontSize=6,
    )
    canvas.setTitle(title)
    canvas.setCreator("TraceApp labels")
    # Viewers must not "fit to page": a scaled sheet misses the labels.
    canvas.setViewerPreference("PrintScaling", "None")
    return canvas


def render_sheet_pdf(
    labels: Iterable[LabelData], layout: SheetLayout, options: PrintOptions = DEFAULT_OPTIONS
) -> bytes:
    """Render ``labels`` onto sheets of ``layout`` stock and return the PDF.

    Labels fill the grid in reading order starting at ``options.start_position``
    on the first sheet; pages = ceil((N + start_position - 1) / labels_per_sheet).
    ``labels`` is consumed lazily, one label at a time (only the compact vector
    page content is kept), so large batches can come from a generator. Raises
    :class:`LayoutError` for options that do not suit the layout or labels too
    small for their QR code/text, and ``ValueError`` if there are no labels.
    """
    options.check_against(layout)
    fonts = resolve_fonts(options.font_path, options.bold_font_path)
    buffer = io.BytesIO()
    canvas = new_canvas(
        buffer,
        layout.page_width_mm,
        layout.page_height_mm,
        "Certification labels",
        fonts.regular_name,
    )
    painter = PdfLabelPainter(canvas, fonts, layout.label_width_mm, layout.label_height_mm)
    per_sheet = layout.labels_per_sheet
    origins = []
    for index in range(per_sheet):
        x_mm, y_mm = layout.label_origin_mm(index)
        left = (x_mm + options.offset_x_mm) * MM
        bottom = (layout.page_height_mm - y_mm - layout.label_height_mm - options.offset_y_mm) * MM
        origins.append((left, bottom))
    position = options.start_position - 1
    count = 0
    for label in labels:
        if position == per_sheet:
            end_page(canvas)
            position = 0
        left, bottom = origins[position]
        if options.cut_outlines:
            painter.outline(left, bottom)
        painter.draw(label, left, bottom)
        position += 1
        count += 1
    if count == 0:
        raise ValueError("no labels to render")
    end_page(canvas)
    canvas.save()
    return buffer.getvalue()
