"""Scanning with the camera: Chromium's fake camera films a printed label (a page of the
label sheet, rasterised by pypdfium2), and the app reads it and shows the verdict.

Debian's headless Chromium on Linux has no `BarcodeDetector` (it exists on Android,
ChromeOS and macOS). So the app's two branches run thus:
- as the browser is: the app falls back to the ZXing-C++ WebAssembly build by itself
  (where the browser has BarcodeDetector, the app must use it);
- with a BarcodeDetector installed before the page loads (barcode_detector.js, the
  interface over the same zxing-wasm, as the npm `barcode-detector` polyfill does):
  the app decodes through it, and only through it;
- with that BarcodeDetector and `?decoder=wasm`: the app uses the WebAssembly build
  and never calls the detector.
The time from camera open to verdict is measured by benchmarks/bench_inspect_app.py.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote
from urllib.request import Request, urlopen

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.bundle import OfflineBundle
from keys.keyset import PublicKeySet
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS
from tests.inspect.app_driver import download, fetch_json, open_app
from tests.inspect.corpus import REGION
from tests.inspect.fake_camera import camera_args, label_frame, write_y4m
from traceapp.domain.printing import run_sheet_pdf, sheet_setup
from traceapp.models import IssuanceRun

BARCODE_DETECTOR = Path(__file__).with_name("barcode_detector.js")


@pytest.fixture
def camera_video(field, parity_settings, tmp_path):
    _base, corpus, _token, engine = field
    with Session(engine) as session:
        run = session.scalar(
            select(IssuanceRun).where(IssuanceRun.batch_id == corpus.batch_ids["recalled"])
        )
        layout, options = sheet_setup("a4-21", parity_settings.print_options())
        pdf = run_sheet_pdf(session, run, parity_settings.public_base_url, layout, options)
    frame, code = label_frame(pdf)
    video = tmp_path / "label.y4m"
    write_y4m(frame, video)
    return video, code


# (BarcodeDetector installed, query of the app's address, decoder expected or None for
# the browser's own choice)
RUNS = {
    "as-the-browser-is": (False, "", None),
    "barcode-detector": (True, "", "barcode-detector"),
    "forced-wasm": (True, "?decoder=wasm", "zxing-wasm"),
}


@pytest.mark.browser
@pytest.mark.parametrize("run", RUNS)
def test_camera_reads_a_printed_label_and_shows_its_verdict(field, chromium, camera_video, run):
    base, _corpus, token, _engine = field
    video, code = camera_video
    detector_installed, query, decoder = RUNS[run]
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *camera_args(video)]
    )
    try:
        context = browser.new_context(locale="vi-VN", service_workers="block")
        if detector_installed:
            context.add_init_script(path=BARCODE_DETECTOR)
        context.grant_permissions(["camera"], origin=base)
        page = context.new_page()
        open_app(page, base, token, query=query, worker=False)
        download(page)
        native = page.evaluate("'BarcodeDetector' in window")
        page.click("#scan")
        page.wait_for_selector("#verdict:not([data-verdict=''])", timeout=30000)
        seen = page.evaluate(
            "() => [document.getElementById('verdict').dataset.verdict,"
            " document.getElementById('verdict').dataset.decoder,"
            " document.getElementById('code').value, window.barcodeDetectorCalls || 0]"
        )
        context.close()
    finally:
        browser.close()
    trusted = PublicKeySet.from_dict(fetch_json(f"{base}/keys.json"))
    # The verdict the Python verifier gives with a fresh bundle.
    with_token = {"Authorization": f"Bearer {token}"}
    with urlopen(
        Request(f"{base}/api/v1/bundle?region={quote(REGION)}", headers=with_token), timeout=10
    ) as response:
        bundle_text = response.read()
    expected = OfflineBundle.load(bundle_text, trusted).check(code).verdict
    if decoder is None:
        decoder = "barcode-detector" if native else "zxing-wasm"
    verdict, used, read, detector_calls = seen
    assert (verdict, used, read) == (expected.value, decoder, code)
    assert expected == "recalled"
    if detector_installed:  # it read the label, or was never asked with ?decoder=wasm
        assert (detector_calls > 0) == (decoder == "barcode-detector")
