"""Value-chain events hold identifiers, never the service's address (issue 14 item 9):
the page builds addresses and names places when it is rendered, so moving the service
to another base URL changes nothing stored and nothing shown goes stale."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.value_chain.conftest import epcis_schema_errors
from traceapp import schema
from traceapp.db import make_engine
from traceapp.domain.audit_verification import verify_records
from traceapp.domain.value_chain import StepDetails, export_batch, record_step
from traceapp.models import ChainEvent

# The README's phone recipe serves the demo on the computer's LAN address.
PHONE_BASE = "http://192.168.1.20:5000"
BOX = "/chain/box/08936001000010/BH-2611-01/7"


@pytest.fixture
def test_settings(test_settings):
    return dataclasses.replace(test_settings, public_base_url=PHONE_BASE)


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    return []


def stored_addresses(session) -> list[str]:
    """Every http(s) address in stored events that is not a GS1 identifier."""
    return [
        text
        for document in session.scalars(select(ChainEvent.document))
        for text in strings(json.loads(document))
        if text.startswith(("http://", "https://")) and not text.startswith("https://id.gs1.org/")
    ]


def test_every_step_stores_identifiers_not_addresses(db_session, chain, factory):
    product = factory.product(chain.batch.cooperative)
    product.gtin = None  # a product without a GTIN is named by its reference
    juice = factory.batch(product, quantity=50)
    for step in [
        StepDetails("commissioning"),
        StepDetails("inspecting"),
        StepDetails("packing", boxes=2, per_box=10),
        StepDetails("shipping", partner_id=chain.supermarket.id, reference="PX 0001"),
        StepDetails("receiving", partner_id=chain.supermarket.id, reference="PN-1"),
    ]:
        record_step(db_session, chain.batch.id, step, "test")
    record_step(
        db_session, juice.id, StepDetails("transforming", inputs=((chain.batch.id, 5),)), "test"
    )
    assert stored_addresses(db_session) == []


def test_export_of_identifiers_is_valid_epcis(db_session, chain):
    record_step(db_session, chain.batch.id, StepDetails("packing", boxes=2, per_box=10), "test")
    record_step(
        db_session,
        chain.batch.id,
        StepDetails("shipping", partner_id=chain.supermarket.id, reference="PX 0001"),
        "test",
    )
    assert epcis_schema_errors(export_batch(db_session, chain.batch.id)) == []


def test_page_names_places_and_links_boxes_at_todays_address(client, demo):
    html = client.get(BOX).get_data(as_text=True)
    places = re.findall(r'<div class="chain-meta">(?:Tại|At|À) ([^<]*)</div>', html)
    first_box = re.search(r'<a href="([^"]+)">[^<]*</a></div>', html)
    assert (set(places), first_box[1]) == (
        {"Hợp tác xã Bảo Hưng", "Siêu thị Co.opmart Cao Bằng"},
        f"{PHONE_BASE}/chain/box/08936001000010/BH-2611-01/1",
    )


def test_rerunning_the_demo_under_another_address_changes_nothing_stored(
    run_cli, test_settings, committed_engine
):
    first = run_cli("demo")
    with committed_engine.connect() as connection:
        before = connection.execute(select(ChainEvent.event_id, ChainEvent.document)).all()
    again = run_cli(
        "demo",
        settings=dataclasses.replace(test_settings, public_base_url="https://trace.caobang.vn"),
    )
    with committed_engine.connect() as connection:
        after = connection.execute(select(ChainEvent.event_id, ChainEvent.document)).all()
    assert (first.exit_code, again.exit_code, len(before) > 0, after) == (0, 0, True, before)
    assert not any(PHONE_BASE in document for _, document in before)


def test_migration_turns_stored_addresses_into_identifiers_and_logs_them(empty_database_url):
    # An event stored before the trust-fact baseline (0008) and the rewrite (0009).
    schema.upgrade(empty_database_url, "0006_verification_speed")
    old = "http://127.0.0.1:5000"
    document = {
        "type": "ObjectEvent",
        "eventID": "urn:uuid:5d1c3f1e-6a8b-4a43-9a7c-1f0e3a2b9c10",
        "epcList": [f"{old}/chain/box/08936001000010/BH-2611-01/7"],
        "quantityList": [{"epcClass": f"{old}/p/TG-PASSION/10/TG-2611-07", "quantity": 3}],
        "readPoint": {"id": f"{old}/chain/cooperatives/CB-4801000123"},
        "destinationList": [
            {"type": "owning_party", "destination": f"{old}/chain/partners/sieu-thi-co-opmart"},
            {"type": "owning_party", "destination": "https://id.gs1.org/414/8936001000019"},
        ],
        "bizTransactionList": [{"type": "desadv", "bizTransaction": f"{old}/chain/documents/PX-1"}],
    }
    engine = make_engine(empty_database_url)
    events = sa.table(
        "chain_events",
        *(sa.column(c) for c in ("event_id", "event_type", "biz_step", "event_time", "document")),
        sa.column("recorded_at"),
    )
    with engine.begin() as connection:
        connection.execute(
            events.insert().values(
                event_id=document["eventID"],
                event_type="ObjectEvent",
                biz_step="shipping",
                event_time=datetime(2026, 11, 26, 7, tzinfo=UTC),
                document=json.dumps(document),
                recorded_at=datetime(2026, 11, 26, 7, tzinfo=UTC),
            )
        )
    schema.upgrade(empty_database_url)
    with engine.connect() as connection:
        stored = json.loads(connection.scalar(sa.text("SELECT document FROM chain_events")))
    with Session(engine) as session:
        report = verify_records(session, None, labels=False)
    engine.dispose()
    assert [str(f) for f in report.findings] == []
    assert (
        stored["epcList"],
        stored["quantityList"][0]["epcClass"],
        stored["readPoint"]["id"],
        [d["destination"] for d in stored["destinationList"]],
        stored["bizTransactionList"][0]["bizTransaction"],
        stored["eventID"],
    ) == (
        ["urn:traceapp:box:08936001000010:BH-2611-01:7"],
        "urn:traceapp:class:TG-PASSION:TG-2611-07",
        "urn:traceapp:cooperative:CB-4801000123",
        ["urn:traceapp:partner:sieu-thi-co-opmart", "https://id.gs1.org/414/8936001000019"],
        "urn:traceapp:document:PX-1",
        document["eventID"],
    )
