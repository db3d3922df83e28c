"""Scanning with the camera: Chromium's fake camera films a printed label (a page of the
label sheet, rasterised by pypdfium2), and the app reads it and shows the verdict.

Debian's headless Chromium on Linux has no `BarcodeDetector` (it exists on Android,
ChromeOS and macOS), so here both runs decode with the ZXing-C++ WebAssembly build:
the default run checks that the app falls back to it by itself, the other forces
it with `?decoder=wasm`. Where the browser has BarcodeDetector, the default run
asserts that the app used it.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote
from urllib.request import Request, urlopen

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.bundle import OfflineBundle
from keys.keyset import PublicKeySet
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS
from tests.inspect.app_driver import download, fetch_json, open_app
from tests.inspect.corpus import REGION
from traceapp.domain.label_downloads import sheet_pdf
from traceapp.models import IssuanceRun

FRAME = (640, 480)


def label_frame(pdf: bytes) -> tuple[Image.Image, str]:
    """The first label of the sheet's first page, filling a camera frame, and its code."""
    document = pdfium.PdfDocument(pdf)
    page = document[0].render(scale=300 / 72).to_pil().convert("L")
    document.close()
    first = min(
        zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode),
        key=lambda r: (r.position.top_left.y, r.position.top_left.x),
    )
    corners = first.position
    xs = [c.x for c in (corners.top_left, corners.top_right, corners.bottom_left)]
    ys = [c.y for c in (corners.top_left, corners.bottom_left, corners.top_right)]
    size = max(max(xs) - min(xs), max(ys) - min(ys))
    # The whole label (38.1 x 21.2 mm at 300 dpi is 450 x 250 px) around its QR code.
    box = (min(xs) - size // 2, min(ys) - size // 2, max(xs) + size * 2, max(ys) + size // 2)
    label = page.crop(box)
    label.thumbnail((FRAME[0] - 40, FRAME[1] - 40))
    frame = Image.new("L", FRAME, 235)
    frame.paste(label, ((FRAME[0] - label.width) // 2, (FRAME[1] - label.height) // 2))
    return frame, first.text


def write_y4m(frame: Image.Image, path: Path, frames: int = 10) -> None:
    """A short still video in the YUV4MPEG2 format Chromium's fake camera plays."""
    width, height = frame.size
    luma = frame.tobytes()
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)


@pytest.fixture
def camera_video(field, parity_settings, tmp_path):
    _base, corpus, _token, engine = field
    with Session(engine) as session:
        run = session.scalar(
            select(IssuanceRun).where(IssuanceRun.batch_id == corpus.batch_ids["recalled"])
        )
        pdf, _pages = sheet_pdf(
            session,
            run.id,
            parity_settings.public_base_url,
            "a4-40",
            1,
            base_options=parity_settings.print_options(),
        )
    frame, code = label_frame(pdf)
    video = tmp_path / "label.y4m"
    write_y4m(frame, video)
    return video, code


@pytest.mark.browser
@pytest.mark.parametrize("query", ["", "?decoder=wasm"], ids=["default", "forced-wasm"])
def test_camera_reads_a_printed_label_and_shows_its_verdict(field, chromium, camera_video, query):
    base, _corpus, token, _engine = field
    video, code = camera_video
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = browser.new_context(locale="vi-VN", service_workers="block")
        context.grant_permissions(["camera"], origin=base)
        page = context.new_page()
        open_app(page, base, token, query=query, worker=False)
        download(page)
        native = page.evaluate("'BarcodeDetector' in window")
        started = time.perf_counter()
        page.click("#scan")
        page.wait_for_selector("#verdict:not([data-verdict=''])", timeout=30000)
        seconds = time.perf_counter() - started
        seen = page.evaluate(
            "() => [document.getElementById('verdict').dataset.verdict,"
            " document.getElementById('verdict').dataset.decoder,"
            " document.getElementById('code').value]"
        )
        context.close()
    finally:
        browser.close()
    print(f"\ncamera open to verdict ({seen[1]}): {seconds:.2f} s")
    trusted = PublicKeySet.from_dict(fetch_json(f"{base}/keys.json"))
    # The verdict the Python verifier gives with a fresh bundle.
    with_token = {"Authorization": f"Bearer {token}"}
    with urlopen(
        Request(f"{base}/api/v1/bundle?region={quote(REGION)}", headers=with_token), timeout=10
    ) as response:
        bundle_text = response.read()
    expected = OfflineBundle.load(bundle_text, trusted).check(code).verdict
    decoder = "barcode-detector" if native and not query else "zxing-wasm"
    assert (seen[0], seen[1], seen[2]) == (expected.value, decoder, code)
    assert expected == "recalled"
