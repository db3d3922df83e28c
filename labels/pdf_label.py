"""Drawing one label onto a reportlab canvas: vector QR code, serial and text block."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from labels.data import LabelData
from labels.layout import LabelLayout, TextLine, layout_label
from labels.qr import QRMatrix, encode, rect_operators
from labels.typefaces import FontPair

MM = 72 / 25.4

# reportlab wraps compressed streams in ASCII85 by default, in pure Python when its
# C accelerator is missing: that doubled the time of a 1,000-label sheet. Binary
# streams are standard PDF; the setting is process-wide and only affects encoding.
rl_config.useA85 = 0

#: zlib level for page content. Measured on a 65-label page: level 6 (reportlab's
#: default) 75 KB at 0.36 ms/label, level 3 104 KB at 0.09 ms/label. Speed wins.
PAGE_COMPRESSION_LEVEL = 3


def qr_operators(matrix: QRMatrix, x_pt: float, top_pt: float, module_pt: float) -> str:
    """PDF operators filling ``matrix``'s dark modules; first module's top-left at (x, top).

    Coordinates are whole modules under one ``cm`` transform, with runs merged
    into rectangles, which keeps the content stream small and fast to produce.
    """
    rects = rect_operators(matrix)
    return f"q 0 g {module_pt:.5f} 0 0 {-module_pt:.5f} {x_pt:.3f} {top_pt:.3f} cm {rects} f Q"


def draw_lines(
    canvas: Canvas,
    lines: Iterable[TextLine],
    fonts: FontPair,
    height_mm: float,
    left_pt: float = 0.0,
    bottom_pt: float = 0.0,
) -> None:
    """Draw text lines laid out from the top-left of a box ``height_mm`` tall at (left, bottom)."""
    canvas.setFillGray(0)
    current: tuple[str, float] | None = None
    for line in lines:
        font = (fonts.face(line.bold), line.size_pt)
        if font != current:
            canvas.setFont(*font)
            current = font
        canvas.drawString(
            left_pt + line.x_mm * MM, bottom_pt + (height_mm - line.baseline_mm) * MM, line.text
        )


class PdfLabelPainter:
    """Draws labels of one size on ``canvas``.

    The text block (cooperative, product, lot, date, marks) is usually the same
    for a whole batch, so each distinct block is drawn once as a PDF form
    XObject and referenced by every label; only the QR code and serial are
    emitted per label.
    """

    def __init__(self, canvas: Canvas, fonts: FontPair, width_mm: float, height_mm: float):
        self.canvas = canvas
        self.fonts = fonts
        self.width_mm = width_mm
        self.height_mm = height_mm
        self._forms: dict[tuple[TextLine, ...], str] = {}

    def _form_for(self, lines: tuple[TextLine, ...]) -> str:
        name = self._forms.get(lines)
        if name is None:
            name = f"labeltext{len(self._forms)}"
            c = self.canvas
            c.beginForm(name, 0, 0, self.width_mm * MM, self.height_mm * MM)
            draw_lines(c, lines, self.fonts, self.height_mm)
            c.endForm()
            self._forms[lines] = name
        return name

    def draw(self, label: LabelData, left_pt: float, bottom_pt: float) -> LabelLayout:
        """Draw ``label`` with its bottom-left corner at (``left_pt``, ``bottom_pt``)."""
        matrix = encode(label.code)
        layout = layout_label(label, self.width_mm, self.height_mm, matrix.size, self.fonts)
        c = self.canvas
        form = self._form_for(layout.text_lines)
        c.saveState()
        c.translate(left_pt, bottom_pt)
        c.doForm(form)
        c.restoreState()
        sym_x, sym_y = layout.symbol_origin_mm
        top_pt = bottom_pt + self.height_mm * MM
        c.addLiteral(
            qr_operators(matrix, left_pt + sym_x * MM, top_pt - sym_y * MM, layout.module_mm * MM)
        )
        draw_lines(c, layout.serial_lines, self.fonts, self.height_mm, left_pt, bottom_pt)
        return layout

    def outline(self, left_pt: float, bottom_pt: float) -> None:
        """Draw a thin grey cutting outline around the label at (``left_pt``, ``bottom_pt``)."""
        c = self.canvas
        c.saveState()
        c.setStrokeGray(0.6)
        c.setLineWidth(0.25)
        c.rect(left_pt, bottom_pt, self.width_mm * MM, self.height_mm * MM, stroke=1, fill=0)
        c.restoreState()


def end_page(canvas: Canvas) -> None:
    """``canvas.showPage()``, then compress the finished page's content right away.

    reportlab keeps every page's uncompressed content until ``save()`` (about
    9 KB per label here); compressing each page as it is finished keeps a
    10,000-label job's memory small. Uses reportlab internals defensively: if
    they differ, the page is simply left for reportlab to compress at save.
    """
    canvas.showPage()
    try:
        page = canvas._doc.Pages.pages[-1]
        stream = page.stream
    except (AttributeError, IndexError):
        return
    if not isinstance(stream, str) or page.Contents:
        return
    content = zlib.compress(stream.encode("utf8"), PAGE_COMPRESSION_LEVEL)
    contents = pdfdoc.PDFStream(content=content)
    contents.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    page.Contents = contents
    page.stream = None
