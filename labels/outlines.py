"""Text as glyph outlines: an SVG label then looks the same in any viewer, and at
any print shop, whether or not it has the font.

Glyphs are placed by their advance widths, as reportlab measures and sets the
same text in the PDF sheets (labels/layout.py), so the lines keep their measured
widths.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont


def text_outline(
    text: str, font_path: Path, size_mm: float, x_mm: float, baseline_mm: float
) -> str:
    """SVG path data (mm) of `text` set in the font at `font_path`, left edge at
    `x_mm`, on the baseline `baseline_mm`."""
    font = _font(str(font_path))
    glyphs, advances = font.getGlyphSet(), font["hmtx"]
    cmap = font.getBestCmap()
    scale = size_mm / font["head"].unitsPerEm
    pen = SVGPathPen(glyphs, ntos=_number)
    x = x_mm
    for character in text:
        name = cmap.get(ord(character), ".notdef")
        # Font units point up, SVG's y axis points down.
        glyphs[name].draw(TransformPen(pen, (scale, 0, 0, -scale, x, baseline_mm)))
        x += advances[name][0] * scale
    commands: str = pen.getCommands()
    return commands


@cache
def _font(path: str) -> TTFont:
    return TTFont(path, lazy=True)


def _number(value: float) -> str:
    # A micrometre is finer than any printer: three decimals of a millimetre.
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"
