"""Issue 13 item 1: an operator cannot write onto, or read, another cooperative's batch
through the batch ids a value-chain step names (the attacks as reported)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.console.world import MISSING_ID, bearer, sign_in_as
from traceapp.domain.value_chain import batch_timeline, export_batch
from traceapp.models import ChainEvent


def transforming(inputs):
    return {"step": "transforming", "inputs": inputs}


def events(connection) -> int:
    return connection.scalar(select(func.count()).select_from(ChainEvent))


def test_api_input_from_another_cooperative_is_refused_like_a_missing_batch(
    client, world, connection, db_session
):
    url = f"/api/v1/batches/{world.batch_a.id}/chain-events"
    headers = bearer(world, "operator_own")  # Bao Hung's operator
    foreign = client.post(
        url, headers=headers, json=transforming([{"batch_id": world.batch_b.id, "quantity": 1}])
    )
    missing = client.post(
        url, headers=headers, json=transforming([{"batch_id": MISSING_ID, "quantity": 1}])
    )
    assert (foreign.status_code, foreign.json["detail"]) == (
        missing.status_code,
        missing.json["detail"].replace(str(MISSING_ID), str(world.batch_b.id)),
    )
    assert events(connection) == 0
    # Nam Phong's batch says nothing about Bao Hung's lot, on its page or in its export.
    assert batch_timeline(db_session, world.batch_b.id) == []
    assert export_batch(db_session, world.batch_b.id)["epcisBody"]["eventList"] == []


def test_console_form_input_from_another_cooperative_stores_nothing(client, world, connection):
    sign_in_as(client, world.users["operator_own"])
    response = client.post(
        f"/console/chain/batches/{world.batch_a.id}/events",
        data={"step": "transforming", "inputs": f"{world.batch_b.id}:1"},
    )
    assert response.status_code == 422
    assert f"không có lô hàng khác số {world.batch_b.id}" in response.get_data(as_text=True)
    assert events(connection) == 0


def test_refused_quantity_does_not_name_another_cooperatives_draft(client, world):
    # The report: "900 l of lot SGGL-2611-J1" told a stranger a draft's lot and size.
    response = client.post(
        f"/api/v1/batches/{world.batch_a.id}/chain-events",
        headers=bearer(world, "operator_own"),
        json=transforming([{"batch_id": world.draft_b.id, "quantity": 2_000_000_000}]),
    )
    assert response.status_code == 422
    assert world.draft_b.lot_code not in response.json["detail"]
    assert str(world.draft_b.quantity) not in response.json["detail"]


def test_officer_may_name_any_cooperatives_batch_as_an_input(client, world, db_session):
    response = client.post(
        f"/api/v1/batches/{world.batch_a.id}/chain-events",
        headers=bearer(world, "union_officer"),
        json=transforming([{"batch_id": world.batch_b.id, "quantity": 1}]),
    )
    assert response.status_code == 201
    assert batch_timeline(db_session, world.batch_b.id)[0].outputs[0].lot == (
        world.batch_a.lot_code
    )
