"""What a person sees on a phone in real headless Chromium."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from keys.signing import new_serials
from tests.conftest import code_uri
from tests.factories import Factory
from traceapp import create_app
from traceapp.domain.issuance import issue_labels
from traceapp.domain.signing_keys import active_signer
from traceapp.models import Label

GREEN = "rgb(27, 127, 59)"
RED = "rgb(179, 38, 30)"


@pytest.fixture
def live(committed_engine, test_settings, keystore, serve):
    """A served app over committed data: one batch with two issued labels."""
    with Session(committed_engine, expire_on_commit=False) as session:
        batch = Factory(session).batch(certified=True)
        run = issue_labels(session, batch.id, 2, active_signer(test_settings), "test")
        labels = session.query(Label).filter_by(run_id=run.id).order_by(Label.sequence).all()
        uris = [code_uri(test_settings.public_base_url, batch, label) for label in labels]
        session.commit()
    base = serve(create_app(test_settings))
    return base, [uri.replace(test_settings.public_base_url, base) for uri in uris]


def verdict_banner(page):
    banner = page.locator("#verdict")
    heading = banner.locator("h1")
    return (
        heading.inner_text(),
        heading.is_visible(),
        banner.evaluate("e => getComputedStyle(e).backgroundColor"),
    )


@pytest.mark.browser
def test_phone_sees_a_green_genuine_verdict(live, phone_page):
    _, uris = live
    phone_page.goto(uris[0])
    text, visible, colour = verdict_banner(phone_page)
    assert ("Tem thật" in text, visible, colour) == (True, True, GREEN)


@pytest.mark.browser
def test_phone_sees_a_red_not_genuine_verdict_for_a_forged_code(live, phone_page):
    _, uris = live
    serial = uris[0].split("/21/")[1].split("?")[0]
    phone_page.goto(uris[0].replace(serial, new_serials(1)[0]))
    text, visible, colour = verdict_banner(phone_page)
    assert ("Không phải tem thật" in text, visible, colour) == (True, True, RED)


@pytest.mark.browser
def test_verdict_is_readable_without_javascript(live, chromium):
    _, uris = live
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="en-US"
    )
    page = context.new_page()
    page.goto(uris[0])
    assert page.locator("#verdict h1").inner_text().endswith("Genuine")
    context.close()


@pytest.mark.browser
def test_language_switch_turns_the_page_english(live, phone_page):
    _, uris = live
    phone_page.goto(uris[1])
    phone_page.get_by_role("link", name="English").click()
    assert phone_page.locator("#verdict h1").inner_text().endswith("Genuine")


@pytest.mark.browser
def test_page_fits_a_phone_without_sideways_scrolling(live, phone_page):
    _, uris = live
    phone_page.goto(uris[0])
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
