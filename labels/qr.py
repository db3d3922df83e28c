"""QR code module matrices (error correction M) and their merged dark rectangles.

Three encoders are supported; the fastest one that is installed and passes a
one-time self-check is used (see docs/labels.md for the measurements):
zxing-cpp (~0.5 ms per 170-char code), segno (~4 ms) and qrcode (~19 ms).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from PIL import Image

#: Quiet zone around every symbol, in modules (ISO/IEC 18004 minimum).
QUIET_ZONE_MODULES = 4

_DARK_RUN = re.compile(rb"\x01+")
# zxing-cpp images are 0x00 for dark and 0xff for light modules.
_ZXING_TO_BITS = bytes([1] + [0] * 255)


@dataclass(frozen=True)
class QRMatrix:
    """A QR symbol without quiet zone: ``rows[y][x]`` is 1 for a dark module, else 0."""

    size: int
    rows: tuple[bytes, ...]

    @property
    def size_with_quiet_zone(self) -> int:
        """Width in modules including the 4-module quiet zone on both sides."""
        return self.size + 2 * QUIET_ZONE_MODULES

    def dark_count(self) -> int:
        """Number of dark modules."""
        return sum(row.count(1) for row in self.rows)


def encode_zxing(text: str) -> QRMatrix:
    """Encode ``text`` at error correction M with zxing-cpp (>= 2.3 ``create_barcode``)."""
    import zxingcpp

    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    # zxingcpp.Image has the buffer protocol; its type stubs do not say so.
    pixels = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]
    height, width = cast(tuple[int, int], pixels.shape)
    raw = pixels.tobytes().translate(_ZXING_TO_BITS)
    rows = tuple(raw[y * width : (y + 1) * width] for y in range(height))
    return QRMatrix(width, rows)


def encode_segno(text: str) -> QRMatrix:
    """Encode ``text`` at error correction M with segno (no error-level boosting)."""
    import segno

    symbol = segno.make_qr(text, error="m", boost_error=False)
    rows = tuple(bytes(row) for row in symbol.matrix)
    return QRMatrix(len(rows), rows)


def encode_qrcode(text: str) -> QRMatrix:
    """Encode ``text`` at error correction M with the pure-Python qrcode package."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(text)
    qr.make(fit=True)
    rows = tuple(bytes(1 if cell else 0 for cell in row) for row in qr.get_matrix())
    return QRMatrix(len(rows), rows)


#: Encoders by name, fastest first.
ENCODERS: dict[str, Callable[[str], QRMatrix]] = {
    "zxing-cpp": encode_zxing,
    "segno": encode_segno,
    "qrcode": encode_qrcode,
}

_SELF_CHECK_TEXT = "https://trace.caobang.vn/01/08930000000017/10/SELF-CHECK/21/0?8030=A1"


def _self_check(name: str) -> bool:
    """True if encoder ``name`` is installed and produces a correct EC-M symbol.

    The symbol is decoded with zxing-cpp's reader when that is available
    (content and error-correction level must match); otherwise only the
    matrix shape is checked.
    """
    try:
        matrix = ENCODERS[name](_SELF_CHECK_TEXT)
    except Exception:  # noqa: BLE001 - any failure (missing module, old API) disqualifies
        return False
    if len(matrix.rows) != matrix.size or any(len(r) != matrix.size for r in matrix.rows):
        return False
    try:
        import zxingcpp
    except ImportError:
        return True
    image = matrix_to_image(matrix, scale=4)
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    return len(found) == 1 and found[0].text == _SELF_CHECK_TEXT and found[0].ec_level == "M"


@cache
def selected_encoder() -> str:
    """Name of the encoder in use: the first of ``ENCODERS`` that passes its self-check."""
    for name in ENCODERS:
        if _self_check(name):
            return name
    raise RuntimeError("no working QR encoder: install zxing-cpp, segno or qrcode")


def encode(text: str) -> QRMatrix:
    """Return the QR module matrix for ``text`` at error correction M."""
    return ENCODERS[selected_encoder()](text)


def dark_rects(matrix: QRMatrix) -> list[tuple[int, int, int, int]]:
    """Cover the dark modules with rectangles ``(x, y, width, height)`` in modules.

    Each horizontal run of dark modules in a row becomes one rectangle of height
    1 (``y`` grows downwards). Merging identical runs of consecutive rows would
    save only ~10 % of the rectangles at twice the cost, so it is not done.
    """
    stride = matrix.size + 1
    joined = b"\x00".join(matrix.rows)
    return [
        (start % stride, start // stride, m.end() - start, 1)
        for m in _DARK_RUN.finditer(joined)
        for start in (m.start(),)
    ]


def rect_operators(matrix: QRMatrix) -> str:
    """PDF path operators ``x y w 1 re`` for :func:`dark_rects`, built in one pass (hot path)."""
    stride = matrix.size + 1
    joined = b"\x00".join(matrix.rows)
    return " ".join(
        [
            f"{start % stride} {start // stride} {end - start} 1 re"
            for start, end in map(re.Match.span, _DARK_RUN.finditer(joined))
        ]
    )


def matrix_to_image(
    matrix: QRMatrix, scale: int = 1, quiet_zone: int = QUIET_ZONE_MODULES
) -> Image.Image:
    """Render ``matrix`` as a Pillow greyscale image, ``scale`` pixels per module."""
    from PIL import Image

    full = matrix.size + 2 * quiet_zone
    image = Image.new("L", (full, full), 255)
    pixels = bytearray(b"\xff" * full * full)
    for y, row in enumerate(matrix.rows):
        offset = (y + quiet_zone) * full + quiet_zone
        pixels[offset : offset + matrix.size] = row.translate(bytes([255, 0] + [255] * 254))
    image.frombytes(bytes(pixels))
    if scale != 1:
        image = image.resize((full * scale, full * scale), Image.Resampling.NEAREST)
    return image
