"""Every role's main flow in headless Chromium, in Vietnamese, at 360 and 1280 px.

On every screen: no sideways scrolling, no English wording from the catalogue and
no raw stored value (`draft`, `herbal_fed`, `union_officer`...), and the console's
navigation is there, error pages included. At 360 px, axe-core finds no WCAG AA
colour-contrast failure (the public pages in the walk included). Set
TRACEAPP_SCREENSHOT_DIR to keep a 360-px screenshot of each main screen
(docs/screens/ holds the published ones).
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.browser_support import contrast_violations
from tests.catalogue_english import english_in
from tests.console.world import PASSWORD, World, build_world
from tests.factories import Factory
from traceapp import create_app
from traceapp.clock import today_local
from traceapp.models import BatchStatus, CertificationScheme, InspectionResult, Role

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
HOTLINE = "0206 3852 123"
# Stored values that must never reach a reader as they are stored.
RAW_VALUES = [
    *(str(v) for v in BatchStatus),
    *(str(v) for v in CertificationScheme if "_" in v),
    *(str(v) for v in InspectionResult),
    *(str(v) for v in Role),
    "union officer",
    "cooperative operator",
]


RAW = [re.compile(rf"(?<![\w/.-]){re.escape(v)}(?![\w/.-])") for v in RAW_VALUES]


@pytest.fixture
def live(committed_engine, test_settings, serve):
    settings = dataclasses.replace(test_settings, union_hotline=HOTLINE)
    with Session(committed_engine, expire_on_commit=False) as session:
        world = build_world(session, settings)
        factory = Factory(session)
        # A certification that has lapsed: the draft cannot be approved until renewed.
        factory.certification(
            world.draft_a,
            scheme="vietgap",
            valid_from=today_local() - timedelta(days=400),
            valid_to=today_local() - timedelta(days=35),
        )
        session.commit()
    return serve(create_app(settings)), world


class Screen:
    """One browser page at one width, checking every screen it is shown."""

    def __init__(self, browser, base: str, width: str, shots: Path | None) -> None:
        self.context = browser.new_context(
            viewport=VIEWPORTS[width], locale="vi-VN", accept_downloads=True
        )
        self.page = self.context.new_page()
        self.base, self.width, self.shots = base, width, shots
        self.seen: list[str] = []

    def goto(self, path: str, name: str | None = None, console: bool = True) -> None:
        self.page.goto(self.base + path)
        self.check(name, console)

    def check(self, name: str | None = None, console: bool = True) -> None:
        page = self.page
        page.wait_for_load_state()
        where = f"{page.url} at {self.width}"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{where} scrolls sideways by {overflow} px"
        text = page.evaluate("document.body.innerText")
        english = english_in(text)
        assert not english, f"{where} shows English: {english}\n{text}"
        raw = [p.pattern for p in RAW if p.search(text)]
        assert not raw, f"{where} shows stored values: {raw}\n{text}"
        assert page.evaluate("document.documentElement.lang") == "vi"
        if self.width == "phone":
            # WCAG AA contrast, measured by axe-core on what the phone shows.
            assert contrast_violations(page) == [], f"{where} fails AA contrast"
        if console:
            # No dead end: the console's navigation is on every console screen.
            assert page.locator("#console-nav").count() == 1, f"{where} has no navigation"
        if name:
            self.seen.append(name)
            if self.shots is not None and self.width == "phone":
                page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def sign_in(self, email: str) -> None:
        self.goto("/console/sign-in", "sign-in", console=False)
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{self.base}/console/")
        self.check()

    def sign_out(self) -> None:
        if self.width == "phone":
            # The navigation is folded behind "Danh mục" on a phone.
            assert not self.page.locator("#sign-out").is_visible()
            self.page.click("label.menu-button")
        self.page.click("#sign-out")
        self.page.wait_for_url(f"{self.base}/console/sign-in")

    def close(self) -> None:
        self.context.close()


def _shots() -> Path | None:
    directory = os.environ.get("TRACEAPP_SCREENSHOT_DIR")
    if not directory:
        return None
    Path(directory).mkdir(parents=True, exist_ok=True)
    return Path(directory)


@pytest.fixture
def walk(chromium, live):
    base, world = live
    screens = []

    def _open(width: str) -> Screen:
        screen = Screen(chromium, base, width, _shots())
        screens.append(screen)
        return screen

    yield _open, world
    for screen in screens:
        screen.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_cooperative_staff_walk_their_flow_in_vietnamese(walk, width):
    open_screen, world = walk
    screen = open_screen(width)
    page = screen.page
    screen.sign_in("van.hanh@baohung.vn")
    screen.check("home-cooperative")

    screen.goto("/console/batches/new", "batch-new")
    page.click("main button[type=submit]")  # nothing filled in: errors beside the fields
    screen.check()
    assert page.locator(".field.invalid #lot_code[aria-invalid=true]").count() == 1
    page.select_option("#product_id", str(world.product_a.id))
    page.fill("#lot_code", "BH-2611-05")
    page.fill("#quantity", "1200")
    page.fill("#unit", "quả")
    page.fill("#produced_on", today_local().isoformat())
    page.click("main button[type=submit]")
    page.wait_for_selector("#waiting")
    screen.check("batch-waiting")
    # A draft says it waits for the Union and offers no label request.
    assert "chờ Liên minh" in page.inner_text("#waiting")
    assert page.locator("#request-labels").count() == 0

    screen.goto(f"/console/batches/{world.batch_a.id}")
    page.click("#request-labels")
    page.wait_for_selector("#issue")
    screen.check("issuance")
    assert "chưa có tem" in page.inner_text("#remaining")
    page.fill("#count", "40")
    assert page.inner_text("#issue") == "Cấp 40 tem"
    page.click("#issue")
    page.wait_for_selector("#print-form")
    screen.check("run")
    page.fill("#start_position", "99")
    page.click("#prepare-file")
    page.wait_for_selector("#start_position-error")
    screen.check("run-error")
    # The stock and position as typed, the reason beside the field, the navigation kept.
    assert page.input_value("#start_position") == "99"

    screen.goto(f"/console/batches/{world.batch_a.id}/scans", "scans")
    screen.goto("/console/batches", "batches")
    screen.goto("/console/nothing-here")
    assert page.locator("section.problem h1").inner_text() == "Không tìm thấy trang"
    screen.sign_out()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_union_officer_walks_their_flow_in_vietnamese(walk, width):
    open_screen, world = walk
    screen = open_screen(width)
    page = screen.page
    screen.sign_in("can.bo@lienminh-caobang.vn")
    screen.check("home-union")

    # The draft cannot be approved: no "certify" button, and the page says why.
    screen.goto(f"/console/batches/{world.draft_a.id}", "batch-cannot-certify")
    assert page.locator("#certify").count() == 0
    assert "hết hạn" in page.inner_text("#certify-refusal")
    page.click("#record-certification")
    page.wait_for_selector("#scheme")
    screen.check("certification-new")
    page.select_option("#scheme", "herbal_fed")
    page.fill("#certificate_number", "LMHTX-CB-2026-0415")
    page.fill("#issuing_body", "Liên minh Hợp tác xã tỉnh Cao Bằng")
    page.fill("#valid_from", today_local().isoformat())
    page.fill("#valid_to", (today_local() + timedelta(days=335)).isoformat())
    page.click("main button[type=submit]")
    page.wait_for_selector("#certify")
    screen.check()
    assert "LMHTX-CB-2026-0415" in page.inner_text(".flash")
    page.click("#certify")
    page.wait_for_selector("#batch-status:text('Đã chứng nhận')")
    screen.check()

    # Void: a mistyped serial is answered beside the field, the reason kept.
    screen.goto(f"/console/batches/{world.batch_a.id}/void", "void")
    page.fill("#label-serial", "KHONGCO123")
    page.fill("#label-reason", "Tem bị rách khi dán")
    page.click("#void-one")
    page.wait_for_selector("#label-serial-error")
    screen.check()
    assert page.input_value("#label-reason") == "Tem bị rách khi dán"
    page.fill("#range-first", "1")
    page.fill("#range-last", "2")
    page.fill("#range-reason", "Kẹt giấy máy in")
    page.click("#void-range")
    page.wait_for_selector("#confirmation")
    screen.check("void-confirm")
    assert "2 tem" in page.inner_text("h1") and world.batch_a.lot_code in page.inner_text("h1")
    page.click("#confirm")
    page.wait_for_selector(".flash")
    screen.check()

    # Recall asks first, naming the lot and how many labels it affects.
    page.click("#recall")
    page.fill("#reason", "Phát hiện vi khuẩn Salmonella trong mẫu")
    page.click("main button[type=submit]")
    page.wait_for_selector("#confirmation")
    screen.check("recall-confirm")
    assert "3 tem" in page.inner_text("#confirmation")
    page.click("#cancel")
    page.wait_for_selector("#batch-status:text('Đã chứng nhận')")

    for path, name in (
        ("/console/cooperatives", "cooperatives"),
        (f"/console/cooperatives/{world.coop_a.id}", None),
        ("/console/reports", "reports"),
        (f"/console/chain/batches/{world.batch_a.id}", "value-chain"),
        ("/console/chain/partners", None),
        ("/console/chain/import", None),
        (f"/console/products/{world.product_a.id}", None),
        ("/console/accounts", None),
        ("/console/password", None),
        ("/console/keys", None),
        ("/console/tokens", None),
        ("/console/lookup", None),
        ("/console/bundle", None),
    ):
        screen.goto(path, name)
    screen.sign_out()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_inspector_walks_their_flow_in_vietnamese(walk, width):
    open_screen, world = walk
    screen = open_screen(width)
    page = screen.page
    screen.sign_in("thanh.tra@caobang.gov.vn")
    screen.check("home-inspector")
    screen.goto("/console/lookup", "lookup")
    page.fill("#lot_code", world.batch_b.lot_code)
    page.select_option("#cooperative_id", str(world.coop_b.id))
    page.click("main button[type=submit]")
    page.wait_for_selector("#record-inspection")
    screen.check("batch-inspector")
    page.click("#record-inspection")
    page.wait_for_selector("#place")
    screen.check("inspection-new")
    page.fill("#place", "Chợ Xanh, TP Cao Bằng")
    page.select_option("#result", "observations")
    page.click("main button[type=submit]")
    page.wait_for_selector(".flash")
    screen.check()
    assert "Đạt, có lưu ý" in page.inner_text(".flash")
    screen.sign_out()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_consumer_reports_a_voided_label_and_the_union_sees_it(walk, width):
    open_screen, world = walk
    officer = open_screen(width)
    officer.sign_in("can.bo@lienminh-caobang.vn")
    officer.goto(f"/console/batches/{world.batch_a.id}/void")
    page = officer.page
    page.fill("#range-first", "1")
    page.fill("#range-last", "1")
    page.fill("#range-reason", "Tem in lỗi")
    page.click("#void-range")
    page.click("#confirm")
    page.wait_for_selector(".flash")
    code = _first_code(officer, world)

    consumer = open_screen(width)
    page = consumer.page
    consumer.goto(code, "public-voided", console=False)
    verdict = page.locator("#verdict")
    assert verdict.get_attribute("data-verdict") == "voided"
    assert not _shows_green(page), "a red verdict page shows something green"
    assert page.inner_text("#hotline") == HOTLINE
    page.fill("#message", "Tem này quét ra là đã hủy nhưng vẫn bán ở chợ")
    page.fill("#place", "Chợ Sông Bằng")
    page.click("#report")
    page.wait_for_selector("#report-sent")
    consumer.check("report-sent", console=False)

    officer.goto("/console/reports")
    assert "Chợ Sông Bằng" in officer.page.inner_text("#reports")
    assert "Tem đã bị hủy" in officer.page.inner_text("#reports")


def _first_code(screen: Screen, world: World) -> str:
    response = screen.page.request.get(
        f"{screen.base}/api/v1/runs/{world.run_a.id}/labels",
        headers={"Authorization": f"Bearer {world.tokens['union_officer']}"},
    )
    full = response.json()["items"][0]["code"]
    return full[full.index("/01/") :]


def _shows_green(page) -> bool:
    """True if any visible element's text or background is green (g well above r and b)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')].some(e => {
             const s = getComputedStyle(e);
             if (s.display === 'none' || s.visibility === 'hidden') return false;
             return [s.color, s.backgroundColor].some(c => {
               const m = c.match(/rgba?\\((\\d+), (\\d+), (\\d+)(?:, ([\\d.]+))?\\)/);
               if (!m || (m[4] !== undefined && +m[4] === 0)) return false;
               const [r, g, b] = [+m[1], +m[2], +m[3]];
               return g > 90 && g > r * 1.6 && g > b * 1.6;
             });
           }) || /✓/.test(document.body.innerText)"""
    )
