"""A printed label filmed by Chromium's fake camera: the first label of a sheet PDF,
rasterised by pypdfium2 at 300 dpi, written as the YUV4MPEG2 video Chromium plays
with `--use-file-for-fake-video-capture`. Used by tests/inspect/test_camera.py and
benchmarks/bench_inspect_app.py.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image

DPI = 300


def camera_args(video: Path) -> list[str]:
    """Chromium's arguments for a camera that films `video`, with no permission prompt."""
    return [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]


def label_frame(pdf: bytes, size: tuple[int, int] = (640, 480)) -> tuple[Image.Image, str]:
    """The first label of the sheet's first page, with the sheet around it, on a grey
    camera frame of `size` pixels (shrunk to fit, never enlarged), and its code."""
    document = pdfium.PdfDocument(pdf)
    page = document[0].render(scale=DPI / 72).to_pil().convert("L")
    document.close()
    first = min(
        zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode),
        key=lambda r: (r.position.top_left.y, r.position.top_left.x),
    )
    corners = first.position
    xs = [c.x for c in (corners.top_left, corners.top_right, corners.bottom_left)]
    ys = [c.y for c in (corners.top_left, corners.bottom_left, corners.top_right)]
    qr = max(max(xs) - min(xs), max(ys) - min(ys))
    # The QR code with the label's text to its right, as a phone held over it sees them.
    box = (
        max(0, min(xs) - qr // 2),
        max(0, min(ys) - qr // 2),
        min(page.width, max(xs) + qr * 2),
        min(page.height, max(ys) + qr // 2),
    )
    label = page.crop(box)
    label.thumbnail((size[0] - 40, size[1] - 40))
    frame = Image.new("L", size, 235)
    frame.paste(label, ((size[0] - label.width) // 2, (size[1] - label.height) // 2))
    return frame, first.text


def write_y4m(frame: Image.Image, path: Path, frames: int = 10) -> None:
    """A short still video in the YUV4MPEG2 format Chromium's fake camera plays (in a loop)."""
    width, height = frame.size
    luma = frame.tobytes()
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)
