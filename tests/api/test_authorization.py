"""Who may call which API operation: a (role, route) -> status matrix.

Anonymous calls get 401; the operator of another cooperative gets 404 for Bao
Hung's batch and runs. Every rule of the API (`api.*`, the value chain's included)
must have an entry here.
"""

from __future__ import annotations

import pytest

from tests.console.world import (
    IdFieldCase,
    RouteCase,
    answers_alike,
    bearer,
    fill_rule,
    id_field_matrix,
    may_see,
    named_batch,
    path_batch,
    role_matrix,
    sign_in_as,
    stored_state,
)
from tests.console.world import batch_id_or_missing as batch_id
from tests.console.world import cooperative_id_or_missing as cooperative_id
from tests.console.world import product_id_or_missing as product_id

# Columns: anonymous, union_officer, operator_own, operator_other, inspector.
READ_ALL = (401, 200, 200, 200, 200)
SCOPED_READ = (401, 200, 200, 404, 200)
ISSUERS_READ = (401, 200, 200, 404, 403)
OFFICER_WRITE = (401, 422, 403, 403, 403)
INSPECTORS = (401, 200, 403, 403, 200)


CASES = [
    RouteCase("api.openapi", "GET", lambda w: "/api/v1/openapi.json", (200,) * 5),
    RouteCase("api.list_batches_view", "GET", lambda w: "/api/v1/batches", READ_ALL),
    RouteCase(
        "api.create_batch_view", "POST", lambda w: "/api/v1/batches", (401, 422, 422, 422, 403), {}
    ),
    RouteCase("api.batch", "GET", lambda w: f"/api/v1/batches/{w.batch_a.id}", SCOPED_READ),
    RouteCase(
        "api.certifications",
        "GET",
        lambda w: f"/api/v1/batches/{w.batch_a.id}/certifications",
        SCOPED_READ,
    ),
    RouteCase(
        "api.create_certification",
        "POST",
        lambda w: f"/api/v1/batches/{w.batch_a.id}/certifications",
        OFFICER_WRITE,
        {},
    ),
    RouteCase(
        "api.certify",
        "POST",
        lambda w: f"/api/v1/batches/{w.batch_a.id}/certify",
        (401, 200, 403, 403, 403),
    ),
    RouteCase(
        "api.recall", "POST", lambda w: f"/api/v1/batches/{w.batch_a.id}/recall", OFFICER_WRITE, {}
    ),
    RouteCase(
        "api.issuance",
        "POST",
        lambda w: f"/api/v1/batches/{w.batch_a.id}/issuance",
        (401, 422, 422, 404, 403),
        {},
    ),
    RouteCase("api.runs", "GET", lambda w: f"/api/v1/batches/{w.batch_a.id}/runs", ISSUERS_READ),
    RouteCase("api.scans", "GET", lambda w: f"/api/v1/batches/{w.batch_a.id}/scans", SCOPED_READ),
    RouteCase("api.bundle_regions_view", "GET", lambda w: "/api/v1/bundle/regions", INSPECTORS),
    RouteCase("api.bundle", "GET", lambda w: "/api/v1/bundle?region=Cao+Bằng", INSPECTORS),
    RouteCase(
        "api.create_inspection",
        "POST",
        lambda w: f"/api/v1/batches/{w.batch_a.id}/inspections",
        (401, 403, 403, 403, 422),
        {},
    ),
    RouteCase(
        "api.void_one",
        "POST",
        lambda w: f"/api/v1/batches/{w.batch_a.id}/labels/NOSUCHSERIAL/void",
        OFFICER_WRITE,
        {},
    ),
    RouteCase("api.run", "GET", lambda w: f"/api/v1/runs/{w.run_a.id}", ISSUERS_READ),
    RouteCase("api.labels", "GET", lambda w: f"/api/v1/runs/{w.run_a.id}/labels", ISSUERS_READ),
    RouteCase(
        "api.print_job_new",
        "POST",
        lambda w: f"/api/v1/runs/{w.run_a.id}/print-jobs",
        (401, 202, 202, 404, 403),
        {},
    ),
    RouteCase("api.print_job", "GET", lambda w: f"/api/v1/print-jobs/{w.job_a.id}", ISSUERS_READ),
    RouteCase(
        "api.print_job_file",
        "GET",
        lambda w: f"/api/v1/print-jobs/{w.job_a.id}/file",
        (401, 409, 409, 404, 403),  # queued: not ready yet
    ),
    RouteCase(
        "api.void_range", "POST", lambda w: f"/api/v1/runs/{w.run_a.id}/void", OFFICER_WRITE, {}
    ),
    # The value chain (traceapp/web/api/value_chain.py).
    RouteCase("api.partners", "GET", lambda w: "/api/v1/partners", READ_ALL),
    RouteCase("api.partner_new", "POST", lambda w: "/api/v1/partners", OFFICER_WRITE, {}),
    RouteCase(
        "api.chain_event_new",
        "POST",
        lambda w: f"/api/v1/batches/{w.batch_a.id}/chain-events",
        (401, 422, 422, 404, 403),
        {},
    ),
    RouteCase(
        "api.epcis_export",
        "GET",
        lambda w: f"/api/v1/batches/{w.batch_a.id}/epcis",
        SCOPED_READ,
    ),
    RouteCase("api.epcis_import", "POST", lambda w: "/api/v1/epcis", OFFICER_WRITE, {}),
]
MATRIX_BLUEPRINTS = ("api.",)

# Served under /api/v1 by the public verification area, without a token on purpose.
PUBLIC_API = {"public.verify_api"}

MATRIX = role_matrix(CASES)


def _chain_events_url(world, role, _batch):
    return f"/api/v1/batches/{path_batch(world, role).id}/chain-events"


# Every batch id an API request can carry outside its path (issue 13 item 1).
ID_FIELD_CASES = [
    IdFieldCase(
        "chain-events.inputs.batch_id",
        "POST",
        _chain_events_url,
        (401, 201, 201, 201, 403),
        lambda w, r, b: {
            "step": "transforming",
            "inputs": [{"batch_id": batch_id(b), "quantity": 1}],
        },
    ),
    # A refused quantity must not name the lot or the quantity of a batch one cannot see.
    IdFieldCase(
        "chain-events.inputs.quantity-refused",
        "POST",
        _chain_events_url,
        (401, 422, 422, 422, 403),
        lambda w, r, b: {
            "step": "transforming",
            "inputs": [{"batch_id": batch_id(b), "quantity": 2_000_000_000}],
        },
    ),
    IdFieldCase(
        "batches.cooperative_id+product_id",
        "POST",
        lambda w, r, b: "/api/v1/batches",
        (401, 201, 201, 201, 403),
        lambda w, r, b: {
            "cooperative_id": cooperative_id(b),
            "product_id": product_id(b),
            "lot_code": "MATRIX-1",
            "quantity": 10,
            "unit": "quả",
            "produced_on": "2026-11-20",
            "origin_commune": "xã Trường Hà",
            "origin_province": "Cao Bằng",
        },
    ),
]
ID_FIELD_MATRIX = id_field_matrix(ID_FIELD_CASES)


@pytest.mark.parametrize(("case", "role", "expected"), MATRIX)
def test_api_operation_answers_each_role(client, world, case, role, expected):
    response = client.open(
        case.url(world), method=case.method, headers=bearer(world, role), json=case.payload
    )
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if expected >= 400:
        assert response.mimetype == "application/problem+json"


def test_every_api_route_is_in_the_matrix(app):
    covered = {case.endpoint for case in CASES}
    api_rules = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(MATRIX_BLUEPRINTS)
    }
    assert api_rules - covered == set()


def test_other_areas_api_operations_need_a_token(app, client, world):
    # Operations other areas serve under /api/v1 have their own role matrices; here
    # each one (bar the deliberately public ones) only has to refuse strangers.
    unprotected = {}
    for rule in app.url_map.iter_rules():
        if (
            not rule.rule.startswith("/api/v1")
            or rule.endpoint.startswith(MATRIX_BLUEPRINTS)
            or rule.endpoint in PUBLIC_API
        ):
            continue
        url = fill_rule(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = client.open(url, method=method, json={}).status_code
            if status != 401:
                unprotected[f"{method} {url}"] = status
    assert unprotected == {}


def test_token_revoked_in_the_console_is_refused_at_once(client, world):
    headers = bearer(world, "union_officer")
    assert client.get("/api/v1/batches", headers=headers).status_code == 200
    sign_in_as(client, world.users["union_officer"])
    client.post(f"/console/tokens/{world.token_ids['union_officer']}/revoke")
    response = client.get("/api/v1/batches", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("case", "role", "target", "expected"), ID_FIELD_MATRIX)
def test_ids_in_bodies_resolve_within_what_the_caller_may_see(
    client, world, connection, case, role, target, expected
):
    def send(batch):
        return client.open(
            case.url(world, role, batch),
            method=case.method,
            headers=bearer(world, role),
            json=case.payload(world, role, batch) if case.payload else None,
        )

    batch = named_batch(world, role, target)
    if may_see(role, target):
        assert send(batch).status_code == expected
        return
    before = stored_state(connection)
    refused = send(batch)
    assert stored_state(connection) == before
    assert answers_alike(refused, batch, send(None))
