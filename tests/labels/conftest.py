"""Fixtures and helpers for the label renderer tests: realistic label data and decoding."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterator
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from labels import LabelData, PrintOptions, SheetLayout
from labels.options import DEFAULT_OPTIONS

COOPERATIVE = "Hợp tác xã Bảo Hưng"
PRODUCT = "Trứng gà ăn thảo dược"
MARKS = ("VietGAP", "OCOP ★★★★", "Nuôi bằng thảo dược")
ISSUER = "Liên minh Hợp tác xã tỉnh Cao Bằng"
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DPI = 300


def serial_for(index: int) -> str:
    """A 12-character Crockford base32 serial, as TraceApp issues them."""
    digest = hashlib.sha256(f"serial-{index}".encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    return "".join(SERIAL_ALPHABET[(value >> (5 * i)) & 31] for i in range(12))


def code_for(index: int, lot: str = "BH-2026-11") -> str:
    """A GS1 Digital Link URI with an 86-char base64url signature (~165-175 chars)."""
    signature = base64.urlsafe_b64encode(hashlib.sha512(f"sig-{index}".encode()).digest())
    return (
        f"https://trace.caobang.vn/01/08930000000017/10/{lot}/21/{serial_for(index)}"
        f"?8030=A1{signature.decode().rstrip('=')}"
    )


def make_label(index: int = 0, **changes: object) -> LabelData:
    """A realistic label; keyword arguments override fields."""
    fields: dict[str, object] = {
        "code": code_for(index),
        "serial": serial_for(index),
        "cooperative": COOPERATIVE,
        "product": PRODUCT,
        "lot": "BH-2026-11",
        "best_before": date(2026, 12, 31),
        "marks": MARKS,
        "issuer": ISSUER,
    }
    fields.update(changes)
    return LabelData(**fields)  # type: ignore[arg-type]


def make_labels(count: int, start: int = 0) -> Iterator[LabelData]:
    """A generator of ``count`` distinct labels (renderers must accept iterators)."""
    return (make_label(i) for i in range(start, start + count))


def pdf_pages(pdf: bytes, dpi: int = DPI) -> list[Image.Image]:
    """Rasterise every page of ``pdf`` to a greyscale image."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("L") for page in document]
    finally:
        document.close()


def decode(image: Image.Image) -> list[tuple[float, float, str]]:
    """All QR codes in ``image`` as (centre x px, centre y px, text)."""
    found = []
    for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        p = result.position
        corners = (p.top_left, p.top_right, p.bottom_left, p.bottom_right)
        cx = sum(c.x for c in corners) / 4
        cy = sum(c.y for c in corners) / 4
        found.append((cx, cy, result.text))
    return found


def decode_sheet(
    pdf: bytes, layout: SheetLayout, options: PrintOptions = DEFAULT_OPTIONS, dpi: int = DPI
) -> list[list[tuple[int, str]]]:
    """Decode every page; per page the (0-based grid position, text) pairs in reading order.

    Each code is attributed to the label cell its centre falls in (offsets applied),
    so the result checks both the content and the position on the stock.
    """
    px = dpi / 25.4
    pages = []
    for image in pdf_pages(pdf, dpi):
        cells = []
        for cx, cy, text in decode(image):
            x_mm = cx / px - options.offset_x_mm
            y_mm = cy / px - options.offset_y_mm
            for index in range(layout.labels_per_sheet):
                left, top = layout.label_origin_mm(index)
                if (
                    left <= x_mm <= left + layout.label_width_mm
                    and top <= y_mm <= top + layout.label_height_mm
                ):
                    cells.append((index, text))
                    break
            else:
                raise AssertionError(f"QR code at {x_mm:.1f},{y_mm:.1f} mm is in no label cell")
        pages.append(sorted(cells))
    return pages


def png_image(data: bytes) -> Image.Image:
    """Open PNG bytes as a greyscale image."""
    return Image.open(io.BytesIO(data)).convert("L")


@pytest.fixture
def label() -> LabelData:
    """One realistic label."""
    return make_label(0)
