"""The demo's egg chain on a phone, in real headless Chromium.

Playwright's sync API allows one instance per thread and the verification tests keep
theirs open for the whole session, so these run their own Chromium in a thread.
"""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT, REQUIRE_BROWSER_ENV
from tests.verification.conftest import code_uri
from traceapp import create_app
from traceapp.demo_chain import load_demo_chain
from traceapp.demo_data import load_demo_data
from traceapp.domain.issuance import issue_labels
from traceapp.models import Batch, Label
from traceapp.signing_keys import active_signer, key_store

STEPS_SCRIPT = "items => items.map(i => i.dataset.step)"


@pytest.fixture
def on_phone():
    """on_phone(url, inspect) opens `url` in a phone-sized Vietnamese Chromium page and
    returns inspect(page), run in a thread of its own."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
            pytest.fail(f"{REQUIRE_BROWSER_ENV}=1 but {message}", pytrace=False)
        pytest.skip(message)

    def run(url, inspect):
        outcome: dict = {}

        def target():
            from playwright.sync_api import sync_playwright

            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                         args=CHROMIUM_ARGS)
                    try:
                        context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True,
                                                      has_touch=True, locale="vi-VN")
                        page = context.new_page()
                        page.goto(url)
                        outcome["value"] = inspect(page)
                    finally:
                        browser.close()
            except BaseException as exc:  # handed back to the test's thread
                outcome["error"] = exc

        thread = threading.Thread(target=target)
        thread.start()
        thread.join(timeout=120)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return run


@pytest.fixture
def live_egg_label(committed_engine, test_settings, serve) -> str:
    key_store(test_settings).generate()
    with Session(committed_engine, expire_on_commit=False) as session:
        summary = load_demo_data(session)
        load_demo_chain(session, summary, test_settings.public_base_url)
        batch = session.get(Batch, summary.bao_hung_batch_id)
        run = issue_labels(session, batch.id, 1, active_signer(test_settings), "test")
        label = session.scalar(select(Label).where(Label.run_id == run.id))
        uri = code_uri(test_settings.public_base_url, batch, label)
        session.commit()
    base = serve(create_app(test_settings))
    return uri.replace(test_settings.public_base_url, base)


@pytest.mark.browser
def test_phone_sees_the_egg_chain_from_farm_to_supermarket(live_egg_label, on_phone):
    def inspect(page):
        timeline = page.locator("#value-chain")
        return (timeline.is_visible(),
                timeline.locator("li.chain-step").evaluate_all(STEPS_SCRIPT),
                "Siêu thị Co.opmart Cao Bằng" in timeline.inner_text())

    assert on_phone(live_egg_label, inspect) == (
        True, ["commissioning", "inspecting", "packing", "shipping", "receiving"], True)


@pytest.mark.browser
def test_timeline_fits_a_phone_without_sideways_scrolling(live_egg_label, on_phone):
    width = on_phone(live_egg_label,
                     lambda page: page.evaluate("document.documentElement.scrollWidth"))
    assert width <= PHONE_VIEWPORT["width"]
