"""Pillow rendering of a laid-out label (used for PNG output and ZPL graphics)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from labels.layout import PT_TO_MM, LabelLayout, TextLine
from labels.qr import QRMatrix, dark_rects
from labels.typefaces import FontPair


@lru_cache(maxsize=64)
def _font(path: Path, size_px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size=size_px)


def draw_text_lines(
    draw: ImageDraw.ImageDraw,
    lines: Iterable[TextLine],
    fonts: FontPair,
    dpi: float,
    origin_mm: tuple[float, float] = (0.0, 0.0),
) -> None:
    """Draw ``lines`` in black; positions are mm from ``origin_mm`` (label top-left)."""
    px = dpi / 25.4
    for line in lines:
        font = _font(fonts.path(line.bold), line.size_pt * PT_TO_MM * px)
        xy = ((line.x_mm - origin_mm[0]) * px, (line.baseline_mm - origin_mm[1]) * px)
        draw.text(xy, line.text, font=font, fill=0, anchor="ls")


def draw_qr(draw: ImageDraw.ImageDraw, matrix: QRMatrix, layout: LabelLayout, dpi: float) -> None:
    """Draw the QR code's dark modules, with module edges snapped to whole pixels."""
    px = dpi / 25.4
    sym_x, sym_y = layout.symbol_origin_mm
    module = layout.module_mm

    def _edge_x(i: int) -> int:
        return round((sym_x + i * module) * px)

    def _edge_y(i: int) -> int:
        return round((sym_y + i * module) * px)

    for x, y, w, h in dark_rects(matrix):
        draw.rectangle((_edge_x(x), _edge_y(y), _edge_x(x + w) - 1, _edge_y(y + h) - 1), fill=0)


def render_label_image(
    layout: LabelLayout,
    matrix: QRMatrix | None,
    fonts: FontPair,
    dpi: float,
    *,
    text: bool = True,
) -> Image.Image:
    """A white greyscale image of the whole label; ``matrix=None`` leaves the QR out."""
    px = dpi / 25.4
    size = (round(layout.width_mm * px), round(layout.height_mm * px))
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    if matrix is not None:
        draw_qr(draw, matrix, layout, dpi)
    if text:
        draw_text_lines(draw, (*layout.text_lines, *layout.serial_lines), fonts, dpi)
    return image
