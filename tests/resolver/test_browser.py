"""From a printed code to each resolver target, in real headless Chromium."""

from __future__ import annotations

import dataclasses
import io

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy.orm import Session

from tests.factories import Factory
from traceapp.domain.issuance import issue_labels
from traceapp.domain.label_downloads import single_label
from traceapp.domain.signing_keys import active_signer
from traceapp.domain.where_to_buy import WhereToBuyDetails, add_link
from traceapp.models import WhereToBuyKind


@pytest.fixture
def printed(make_app, committed_engine, test_settings, keystore, serve):
    """A served app and the code read back from a rendered label of a certified batch."""
    with Session(committed_engine, expire_on_commit=False) as session:
        factory = Factory(session)
        batch = factory.batch(certified=True)
        add_link(
            session,
            batch.product,
            WhereToBuyDetails(
                WhereToBuyKind.ONLINE_MARKET,
                "Chợ online Cao Bằng",
                url="https://chocaobang.vn/bao-hung",
                languages=("vi",),
            ),
            "test",
        )
        run = issue_labels(session, batch.id, 1, active_signer(test_settings), "test")
        session.commit()
        gtin, lot = batch.product.gtin, batch.lot_code
    app = make_app(test_settings)
    base = serve(app)
    # The resolver's links are on the public base URL: this server's.
    app.extensions["traceapp.settings"] = dataclasses.replace(test_settings, public_base_url=base)
    with Session(committed_engine) as session:
        png = single_label(session, run.id, 1, base, "png")
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert code.text.startswith(f"{base}/01/{gtin}/10/{lot}/21/")
    return base, code.text, gtin, lot


def with_link_type(uri: str, link_type: str) -> str:
    return f"{uri}&linkType={link_type}"


@pytest.mark.browser
def test_printed_code_redirects_to_each_page(printed, phone_page):
    base, uri, gtin, lot = printed
    phone_page.goto(with_link_type(uri, "gs1:verificationService"))
    assert phone_page.url == uri  # the 8030 signature survived the redirect
    assert phone_page.locator("#verdict").get_attribute("data-verdict") == "genuine"

    phone_page.goto(with_link_type(uri, "gs1:pip"))
    assert phone_page.url.split("?")[0] == f"{base}/01/{gtin}"
    assert phone_page.locator("#passport").get_attribute("data-level") == "product"

    phone_page.goto(with_link_type(uri, "gs1:traceability"))
    assert phone_page.url.split("?")[0] == f"{base}/01/{gtin}/10/{lot}"
    assert phone_page.locator("#passport").get_attribute("data-level") == "batch"

    phone_page.goto(with_link_type(uri, "gs1:certificationInfo"))
    assert phone_page.url.endswith("#certifications")
    assert phone_page.locator("#certifications").is_visible()


@pytest.mark.browser
def test_printed_code_redirects_to_each_document(printed, phone_page):
    base, uri, gtin, lot = printed
    phone_page.goto(f"{base}/01/{gtin}")  # same origin for the page's fetches
    fetched = {
        link_type: phone_page.evaluate(
            "url => fetch(url).then(r => [r.url, r.status, r.headers.get('content-type')])",
            with_link_type(uri, link_type),
        )
        for link_type in ("gs1:epcis", "gs1:dpp", "gs1:productPassport", "linkset")
    }
    assert fetched["gs1:epcis"][0].startswith(f"{base}/epcis/01/{gtin}/10/{lot}?8030=")
    assert fetched["gs1:epcis"][1:] == [200, "application/ld+json"]
    for passport in ("gs1:dpp", "gs1:productPassport"):  # GS1's link type and its alias
        assert fetched[passport][0].startswith(f"{base}/passport/01/{gtin}/10/{lot}")
        assert fetched[passport][1:] == [200, "application/ld+json"]
    assert fetched["linkset"][1:] == [200, "application/linkset+json"]


@pytest.mark.browser
def test_printed_code_sends_a_shopper_to_the_online_market(printed, phone_page):
    _, uri, _, _ = printed
    response = phone_page.request.get(with_link_type(uri, "gs1:hasRetailers"), max_redirects=0)
    assert response.status == 307
    # The shop's site gets the visit, not the label's signature (docs/resolver.md).
    assert response.headers["location"] == "https://chocaobang.vn/bao-hung"
