"""How many codes of a full sheet still decode on a real office printer, per stock.

Usage: .venv/bin/python benchmarks/print_margins.py [--margin 4.2] [--shift 1.0] [--dpi 300]
       [--stock NAME ...] [--smoke]

Each preset's full sheet is rendered, rasterised at DPI (pypdfium2), shifted by
SHIFT mm (a printer's misregistration; both diagonal directions are tried and
the worse is reported), stripped of everything within MARGIN mm of the page
edge (what a printer cannot reach) and of every mark off the die-cut labels
(ink that misses a label is lost), then every code is read with zxing-cpp.
Prints per stock: codes decoded / labels per sheet, plainly and under the
simulated printer, and the baseline (the same sheet, unshifted, no margin) to
compare with. tests/labels/test_print_margins.py asserts the figures.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2  # noqa: E402
import zxingcpp  # noqa: E402
from PIL import Image, ImageChops, ImageDraw  # noqa: E402

from labels import (  # noqa: E402
    DEFAULT_PRESET,
    PRESETS,
    LabelData,
    SheetLayout,
    get_preset,
    render_sheet_pdf,
)

#: A typical office laser's unprintable border and misregistration.
PRINTER_MARGIN_MM = 4.2
SHIFT_MM = 1.0


#: The stocks that were presets before the 1.5 mm safe zone and 6.5 pt text, for comparison.
FORMER_PRESETS = (
    SheetLayout(210, 297, 0, 0, 52.5, 29.7, 0, 0, 4, 10, name="a4-40 (former)"),
    SheetLayout(210, 297, 4.75, 10.7, 38.1, 21.2, 2.5, 0, 5, 13, name="a4-65 (former)"),
)


def sheet_labels(count: int) -> list[LabelData]:
    """A full sheet of realistic labels (~170-character codes, Vietnamese text)."""
    labels = []
    for index in range(count):
        digest = hashlib.sha512(f"sig-{index}".encode()).digest()
        signature = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        serial = f"{hashlib.sha256(str(index).encode()).hexdigest()[:12].upper()}"
        labels.append(
            LabelData(
                code=f"https://trace.caobang.vn/01/08930000000017/10/BH-2026-11/21/{serial}"
                f"?8030=A1{signature}",
                serial=serial,
                cooperative="Hợp tác xã Bảo Hưng",
                product="Trứng gà ăn thảo dược",
                lot="BH-2026-11",
                best_before=date(2026, 12, 31),
                marks=("VietGAP", "OCOP ★★★★", "Nuôi bằng thảo dược"),
                issuer="Liên minh Hợp tác xã tỉnh Cao Bằng",
            )
        )
    return labels


def printed(
    pdf: bytes,
    layout: SheetLayout,
    dpi: int,
    shift_mm: tuple[float, float] = (0.0, 0.0),
    margin_mm: float = 0.0,
) -> Image.Image:
    """The first page as it comes out of a printer with ``margin_mm`` and ``shift_mm``."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()
    px = dpi / 25.4
    dx, dy = round(shift_mm[0] * px), round(shift_mm[1] * px)
    inverted = ImageChops.offset(ImageChops.invert(image), dx, dy)
    # Offset wraps around: clear what came in from the far edges.
    draw = ImageDraw.Draw(inverted)
    width, height = inverted.size
    if dx > 0:
        draw.rectangle((0, 0, dx - 1, height), fill=0)
    elif dx < 0:
        draw.rectangle((width + dx, 0, width, height), fill=0)
    if dy > 0:
        draw.rectangle((0, 0, width, dy - 1), fill=0)
    elif dy < 0:
        draw.rectangle((0, height + dy, width, height), fill=0)
    # Only ink inside the printable area and on a label survives.
    keep = Image.new("L", inverted.size, 0)
    mask = ImageDraw.Draw(keep)
    for index in range(layout.labels_per_sheet):
        x_mm, y_mm = layout.label_origin_mm(index)
        mask.rectangle(
            (
                round(x_mm * px),
                round(y_mm * px),
                round((x_mm + layout.label_width_mm) * px) - 1,
                round((y_mm + layout.label_height_mm) * px) - 1,
            ),
            fill=255,
        )
    if margin_mm:
        m = round(margin_mm * px)
        mask.rectangle((0, 0, width, m - 1), fill=0)
        mask.rectangle((0, height - m, width, height), fill=0)
        mask.rectangle((0, 0, m - 1, height), fill=0)
        mask.rectangle((width - m, 0, width, height), fill=0)
    return ImageChops.invert(ImageChops.multiply(inverted, keep))


def decoded_count(image: Image.Image, expected: set[str]) -> int:
    """How many of the ``expected`` codes zxing-cpp reads in ``image``."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return len({result.text for result in found} & expected)


def measure(
    layout: SheetLayout, dpi: int, shift_mm: float, margin_mm: float
) -> tuple[int, int, int]:
    """(decoded plainly, decoded under the simulated printer (worse direction), labels)."""
    labels = sheet_labels(layout.labels_per_sheet)
    expected = {label.code for label in labels}
    pdf = render_sheet_pdf(labels, layout)
    plain = decoded_count(printed(pdf, layout, dpi), expected)
    simulated = min(
        decoded_count(printed(pdf, layout, dpi, (s, s), margin_mm), expected)
        for s in (shift_mm, -shift_mm)
    )
    return plain, simulated, layout.labels_per_sheet


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--margin", type=float, default=PRINTER_MARGIN_MM)
    parser.add_argument("--shift", type=float, default=SHIFT_MM)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--stock", action="append", help="a stock name (repeatable)")
    parser.add_argument("--smoke", action="store_true", help="the default stock only (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.stock = [DEFAULT_PRESET]
    stocks = (
        [get_preset(name) for name in args.stock]
        if args.stock
        else [*PRESETS.values(), *FORMER_PRESETS]
    )
    print(
        f"printer: {args.margin:g} mm unprintable margin, {args.shift:g} mm shift, {args.dpi} dpi"
    )
    print("plain: the sheet as rendered (baseline); printed: under the simulated printer")
    print(f"{'stock':<16} {'per sheet':>9} {'plain':>7} {'printed':>8}  ratio")
    for layout in stocks:
        name = layout.name
        try:
            plain, simulated, total = measure(layout, args.dpi, args.shift, args.margin)
        except ValueError as exc:  # LayoutError: the stock cannot hold the label at all
            print(f"{name:<16} {layout.labels_per_sheet:>9}   refused: {str(exc)[:60]}")
            continue
        print(f"{name:<16} {total:>9} {plain:>7} {simulated:>8}  {simulated / max(plain, 1):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
