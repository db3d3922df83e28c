"""ZPL II for Zebra thermal printers.

The QR code uses the printer's own ``^BQ`` encoder (model 2, error correction M,
module size = whole printer dots) so it prints crisp; the data is in the ``^FD``
field. ZPL's built-in fonts have no Vietnamese glyphs (even with ``^CI28``
UTF-8), so all text is rendered here with the label font into 1-bit graphics:
each distinct text block (cooperative, product, lot, date, marks: usually one
per batch) is downloaded once with ``~DG`` and recalled with ``^XG``; the serial
is an inline ``^GFA`` graphic on each label. Every label is one ``^XA ... ^XZ``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from labels.data import LabelData
from labels.errors import LayoutError
from labels.layout import MIN_MODULE_MM, TextLine, layout_label
from labels.qr import QUIET_ZONE_MODULES, encode
from labels.raster import draw_text_lines
from labels.thermal import check_roll_size
from labels.typefaces import FontPair, resolve_fonts

#: Print head resolutions of Zebra printers (6, 8, 12 and 24 dots/mm).
ALLOWED_DPI = (152, 203, 300, 600)
_MAX_MAGNIFICATION = 10


def _escape_field(text: str) -> str:
    """Hex-escape characters that would end or confuse a ``^FD`` field (used with ``^FH\\``)."""
    return "".join(f"\\{ord(ch):02X}" if ch in "^~\\" else ch for ch in text)


def _graphic(lines: tuple[TextLine, ...], fonts: FontPair, dpi: int) -> tuple[int, int, int, str]:
    """Rasterise ``lines`` into a 1-bit image around them.

    Returns (x_dots, y_dots, bytes_per_row, hex data) with the image's top-left
    in label dots; a set bit is a black dot, as ``^GF``/``~DG`` expect.
    """
    dpmm = dpi / 25.4
    left = min(line.x_mm for line in lines)
    top = min(line.top_mm for line in lines)
    right = max(line.x_mm + line.width_mm for line in lines)
    bottom = max(line.bottom_mm for line in lines)
    x0, y0 = math.floor(left * dpmm), math.floor(top * dpmm)
    width = math.ceil(right * dpmm) - x0 + 2
    height = math.ceil(bottom * dpmm) - y0 + 1
    image = Image.new("L", (width, height), 255)
    draw_text_lines(ImageDraw.Draw(image), lines, fonts, dpi, (x0 / dpmm, y0 / dpmm))
    bits = ImageOps.invert(image).point(lambda v: 255 if v >= 96 else 0).convert("1")
    return x0, y0, (width + 7) // 8, bits.tobytes().hex().upper()


def render_zpl(
    labels: Iterable[LabelData],
    width_mm: float,
    height_mm: float,
    dpi: int = 203,
    *,
    font_path: str | Path | None = None,
) -> bytes:
    """Render ``labels`` as ZPL II for a ``width_mm`` x ``height_mm`` label at ``dpi``.

    Returns ASCII bytes: ``~DG`` downloads for distinct text blocks, then one
    ``^XA ... ^XZ`` format per label. Raises :class:`LayoutError` for an unknown
    ``dpi`` or a label too small for a QR code of whole-dot modules of at least
    ``MIN_MODULE_MM``, and ``ValueError`` if there are no labels.
    """
    if dpi not in ALLOWED_DPI:
        raise LayoutError(
            f"dpi {dpi!r} is not a Zebra print head resolution; allowed: "
            f"{', '.join(map(str, ALLOWED_DPI))}"
        )
    check_roll_size(width_mm, height_mm)
    fonts = resolve_fonts(font_path)
    dpmm = dpi / 25.4
    blocks: dict[tuple[TextLine, ...], tuple[str, int, int]] = {}
    out: list[str] = []
    for label in labels:
        matrix = encode(label.code)
        layout = layout_label(label, float(width_mm), float(height_mm), matrix.size, fonts)
        magnification = min(_MAX_MAGNIFICATION, math.floor(layout.module_mm * dpmm + 1e-6))
        if magnification < 1 or magnification / dpmm < MIN_MODULE_MM - 1e-9:
            need = math.ceil(MIN_MODULE_MM * dpmm) / dpmm * matrix.size_with_quiet_zone
            raise LayoutError(
                f"a {width_mm:g} x {height_mm:g} mm label at {dpi} dpi leaves QR modules of "
                f"{magnification} dots ({magnification / dpmm:.3f} mm); allowed: modules of "
                f"at least {MIN_MODULE_MM} mm, i.e. a QR box of about {need:.1f} mm"
            )
        full = matrix.size_with_quiet_zone * magnification
        spare = layout.qr_size_mm * dpmm - full
        qr_x = round(layout.qr_x_mm * dpmm + spare / 2) + QUIET_ZONE_MODULES * magnification
        qr_y = round(layout.qr_y_mm * dpmm + spare / 2) + QUIET_ZONE_MODULES * magnification
        block = blocks.get(layout.text_lines)
        if block is None and layout.text_lines:
            x0, y0, row, data = _graphic(layout.text_lines, fonts, dpi)
            block = blocks[layout.text_lines] = (f"R:TXT{len(blocks)}.GRF", x0, y0)
            out.append(f"~DG{block[0]},{len(data) // 2},{row},{data}\n")
        fmt = [
            "^XA",
            "^CI28",
            f"^PW{round(width_mm * dpmm)}",
            f"^LL{round(height_mm * dpmm)}",
            "^LH0,0",
            f"^FO{qr_x},{qr_y}^BQN,2,{magnification}^FH\\^FDMA,{_escape_field(label.code)}^FS",
        ]
        if block is not None:
            fmt.append(f"^FO{block[1]},{block[2]}^XG{block[0]},1,1^FS")
        if layout.serial_lines:
            x0, y0, row, data = _graphic(layout.serial_lines, fonts, dpi)
            size = len(data) // 2
            fmt.append(f"^FO{x0},{y0}^GFA,{size},{size},{row},{data}^FS")
        fmt += ["^XZ", ""]
        out.append("\n".join(fmt))
    if not out:
        raise ValueError("no labels to render")
    return "".join(out).encode("ascii")
