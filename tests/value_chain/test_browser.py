"""The demo's egg chain on a phone, in real headless Chromium."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser_support import PHONE_VIEWPORT
from tests.conftest import code_uri
from traceapp import create_app
from traceapp.demo.chain import load_demo_chain
from traceapp.demo.data import load_demo_data
from traceapp.domain.issuance import issue_labels
from traceapp.domain.signing_keys import active_signer, key_store
from traceapp.models import Batch, Label

STEPS_SCRIPT = "items => items.map(i => i.dataset.step)"


@pytest.fixture
def on_phone(phone_page):
    """on_phone(url, inspect) opens `url` in a phone-sized Vietnamese Chromium page and
    returns inspect(page)."""

    def run(url, inspect):
        phone_page.goto(url)
        return inspect(phone_page)

    return run


@pytest.fixture
def live_egg_label(committed_engine, test_settings, serve) -> str:
    key_store(test_settings).generate()
    with Session(committed_engine, expire_on_commit=False) as session:
        summary = load_demo_data(session)
        load_demo_chain(session, summary)
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
        return (
            timeline.is_visible(),
            timeline.locator("li.chain-step").evaluate_all(STEPS_SCRIPT),
            "Siêu thị Co.opmart Cao Bằng" in timeline.inner_text(),
        )

    assert on_phone(live_egg_label, inspect) == (
        True,
        ["commissioning", "inspecting", "packing", "shipping", "receiving"],
        True,
    )


@pytest.mark.browser
def test_timeline_fits_a_phone_without_sideways_scrolling(live_egg_label, on_phone):
    width = on_phone(
        live_egg_label, lambda page: page.evaluate("document.documentElement.scrollWidth")
    )
    assert width <= PHONE_VIEWPORT["width"]
