"""The demo's products carry every passport field, a photo and where to buy them, and
its public pages show them in Vietnamese, English and French."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import code_uri
from tests.resolver.conftest import page_weight
from traceapp.clock import today_local
from traceapp.demo.data import load_demo_data
from traceapp.domain.issuance import issue_labels
from traceapp.domain.passport import missing_passport_fields
from traceapp.domain.signing_keys import active_signer
from traceapp.models import Batch, BatchStatus, Label

WORDS = {
    "vi": ("Nơi mua", "Chợ trực tuyến", "Siêu thị", "Khách sạn, nhà hàng", "Cảnh báo an toàn"),
    "en": (
        "Where to buy",
        "Online market",
        "Supermarket",
        "Hotel or restaurant",
        "Safety warnings",
    ),
    "fr": ("Où acheter", "Marché en ligne", "Supermarché", "Hôtel ou restaurant", "Avertissements"),
}


@pytest.fixture
def demo_code(db_session, test_settings, keystore):
    summary = load_demo_data(db_session)
    run = issue_labels(
        db_session, summary.bao_hung_batch_id, 1, active_signer(test_settings), "test"
    )
    label = db_session.scalars(select(Label).where(Label.run_id == run.id)).one()
    batch = db_session.get(Batch, summary.bao_hung_batch_id)
    uri = code_uri(test_settings.public_base_url, batch, label)
    db_session.commit()
    return uri[uri.index("/", len("https://")) :], batch


def test_every_certified_demo_batch_has_a_complete_passport(db_session):
    load_demo_data(db_session)
    batches = db_session.scalars(select(Batch).where(Batch.status == BatchStatus.CERTIFIED)).all()
    assert len(batches) >= 4
    for batch in batches:
        assert missing_passport_fields(db_session, batch, today_local()) == [], batch.lot_code


@pytest.mark.parametrize("language", ["vi", "en", "fr"])
def test_demo_page_shows_where_to_buy_and_the_passport(demo_code, client, language):
    path, batch = demo_code
    page = client.get(f"{path}&lang={language}").get_data(as_text=True)
    assert 'data-verdict="genuine"' in page
    for word in WORDS[language]:
        assert word in page, (language, word)
    for place in ("Chợ online Cao Bằng", "Co.opmart Cao Bằng", "Khách sạn Max Boutique Cao Bằng"):
        assert place in page
    assert "CB-4801000123" in page  # the producer's registration number
    assert 'class="product-image"' in page


def test_demo_page_weight(demo_code, client):
    """The demo's public pages within their budgets: under 50 KB with every stylesheet
    and script, and a lazy photo of at most 30 KB. Run with -s for the figures
    (README "Performance")."""
    path, batch = demo_code
    gtin = batch.product.gtin
    pages = {
        "verification page": path,
        "batch page": f"/01/{gtin}/10/{batch.lot_code}",
        "product page": f"/01/{gtin}",
    }
    print()
    for name, page_path in pages.items():
        for language in ("vi", "en", "fr"):
            weight = page_weight(
                client, f"{page_path}{'&' if '?' in page_path else '?'}lang={language}"
            )
            print(
                f"{name} ({language}): HTML {weight.html / 1024:.1f} KB + CSS "
                f"{weight.css / 1024:.1f} KB + JS {weight.js / 1024:.1f} KB = "
                f"{weight.page / 1024:.1f} KB; lazy photo {weight.image / 1024:.1f} KB"
            )
            assert weight.page < 50 * 1024, (name, language)
            assert 0 < weight.image <= 30 * 1024, (name, language)
