"""A cooperative operator's whole way in headless Chromium, on a live server with
CSRF protection on: sign in, create a batch, (the Union officer certifies it),
request 1,000 labels, have the sheet prepared by a print worker, download it."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests.console.world import PASSWORD, build_world
from traceapp import create_app
from traceapp.clock import today_local
from traceapp.workers.print_worker import work


@pytest.fixture
def browser_thread(chromium):
    """Runs flow(browser) with the session's headless Chromium."""
    return lambda flow: flow(chromium)


@pytest.fixture
def live(committed_engine, test_settings, serve):
    with Session(committed_engine, expire_on_commit=False) as session:
        world = build_world(session, test_settings)
        session.commit()
    app = create_app(test_settings)
    # A print worker beside the server, as `traceapp serve` runs one. Started once the
    # served app is built: werkzeug compiles URL rules with ast.parse, which CPython
    # 3.11 cannot run in two threads at once (python/cpython#106905: "AST constructor
    # recursion depth mismatch" killed the worker's thread as it built its own app).
    stop = threading.Event()
    worker = threading.Thread(target=work, args=(test_settings,), kwargs={"stop": stop})
    worker.start()
    yield serve(app), world
    stop.set()
    worker.join(timeout=60)


def _sign_in(page, base, email):
    page.goto(f"{base}/console/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/console/")


def _sign_out(page):
    page.click("nav.console form button")


@pytest.mark.browser
@pytest.mark.slow
def test_operator_gets_a_printable_sheet_of_1000_labels_for_a_new_batch(live, browser_thread):
    pdf = browser_thread(lambda browser: _operator_walkthrough(browser, *live))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 48  # 1,000 labels, 21 a sheet


def _operator_walkthrough(browser, base, world) -> bytes:
    context = browser.new_context(accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    today = today_local()

    _sign_in(page, base, "van.hanh@baohung.vn")
    page.goto(f"{base}/console/batches/new")
    page.select_option("#product_id", str(world.product_a.id))
    page.fill("#lot_code", "BH-2611-05")
    page.fill("#quantity", "1200")
    page.fill("#unit", "quả")
    page.fill("#produced_on", today.isoformat())
    page.fill("#best_before", (today + timedelta(days=25)).isoformat())
    page.click("main button[type=submit]")
    page.wait_for_selector("#batch-status")
    batch_url = page.url
    assert page.inner_text("#batch-status") == "Chờ Liên minh duyệt"
    _sign_out(page)

    _sign_in(page, base, "can.bo@lienminh-caobang.vn")
    page.goto(f"{batch_url}/certifications/new")
    page.select_option("#scheme", "herbal_fed")
    page.fill("#certificate_number", "LMHTX-CB-2026-0415")
    page.fill("#issuing_body", "Liên minh Hợp tác xã tỉnh Cao Bằng")
    page.fill("#valid_from", today.isoformat())
    page.fill("#valid_to", (today + timedelta(days=335)).isoformat())
    page.fill("#evidence_ref", "HS-2026-0415.pdf")
    page.click("main button[type=submit]")
    page.click("#certify")
    page.wait_for_selector("#batch-status:text('Đã chứng nhận')")
    _sign_out(page)

    _sign_in(page, base, "van.hanh@baohung.vn")
    page.goto(batch_url)
    page.click("#request-labels")
    page.fill("#count", "1000")
    page.click("main button[type=submit]")
    page.wait_for_selector("#kind")
    page.select_option("#kind", "sheet")
    page.fill("#preset", "Avery L7160")
    page.fill("#start_position", "1")
    page.click("main form button[type=submit] >> nth=0")
    # The job page shows progress and reloads itself until the file is ready.
    page.wait_for_selector("#job-status")
    # Done (a download) or failed (the reason): a failure is reported as such, not as a timeout.
    page.wait_for_selector("#download-file, main p.error", timeout=180_000)
    assert page.locator("main p.error").count() == 0, page.inner_text("main")
    assert "100 %" in page.inner_text("main")
    with page.expect_download(timeout=60_000) as download_info:
        page.click("#download-file")
    pdf = download_info.value.path().read_bytes()
    context.close()
    return pdf
