"""Recording a batch's steps as GS1 EPCIS 2.0 events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from traceapp.domain.value_chain import (
    PartnerDetails,
    StepDetails,
    batch_timeline,
    box_contents,
    record_step,
    register_partner,
)
from traceapp.epcis import parse_box_uri
from traceapp.errors import Conflict, InvalidInput
from traceapp.models import AuditEntry

VN = timezone(timedelta(hours=7))
MORNING = datetime(2026, 11, 26, 7, 30, tzinfo=VN)


def record(session, batch, step, **fields):
    events = record_step(
        session,
        batch.id,
        StepDetails(step, at=fields.pop("at", MORNING), **fields),
        "test",
    )
    return [json.loads(e.document) for e in events]


def test_commissioning_names_the_batch_by_its_gs1_digital_link_class(db_session, chain):
    [event] = record(db_session, chain.batch, "commissioning")
    gtin = chain.batch.product.gtin
    assert (event["type"], event["action"], event["bizStep"], event["quantityList"]) == (
        "ObjectEvent",
        "ADD",
        "commissioning",
        [{"epcClass": f"https://id.gs1.org/01/{gtin}/10/{chain.batch.lot_code}", "quantity": 1000}],
    )


def test_event_time_carries_the_vietnamese_offset(db_session, chain):
    [event] = record(db_session, chain.batch, "commissioning")
    assert (event["eventTime"], event["eventTimeZoneOffset"]) == (
        "2026-11-26T07:30:00.000+07:00",
        "+07:00",
    )


def test_commissioning_twice_is_refused(db_session, chain):
    record(db_session, chain.batch, "commissioning")
    with pytest.raises(Conflict):
        record(db_session, chain.batch, "commissioning")


def test_packing_makes_one_aggregation_per_box_with_its_own_id(db_session, chain):
    events = record(db_session, chain.batch, "packing", boxes=100, per_box=10)
    parents = {e["parentID"] for e in events}
    assert (len(events), len(parents), events[6]["childQuantityList"][0]["quantity"]) == (
        100,
        100,
        10,
    )


def test_packing_more_than_the_batch_holds_is_refused(db_session, chain):
    record(db_session, chain.batch, "packing", boxes=60, per_box=10)
    with pytest.raises(InvalidInput, match="unpacked"):
        record(db_session, chain.batch, "packing", boxes=41, per_box=10)


def test_box_label_points_to_its_content_and_status(db_session, chain):
    events = record(db_session, chain.batch, "packing", boxes=3, per_box=10)
    contents = box_contents(db_session, parse_box_uri(events[1]["parentID"]))
    assert (contents.number, contents.items, contents.batch.id, contents.batch.status) == (
        2,
        10,
        chain.batch.id,
        "certified",
    )


def test_shipping_names_the_partner_as_destination(db_session, chain):
    record(db_session, chain.batch, "packing", boxes=2, per_box=10)
    [event] = record(
        db_session, chain.batch, "shipping", partner_id=chain.supermarket.id, reference="PX 0001"
    )
    assert (
        event["disposition"],
        event["destinationList"][0]["destination"],
        len(event["epcList"]),
        event["bizTransactionList"][0]["type"],
    ) == (
        "in_transit",
        f"urn:traceapp:partner:sieu-thi-co-opmart-cao-bang-{chain.batch.id}",
        2,
        "desadv",
    )


def test_receiving_needs_an_earlier_shipping_to_that_partner(db_session, chain):
    with pytest.raises(Conflict, match="never shipped"):
        record(db_session, chain.batch, "receiving", partner_id=chain.supermarket.id)


def test_transformation_links_input_and_output_batches(db_session, chain, factory):
    juice = factory.batch(quantity=300)
    [event] = record(
        db_session,
        juice,
        "transforming",
        partner_id=chain.exporter.id,
        inputs=((chain.batch.id, 900),),
    )
    [entry] = batch_timeline(db_session, juice.id)
    assert (
        event["type"],
        event["inputQuantityList"][0]["quantity"],
        [b.batch_id for b in entry.inputs],
        entry.inputs[0].certifications != (),
    ) == ("TransformationEvent", 900, [chain.batch.id], True)


def test_input_batch_timeline_says_what_it_became(db_session, chain, factory):
    juice = factory.batch(quantity=300)
    record(db_session, juice, "transforming", inputs=((chain.batch.id, 900),))
    [entry] = batch_timeline(db_session, chain.batch.id)
    assert [b.batch_id for b in entry.outputs] == [juice.id]


def test_unknown_step_is_refused(db_session, chain):
    with pytest.raises(InvalidInput, match="step must be one of"):
        record(db_session, chain.batch, "teleporting")


def test_every_step_is_in_the_audit_log(db_session, chain):
    record(db_session, chain.batch, "inspecting")
    entry = db_session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
    assert (entry.action, entry.subject_id) == ("chain.inspecting", str(chain.batch.id))


def test_partner_with_a_bad_gln_is_refused(db_session):
    with pytest.raises(InvalidInput, match="GLN"):
        register_partner(
            db_session,
            PartnerDetails("Khách sạn Max Boutique", "hotel", gln="8930000000011"),
            "test",
        )


def test_partner_role_must_be_known(db_session):
    with pytest.raises(InvalidInput, match="role"):
        register_partner(db_session, PartnerDetails("Chợ Xanh", "market"), "test")


def test_timeline_shows_packing_of_many_boxes_as_one_step(db_session, chain):
    record(db_session, chain.batch, "commissioning")
    record(
        db_session, chain.batch, "packing", at=MORNING + timedelta(hours=2), boxes=100, per_box=10
    )
    steps = [(e.step, len(e.boxes)) for e in batch_timeline(db_session, chain.batch.id)]
    assert steps == [("commissioning", 0), ("packing", 100)]
