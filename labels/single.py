"""One label on its own, as PNG (raster) or SVG (vector)."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from labels.data import LabelData
from labels.errors import LayoutError
from labels.layout import PT_TO_MM, LabelLayout, layout_label
from labels.outlines import text_outline
from labels.qr import QRMatrix, dark_rects, encode
from labels.raster import render_label_image
from labels.thermal import DEFAULT_ROLL_MM
from labels.typefaces import resolve_fonts

#: Default size of a single label: the common thermal roll size.
DEFAULT_SIZE_MM = DEFAULT_ROLL_MM


def _prepare(
    label: LabelData, size_mm: tuple[float, float], font_path: str | Path | None
) -> tuple[QRMatrix, LabelLayout]:
    fonts = resolve_fonts(font_path)
    matrix = encode(label.code)
    return matrix, layout_label(label, float(size_mm[0]), float(size_mm[1]), matrix.size, fonts)


def render_label_png(
    label: LabelData,
    size_mm: tuple[float, float] = DEFAULT_SIZE_MM,
    dpi: int = 300,
    *,
    font_path: str | Path | None = None,
) -> bytes:
    """Render one ``size_mm`` (width, height) label as a greyscale PNG at ``dpi``.

    QR module edges are snapped to whole pixels; the PNG carries its dpi so it
    prints at the right physical size.
    """
    if not isinstance(dpi, int | float) or isinstance(dpi, bool) or not 72 <= dpi <= 2400:
        raise LayoutError(f"dpi must be a number from 72 to 2400, got {dpi!r}")
    matrix, layout = _prepare(label, size_mm, font_path)
    image = render_label_image(layout, matrix, resolve_fonts(font_path), dpi)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), optimize=False)
    return out.getvalue()


def qr_svg_path(matrix: QRMatrix) -> str:
    """SVG path data (module units) covering the dark modules, one subpath per run."""
    return "".join(f"M{x} {y}h{w}v{h}h-{w}z" for x, y, w, h in dark_rects(matrix))


def render_label_svg(
    label: LabelData,
    size_mm: tuple[float, float] = DEFAULT_SIZE_MM,
    *,
    font_path: str | Path | None = None,
) -> bytes:
    """Render one ``size_mm`` (width, height) label as an SVG document (UTF-8 bytes).

    The QR code is one vector path scaled to the module size; each line of text is
    a path of its glyph outlines (labels/outlines.py), so no viewer or print shop
    needs the font. The text itself is kept in the ``<desc>`` (and the serial in
    the ``<title>``) for search and screen readers.
    """
    matrix, layout = _prepare(label, size_mm, font_path)
    fonts = resolve_fonts(font_path)
    w, h = layout.width_mm, layout.height_mm
    sym_x, sym_y = layout.symbol_origin_mm
    lines = (*layout.serial_lines, *layout.text_lines)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:g}mm" height="{h:g}mm"'
        f' viewBox="0 0 {w:g} {h:g}">',
        f"<title>{escape(label.serial)}</title>",
        f"<desc>{escape(chr(10).join(line.text for line in lines))}</desc>",
        f'<rect width="{w:g}" height="{h:g}" fill="#fff"/>',
        f'<path data-modules="{matrix.size}" transform="translate({sym_x:.4f} {sym_y:.4f})'
        f' scale({layout.module_mm:.5f})" shape-rendering="crispEdges" fill="#000"'
        f' d="{qr_svg_path(matrix)}"/>',
        '<g fill="#000">',
    ]
    for line in lines:
        outline = text_outline(
            line.text, fonts.path(line.bold), line.size_pt * PT_TO_MM, line.x_mm, line.baseline_mm
        )
        parts.append(f'<path data-text={quoteattr(line.text)} d="{outline}"/>')
    parts += ["</g>", "</svg>", ""]
    return "\n".join(parts).encode("utf-8")
