"""The digital product passport on the public pages, as JSON-LD (checked with a JSON-LD
processor) and in the portal export; where to buy under a genuine verdict only."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import Image
from pyld import jsonld

from tests.resolver.conftest import page_weight
from traceapp.domain.portal_export import CSV_COLUMNS
from traceapp.domain.product_images import MAX_BYTES, store_product_image
from traceapp.domain.value_chain import StepDetails, record_step
from traceapp.domain.voiding import void_label

BASE = "https://trace.example.vn"
OWN = f"{BASE}/passport/vocab#"  # the passport's own terms (docs/passport.md)
EPCIS_NS = "https://ref.gs1.org/epcis/"
XSD_DATE_TIME = "http://www.w3.org/2001/XMLSchema#dateTime"
MORNING = datetime(2026, 11, 26, 7, 30, tzinfo=timezone(timedelta(hours=7)))
EN = {"Accept-Language": "en"}
PAGE_BUDGET = 50 * 1024


def test_genuine_page_shows_where_to_buy_under_the_verdict(labelled, client):
    page = client.get(labelled.path(0), headers=EN).get_data(as_text=True)
    assert 'id="where-to-buy"' in page
    assert page.index('id="verdict"') < page.index('id="where-to-buy"')
    for name in ("Chợ online Cao Bằng", "Co.opmart Cao Bằng", "Khách sạn Max Boutique"):
        assert name in page
    assert "Tiếng Việt, English, Français" in page


def test_json_twin_lists_where_to_buy_for_a_genuine_label(labelled, client):
    document = client.get(labelled.path(0), headers={"Accept": "application/json"}).get_json()
    assert [shop["kind"] for shop in document["where_to_buy"]] == [
        "online_market",
        "supermarket_chain",
        "hotel_or_restaurant",
    ]
    assert document["where_to_buy"][1]["languages"] == ["vi", "en"]


def test_voided_label_shows_no_where_to_buy(labelled, db_session, client):
    void_label(db_session, labelled.batch.id, labelled.labels[1].serial, "hỏng tem", "test")
    db_session.flush()
    path = labelled.path(1)
    page = client.get(path, headers=EN).get_data(as_text=True)
    assert 'data-verdict="voided"' in page
    assert 'id="where-to-buy"' not in page
    document = client.get(path, headers={"Accept": "application/json"}).get_json()
    assert document["where_to_buy"] == []


def test_genuine_page_shows_every_passport_field(labelled, client):
    batch, product = labelled.batch, labelled.batch.product
    page = client.get(labelled.path(0), headers=EN).get_data(as_text=True)
    for expected in (
        product.name,
        product.gtin,
        batch.cooperative.name,
        batch.cooperative.commune,
        batch.cooperative.registration_number,
        batch.origin_commune,
        batch.lot_code,
        labelled.labels[0].serial,
        "Produced on",
        "Best before",
        "Shelf life",
        "Certifications",
        "History",
        product.safety_warnings,
    ):
        assert expected in page, expected
    assert 'loading="lazy"' in page


def test_page_stays_in_its_weight_budget_and_the_image_in_its_own(labelled, client):
    weight = page_weight(client, labelled.path(0), headers=EN)
    assert weight.css > 0 and weight.js > 0  # the stylesheets and the script are counted
    assert weight.page < PAGE_BUDGET
    assert 0 < weight.image <= MAX_BYTES
    html = client.get(labelled.path(0), headers=EN).get_data(as_text=True)
    image = client.get(html.split('class="product-image" src="')[1].split('"')[0])
    assert image.mimetype == "image/jpeg"


def test_a_photo_is_drawn_at_its_own_proportions(labelled, client, db_session):
    wide = io.BytesIO()
    Image.new("RGB", (1200, 400), (222, 196, 120)).save(wide, "PNG")
    store_product_image(db_session, labelled.batch.product, wide.getvalue(), "test")
    db_session.flush()
    batch, product = labelled.batch, labelled.batch.product
    for path in (labelled.path(0), f"/01/{product.gtin}/10/{batch.lot_code}"):
        html = client.get(path, headers=EN).get_data(as_text=True)
        tag = html.split('<img class="product-image"')[1].split(">")[0]
        width = int(tag.split('width="')[1].split('"')[0])
        height = int(tag.split('height="')[1].split('"')[0])
        assert (width, height) == (240, 80), path


def test_image_is_served_for_caching_and_revalidation(labelled, client):
    html = client.get(labelled.path(0), headers=EN).get_data(as_text=True)
    image_path = html.split('class="product-image" src="')[1].split('"')[0]
    first = client.get(image_path)
    assert "immutable" in first.headers["Cache-Control"]
    assert "max-age=31536000" in first.headers["Cache-Control"]
    again = client.get(image_path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_an_outdated_image_name_is_not_found(labelled, client):
    product_id = labelled.batch.product.id
    assert client.get(f"/media/products/{product_id}/0000000000000000.jpg").status_code == 404


def test_batch_page_shows_every_mandatory_field_in_three_languages(labelled, client):
    batch, product = labelled.batch, labelled.batch.product
    path = f"/01/{product.gtin}/10/{batch.lot_code}"
    serials = sorted(label.serial for label in labelled.labels)
    headings = {"vi": "Nơi mua", "en": "Where to buy", "fr": "Où acheter"}
    for language, heading in headings.items():
        page = client.get(f"{path}?lang={language}").get_data(as_text=True)
        assert heading in page, language
        for expected in (
            product.name,
            product.gtin,
            product.safety_warnings,
            batch.cooperative.registration_number,
            batch.lot_code,
            f"{serials[0]} – {serials[-1]}",
            'id="certifications"',
            'id="traceability"',
        ):
            assert expected in page, (language, expected)


def test_passport_round_trips_through_json_ld_expansion(labelled, client, db_session):
    batch, product = labelled.batch, labelled.batch.product
    recorded = [
        event.event_id
        for hour, step in enumerate(("commissioning", "packing"))
        for event in record_step(
            db_session,
            batch.id,
            StepDetails(step, at=MORNING + timedelta(hours=hour), boxes=2, per_box=10),
            "test",
        )
    ]
    db_session.flush()
    response = client.get(f"/01/{product.gtin}/10/{batch.lot_code}?linkType=gs1:dpp")
    assert response.status_code == 307
    target = response.headers["Location"].removeprefix(BASE)
    document = client.get(target).get_json(force=True)
    expanded = jsonld.expand(document)
    compacted = jsonld.compact(expanded, {"@context": document["@context"]})
    assert jsonld.expand(compacted) == expanded
    node = expanded[0]
    assert node["@id"] == f"{BASE}/01/{product.gtin}/10/{batch.lot_code}"
    assert node["https://gs1.org/voc/gtin"][0]["@value"] == product.gtin
    for term in (
        "https://gs1.org/voc/productName",
        "https://gs1.org/voc/manufacturer",
        "https://gs1.org/voc/consumerSafetyInformation",
        "https://gs1.org/voc/certification",
        "https://gs1.org/voc/bestBeforeDate",
        "https://schema.org/productionDate",
        "https://schema.org/image",
        "https://gs1.org/voc/epcis",
        "https://gs1.org/voc/dpp",
    ):
        assert term in node, term
    # The EPCIS events, expanded: the ones recorded, in time order, each with its type,
    # time and business step.
    [events] = node[f"{OWN}traceabilityEvent"]
    assert sorted(event["@id"] for event in events["@list"]) == sorted(recorded)
    times = [event["https://ref.gs1.org/epcis/eventTime"][0]["@value"] for event in events["@list"]]
    assert times == sorted(times)
    for event in events["@list"]:
        assert event["https://ref.gs1.org/epcis/eventType"][0]["@id"].endswith("Event")
        assert event["https://ref.gs1.org/epcis/eventTime"][0]["@type"] == XSD_DATE_TIME
        assert event["https://ref.gs1.org/epcis/bizStep"][0]["@id"].startswith(
            "https://ref.gs1.org/cbv/BizStep-"
        )
    epcis = client.get(node["https://gs1.org/voc/epcis"][0]["@id"].removeprefix(BASE))
    assert set(recorded) <= {
        event["eventID"] for event in epcis.get_json(force=True)["epcisBody"]["eventList"]
    }


def test_passport_coins_terms_only_in_its_own_vocabulary(labelled, client):
    batch, product = labelled.batch, labelled.batch.product
    document = client.get(f"/passport/01/{product.gtin}/10/{batch.lot_code}").get_json(force=True)
    used = {predicate for predicate in _predicates(jsonld.expand(document))}
    assert not [iri for iri in used if iri.startswith("https://ref.gs1.org/voc/")]
    own = {iri for iri in used if iri.startswith(OWN)}
    assert own >= {f"{OWN}shelfLifeDays", f"{OWN}serialsIssued", f"{OWN}batchStatus"}
    assert used - own <= {
        iri
        for iri in used
        if iri.startswith(("https://gs1.org/voc/", "https://schema.org/", EPCIS_NS))
    }
    # The vocabulary's own address says what each of them means.
    vocabulary = client.get("/passport/vocab")
    assert vocabulary.mimetype == "application/ld+json"
    defined = {
        node["@id"]: node
        for node in jsonld.expand(vocabulary.get_json(force=True))
        if "@type" in node
    }
    for iri in own:
        assert defined[iri]["@type"] == ["http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"]
        assert defined[iri]["http://www.w3.org/2000/01/rdf-schema#comment"][0]["@value"]


def _predicates(nodes) -> set[str]:
    found: set[str] = set()
    for node in nodes if isinstance(nodes, list) else [nodes]:
        if isinstance(node, dict):
            for key, value in node.items():
                if not key.startswith("@"):
                    found.add(key)
                found |= _predicates(value)
    return found


def test_ld_json_accept_on_the_printed_code_gives_the_batch_passport(labelled, client):
    response = client.get(labelled.path(0), headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    assert response.get_json(force=True)["lot"] == labelled.batch.lot_code


def test_portal_export_writes_json_and_csv(run_cli, committed_engine, keystore, tmp_path):
    assert run_cli("demo").exit_code == 0
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from traceapp.demo.data import BAO_HUNG_LOT
    from traceapp.models import Batch

    with Session(committed_engine) as session:
        batch_id = session.scalar(select(Batch.id).where(Batch.lot_code == BAO_HUNG_LOT))
    issued = run_cli("issue", str(batch_id), "--count", "3")
    assert issued.exit_code == 0, issued.output
    result = run_cli("export", "portal", "--batch", str(batch_id), "--out-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / f"portal-batch-{batch_id}.json").read_text(encoding="utf-8"))
    assert record["product"]["gtin"] == "08936001000010"
    assert record["producer"]["producer_identifier"] == "CB-4801000123"
    assert record["batch"]["shelf_life_days"] == 28
    assert record["product"]["safety_warnings"]
    assert len(record["serials"]) == record["serials_issued"] >= 3  # the demo's and these
    rows = list(
        csv.DictReader(io.StringIO((tmp_path / f"portal-batch-{batch_id}.csv").read_text()))
    )
    assert len(rows) == len(record["serials"])
    assert {row["lot"] for row in rows} == {BAO_HUNG_LOT}
    assert all(row["serial"] and row["expiry_date"] for row in rows)


def test_docs_list_the_csv_columns_in_the_order_the_export_writes_them():
    text = (Path(__file__).parents[2] / "docs" / "passport.md").read_text(encoding="utf-8")
    paragraph = text.split("**CSV**:")[1].split("Then **one row per")[0]
    listed = re.findall(r"`([a-z_]+)`", paragraph.split("):", 1)[1])
    assert tuple(listed) == CSV_COLUMNS


def test_portal_export_of_an_unknown_batch_is_a_clear_error(run_cli, tmp_path):
    result = run_cli("export", "portal", "--batch", "999999", "--out-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "no batch 999999" in result.output


def test_passport_check_names_what_a_batch_lacks(run_cli, committed_engine):
    from sqlalchemy.orm import Session

    from tests.factories import Factory

    with Session(committed_engine) as session:
        factory = Factory(session)
        bare = factory.batch(factory.product(with_image=False, safety_warnings=None))
        complete = factory.batch(certified=True)
        session.commit()
        bare_id, complete_id = bare.id, complete.id
    refused = run_cli("passport", "check", "--batch", str(bare_id))
    assert refused.exit_code == 2
    assert "product_image" in refused.output and "safety_warnings" in refused.output
    assert "certificates" in refused.output
    fine = run_cli("passport", "check", "--batch", str(complete_id))
    assert fine.exit_code == 0, fine.output
