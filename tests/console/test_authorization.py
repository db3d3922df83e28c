"""Who may open which console page: a (role, route) -> status matrix.

Every console rule of the app must have an entry, so a new page without one fails
`test_every_console_route_is_in_the_matrix`. The operator of another cooperative
gets 404 for Bao Hung's batch and runs, as if they did not exist.
"""

from __future__ import annotations

import pytest

from tests.console.world import (
    IdFieldCase,
    RouteCase,
    World,
    answers_alike,
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
from tests.console.world import product_id_or_missing as product_id

# Columns: anonymous, union_officer, operator_own, operator_other, inspector.
OFFICER_ONLY = (302, 200, 403, 403, 403)
OPERATOR_ONLY = (302, 403, 200, 200, 403)
EVERYONE = (302, 200, 200, 200, 200)
SCOPED_READ = (302, 200, 200, 404, 200)
ISSUERS = (302, 200, 200, 404, 403)
INSPECTORS = (302, 200, 403, 403, 200)
PRODUCT_EDITORS = (302, 200, 200, 404, 403)


CASES = [
    RouteCase("console.sign_in", "GET", lambda w: "/console/sign-in", (200, 200, 200, 200, 200)),
    RouteCase("console.sign_out", "POST", lambda w: "/console/sign-out", (302,) * 5),
    RouteCase("console.index", "GET", lambda w: "/console/", EVERYONE),
    RouteCase("console.batches", "GET", lambda w: "/console/batches", EVERYONE),
    RouteCase("console.batch_new", "GET", lambda w: "/console/batches/new", OPERATOR_ONLY),
    RouteCase("console.batch", "GET", lambda w: f"/console/batches/{w.batch_a.id}", SCOPED_READ),
    RouteCase(
        "console.certification_new",
        "GET",
        lambda w: f"/console/batches/{w.batch_a.id}/certifications/new",
        OFFICER_ONLY,
    ),
    RouteCase(
        "console.certify",
        "POST",
        lambda w: f"/console/batches/{w.batch_a.id}/certify",
        (302, 302, 403, 403, 403),
    ),
    RouteCase(
        "console.recall", "GET", lambda w: f"/console/batches/{w.batch_a.id}/recall", OFFICER_ONLY
    ),
    RouteCase(
        "console.issuance", "GET", lambda w: f"/console/batches/{w.batch_a.id}/issuance", ISSUERS
    ),
    RouteCase("console.run", "GET", lambda w: f"/console/runs/{w.run_a.id}", ISSUERS),
    RouteCase("console.print_job", "GET", lambda w: f"/console/print-jobs/{w.job_a.id}", ISSUERS),
    RouteCase(
        "console.print_job_file",
        "GET",
        lambda w: f"/console/print-jobs/{w.job_a.id}/file",
        (302, 409, 409, 404, 403),  # queued: not ready yet
    ),
    RouteCase(
        "console.calibration",
        "GET",
        lambda w: "/console/calibration.pdf",
        (302, 200, 200, 200, 403),  # the same page for any cooperative
    ),
    RouteCase(
        "console.run_label", "GET", lambda w: f"/console/runs/{w.run_a.id}/labels/1.png", ISSUERS
    ),
    RouteCase(
        "console.void", "GET", lambda w: f"/console/batches/{w.batch_a.id}/void", OFFICER_ONLY
    ),
    RouteCase("console.lookup", "GET", lambda w: "/console/lookup", INSPECTORS),
    RouteCase(
        "console.inspection_new",
        "GET",
        lambda w: f"/console/batches/{w.batch_a.id}/inspections/new",
        (302, 403, 403, 403, 200),
    ),
    RouteCase("console.bundle", "GET", lambda w: "/console/bundle", INSPECTORS),
    RouteCase(
        "console.bundle_download",
        "GET",
        lambda w: "/console/bundle.json?region=Cao+Bằng",
        INSPECTORS,
    ),
    RouteCase("console.cooperatives", "GET", lambda w: "/console/cooperatives", OFFICER_ONLY),
    RouteCase(
        "console.cooperative_new", "GET", lambda w: "/console/cooperatives/new", OFFICER_ONLY
    ),
    RouteCase(
        "console.cooperative", "GET", lambda w: f"/console/cooperatives/{w.coop_a.id}", OFFICER_ONLY
    ),
    RouteCase(
        "console.product_new",
        "GET",
        lambda w: f"/console/cooperatives/{w.coop_a.id}/products/new",
        OFFICER_ONLY,
    ),
    RouteCase("console.tokens", "GET", lambda w: "/console/tokens", EVERYONE),
    RouteCase(
        "console.token_create",
        "POST",
        lambda w: "/console/tokens",
        (302, 422, 422, 422, 422),
        payload={"name": ""},
    ),
    # The officer's own token: anyone else is told it does not exist.
    RouteCase(
        "console.token_revoke",
        "POST",
        lambda w: f"/console/tokens/{_officer_token_id(w)}/revoke",
        (302, 302, 404, 404, 404),
    ),
    # The digital product passport: a product's fields, photo and where to buy it.
    RouteCase("console.products", "GET", lambda w: "/console/products", OPERATOR_ONLY),
    RouteCase(
        "console.product", "GET", lambda w: f"/console/products/{w.product_a.id}", PRODUCT_EDITORS
    ),
    RouteCase(
        "console.product_passport",
        "POST",
        lambda w: f"/console/products/{w.product_a.id}/passport",
        (302, 422, 422, 404, 403),
        payload={"safety_warnings": ""},
    ),
    RouteCase(
        "console.product_image_upload",
        "POST",
        lambda w: f"/console/products/{w.product_a.id}/image",
        (302, 422, 422, 404, 403),
    ),
    RouteCase(
        "console.where_to_buy_new",
        "GET",
        lambda w: f"/console/products/{w.product_a.id}/where-to-buy/new",
        PRODUCT_EDITORS,
    ),
    RouteCase(
        "console.where_to_buy_edit",
        "GET",
        lambda w: f"/console/where-to-buy/{w.link_a.id}/edit",
        PRODUCT_EDITORS,
    ),
    RouteCase(
        "console.where_to_buy_delete",
        "POST",
        lambda w: f"/console/where-to-buy/{w.link_a.id}/delete",
        (302, 302, 302, 404, 403),
    ),
    RouteCase(
        "console.batch_best_before",
        "GET",
        lambda w: f"/console/batches/{w.draft_a.id}/best-before",
        PRODUCT_EDITORS,
    ),
    # The value chain (traceapp/web/console/value_chain.py).
    RouteCase("console.chain_partners", "GET", lambda w: "/console/chain/partners", EVERYONE),
    RouteCase(
        "console.chain_partner_new",
        "POST",
        lambda w: "/console/chain/partners",
        (302, 422, 403, 403, 403),
        payload={"name": ""},
    ),
    RouteCase(
        "console.chain_batch",
        "GET",
        lambda w: f"/console/chain/batches/{w.batch_a.id}",
        SCOPED_READ,
    ),
    RouteCase(
        "console.chain_event_new",
        "POST",
        lambda w: f"/console/chain/batches/{w.batch_a.id}/events",
        (302, 422, 422, 404, 403),
        payload={"step": "teleporting"},
    ),
    RouteCase(
        "console.chain_export",
        "GET",
        lambda w: f"/console/chain/batches/{w.batch_a.id}/epcis.jsonld",
        SCOPED_READ,
    ),
    # Bao Hung's batch is not packed yet: a 404 for those who may print its box labels.
    RouteCase(
        "console.chain_box_labels",
        "POST",
        lambda w: f"/console/chain/batches/{w.batch_a.id}/box-labels",
        (302, 404, 404, 404, 403),
    ),
    RouteCase("console.chain_import", "GET", lambda w: "/console/chain/import", OFFICER_ONLY),
    RouteCase("console.keys", "GET", lambda w: "/console/keys", OFFICER_ONLY),
    RouteCase("console.password_change", "GET", lambda w: "/console/password", EVERYONE),
    RouteCase("console.accounts", "GET", lambda w: "/console/accounts", OFFICER_ONLY),
    RouteCase(
        "console.account_deactivate",
        "POST",
        lambda w: f"/console/accounts/{w.users['inspector'].id}/deactivate",
        (302, 302, 403, 403, 403),
    ),
    RouteCase(
        "console.account_reactivate",
        "POST",
        lambda w: f"/console/accounts/{w.users['inspector'].id}/reactivate",
        (302, 302, 403, 403, 403),
    ),
    RouteCase(
        "console.account_role",
        "POST",
        lambda w: f"/console/accounts/{w.users['inspector'].id}/role",
        (302, 302, 403, 403, 403),
        payload={"role": "inspector"},
    ),
    RouteCase(
        "console.account_password",
        "GET",
        lambda w: f"/console/accounts/{w.users['inspector'].id}/password",
        OFFICER_ONLY,
    ),
    RouteCase(
        "console.batch_scans", "GET", lambda w: f"/console/batches/{w.batch_a.id}/scans", ISSUERS
    ),
    RouteCase("console.reports", "GET", lambda w: "/console/reports", OFFICER_ONLY),
    # No such report: the officer is told so, everyone else may not ask.
    RouteCase(
        "console.report_handled",
        "POST",
        lambda w: "/console/reports/999999/handled",
        (302, 404, 403, 403, 403),
    ),
    RouteCase(
        "console.keys_rotate", "POST", lambda w: "/console/keys/rotate", (302, 302, 403, 403, 403)
    ),
]


def _officer_token_id(world: World) -> int:
    return world.token_ids["union_officer"]


MATRIX = role_matrix(CASES)


def _chain_events_url(world, role, _batch):
    return f"/console/chain/batches/{path_batch(world, role).id}/events"


# Every batch id a console form or query string can carry (issue 13 item 1).
ID_FIELD_CASES = [
    IdFieldCase(
        "chain-events.inputs",
        "POST",
        _chain_events_url,
        (302, 302, 302, 302, 403),
        lambda w, r, b: {"step": "transforming", "inputs": f"{batch_id(b)}:1"},
    ),
    # A refused quantity must not name the lot or the quantity of a batch one cannot see.
    IdFieldCase(
        "chain-events.inputs.quantity-refused",
        "POST",
        _chain_events_url,
        (302, 422, 422, 422, 403),
        lambda w, r, b: {"step": "transforming", "inputs": f"{batch_id(b)}:2000000000"},
    ),
    IdFieldCase(
        "lookup.batch_id",
        "GET",
        lambda w, r, b: f"/console/lookup?batch_id={batch_id(b)}",
        (302, 302, 403, 403, 302),
    ),
    IdFieldCase(
        "batches-new.product_id",
        "POST",
        lambda w, r, b: "/console/batches/new",
        (302, 403, 302, 302, 403),
        lambda w, r, b: {
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
def test_console_route_answers_each_role(client, world, case, role, expected):
    sign_in_as(client, world.users.get(role))
    response = client.open(case.url(world), method=case.method, data=case.payload or {})
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if expected == 302 and role == "anonymous":
        assert "/console/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(("case", "role", "target", "expected"), ID_FIELD_MATRIX)
def test_ids_in_forms_resolve_within_what_the_caller_may_see(
    client, world, connection, case, role, target, expected
):
    sign_in_as(client, world.users.get(role))

    def send(batch):
        return client.open(
            case.url(world, role, batch),
            method=case.method,
            data=case.payload(world, role, batch) if case.payload else None,
        )

    batch = named_batch(world, role, target)
    if may_see(role, target):
        assert send(batch).status_code == expected
        return
    before = stored_state(connection)
    refused = send(batch)
    assert stored_state(connection) == before
    assert answers_alike(refused, batch, send(None))


def test_every_console_route_is_in_the_matrix(app):
    covered = {case.endpoint for case in CASES}
    console_rules = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("console.")
    }
    assert console_rules - covered == set()


def test_other_areas_console_pages_send_strangers_to_sign_in(app, client, world):
    # Pages other areas serve under /console have their own role matrices; here each
    # one only has to keep strangers out.
    refused = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console") or rule.endpoint.startswith("console."):
            continue
        url = fill_rule(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if response.status_code != 302 or "/console/sign-in" not in response.headers.get(
                "Location", ""
            ):
                refused[f"{method} {url}"] = response.status_code
    assert refused == {}
