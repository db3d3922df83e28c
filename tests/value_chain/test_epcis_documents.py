"""EPCIS 2.0 JSON-LD export and import: the official schema, a round trip through a
fresh database, and clear, all-or-nothing refusals."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.value_chain.conftest import epcis_schema_errors, make_chain
from tests.value_chain.test_recording import MORNING
from traceapp.db import make_engine
from traceapp.domain.batches import BatchDetails, create_batch
from traceapp.domain.registry import (
    CooperativeDetails,
    ProductDetails,
    register_cooperative,
    register_product,
)
from traceapp.domain.value_chain import (
    PartnerDetails,
    StepDetails,
    batch_timeline,
    export_batch,
    import_document,
    record_step,
    register_partner,
)
from traceapp.epcis import EPCIS_CONTEXT
from traceapp.errors import InvalidInput
from traceapp.models import Batch, ChainEvent, Union


def recorded_chain(session: Session):
    chain = make_chain(session)
    for details in [
        StepDetails("commissioning", at=MORNING),
        StepDetails("inspecting", at=MORNING),
        StepDetails("packing", at=MORNING, boxes=5, per_box=10),
        StepDetails("shipping", at=MORNING, partner_id=chain.supermarket.id, reference="PX-1"),
        StepDetails("receiving", at=MORNING, partner_id=chain.supermarket.id),
    ]:
        record_step(session, chain.batch.id, details, "test")
    return chain


@pytest.fixture
def exported(db_session):
    chain = recorded_chain(db_session)
    return chain, export_batch(db_session, chain.batch.id)


def same_batch_in(session: Session, batch: Batch, partner_names: list[str]) -> Batch:
    """Register in another instance the batch (same GTIN and lot) and partners."""
    union = Union(
        code="VN-CB-LMHTX", name="Liên minh Hợp tác xã tỉnh Cao Bằng", province="Cao Bằng"
    )
    session.add(union)
    session.flush()
    coop = batch.cooperative
    cooperative = register_cooperative(
        session,
        union,
        CooperativeDetails(
            name=coop.name,
            commune=coop.commune,
            province=coop.province,
            registration_number=coop.registration_number,
        ),
        "test",
    )
    product = register_product(
        session,
        cooperative,
        ProductDetails(
            name=batch.product.name,
            category=batch.product.category,
            unit=batch.product.unit,
            ref=batch.product.ref,
            gtin=batch.product.gtin,
        ),
        "test",
    )
    for name in partner_names:
        register_partner(session, PartnerDetails(name=name, role="supermarket"), "test")
    return create_batch(
        session,
        cooperative,
        BatchDetails(
            product_id=product.id,
            lot_code=batch.lot_code,
            quantity=batch.quantity,
            unit=batch.unit,
            produced_on=date(2026, 11, 25),
            best_before=None,
            origin_farm=None,
            origin_commune="xã Trường Hà",
            origin_province="Cao Bằng",
        ),
        "test",
    )


def test_export_is_a_valid_epcis_2_document(exported):
    _, document = exported
    assert epcis_schema_errors(document) == []


def test_export_has_the_epcis_2_header(exported):
    _, document = exported
    assert (
        document["@context"],
        document["type"],
        document["schemaVersion"],
        len(document["epcisBody"]["eventList"]),
    ) == (EPCIS_CONTEXT, "EPCISDocument", "2.0", 4 + 5)


def test_export_names_the_places_as_master_data(exported):
    chain, document = exported
    names = {
        element["attributes"][0]["attribute"]
        for vocabulary in document["epcisHeader"]["epcisMasterData"]["vocabularyList"]
        for element in vocabulary["vocabularyElementList"]
    }
    assert names == {chain.batch.cooperative.name, chain.supermarket.name}


def test_schema_shipped_with_the_tests_is_the_one_imports_are_checked_against():
    from tests.value_chain.conftest import SCHEMA_PATH
    from traceapp.epcis.documents import SCHEMA_PATH as PACKAGED

    assert SCHEMA_PATH.read_bytes() == PACKAGED.read_bytes()


def test_round_trip_through_a_fresh_instance_keeps_the_same_events(exported, fresh_database_url):
    chain, document = exported
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as session:
            twin = same_batch_in(session, chain.batch, [chain.supermarket.name])
            result = import_document(session, json.loads(json.dumps(document)), "test")
            again = export_batch(session, twin.id)
            session.commit()
    finally:
        engine.dispose()
    assert (result.stored, again["epcisBody"]["eventList"]) == (
        9,
        document["epcisBody"]["eventList"],
    )


def test_importing_the_same_document_twice_stores_its_events_once(db_session, exported):
    _, document = exported
    result = import_document(db_session, document, "test")
    assert (result.stored, result.skipped) == (0, 9)


def test_document_from_another_system_shows_on_the_batch_timeline(db_session, chain):
    gtin = chain.batch.product.gtin
    # An LGTIN class URN, as a partner's EPCIS repository would write it.
    lgtin = f"urn:epc:class:lgtin:{gtin[1:8]}.{gtin[0]}{gtin[8:13]}.{chain.batch.lot_code}"
    document = {
        "@context": EPCIS_CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-27T09:00:00Z",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": "2026-11-27T08:00:00+07:00",
                    "eventTimeZoneOffset": "+07:00",
                    "action": "OBSERVE",
                    "bizStep": "receiving",
                    "disposition": "in_progress",
                    "quantityList": [{"epcClass": lgtin, "quantity": 50}],
                    "readPoint": {"id": "urn:epc:id:sgln:8934567.00001.0"},
                }
            ]
        },
    }
    result = import_document(db_session, document, "test")
    steps = [e.step for e in batch_timeline(db_session, chain.batch.id)]
    assert (result.stored, steps) == (1, ["receiving"])


def invalid(document: dict, pointer: str, value) -> dict:
    broken = copy.deepcopy(document)
    *path, last = pointer.strip("/").split("/")
    target = broken
    for part in path:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[last] = value
    return broken


def count_events(session: Session) -> int:
    return session.scalar(select(func.count(ChainEvent.id)))


def test_invalid_document_is_refused_with_the_json_pointer_of_the_problem(db_session, exported):
    chain, document = exported
    foreign = copy.deepcopy(document)
    for event in foreign["epcisBody"]["eventList"]:
        event["eventID"] = f"urn:uuid:{uuid.uuid4()}"
    broken = invalid(foreign, "/epcisBody/eventList/3/action", "MOVE")
    before = count_events(db_session)
    with pytest.raises(InvalidInput) as refused:
        import_document(db_session, broken, "test")
    assert (refused.value.field, count_events(db_session)) == (
        "/epcisBody/eventList/3/action",
        before,
    )


def test_event_naming_no_known_batch_refuses_the_whole_document(db_session, exported):
    _, document = exported
    foreign = copy.deepcopy(document)
    for event in foreign["epcisBody"]["eventList"]:
        event["eventID"] = f"urn:uuid:{uuid.uuid4()}"
    foreign["epcisBody"]["eventList"][-1]["epcList"] = [
        "https://id.gs1.org/01/09506000134352/10/NOPE/21/1"
    ]
    before = count_events(db_session)
    with pytest.raises(InvalidInput, match="names no batch registered here") as refused:
        import_document(db_session, foreign, "test")
    assert (refused.value.field, count_events(db_session)) == (
        f"/epcisBody/eventList/{len(foreign['epcisBody']['eventList']) - 1}",
        before,
    )


def test_event_time_without_an_offset_is_refused(db_session, exported):
    _, document = exported
    broken = invalid(document, "/epcisBody/eventList/0/eventTime", "2026-11-26T07:30:00")
    with pytest.raises(InvalidInput) as refused:
        import_document(db_session, broken, "test")
    assert refused.value.field == "/epcisBody/eventList/0/eventTime"


def test_association_events_are_refused_as_unsupported(db_session, exported):
    _, document = exported
    broken = invalid(document, "/epcisBody/eventList/0/type", "TransactionEvent")
    broken["epcisBody"]["eventList"][0]["bizTransactionList"] = [
        {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:8934567000001:PO-1"}
    ]
    with pytest.raises(InvalidInput) as refused:
        import_document(db_session, broken, "test")
    assert refused.value.field == "/epcisBody/eventList/0/type"


def test_a_single_event_is_not_a_document(db_session, exported):
    _, document = exported
    with pytest.raises(InvalidInput) as refused:
        import_document(db_session, document["epcisBody"]["eventList"][0], "test")
    assert refused.value.field == "/type"
