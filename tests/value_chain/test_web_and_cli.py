"""The value chain through the public surface: API, console, public pages and CLI."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import func, select

from tests.conftest import code_uri
from tests.console.world import sign_in_as
from tests.value_chain.conftest import bearer, epcis_schema_errors
from traceapp.cli import main
from traceapp.domain.issuance import issue_labels
from traceapp.domain.signing_keys import active_signer, key_store
from traceapp.models import Batch, ChainEvent, Label, User


def post_step(client, token, batch_id, **body):
    return client.post(f"/api/v1/batches/{batch_id}/chain-events", json=body, headers=bearer(token))


def test_api_records_a_step_and_returns_its_epcis_event(client, chain, tokens):
    response = post_step(
        client,
        tokens["union_officer"],
        chain.batch.id,
        step="commissioning",
        at="2026-11-26T07:00:00+07:00",
    )
    assert (response.status_code, response.get_json()["events"][0]["bizStep"]) == (
        201,
        "commissioning",
    )


def test_api_refuses_an_inspector_recording_steps(client, chain, tokens):
    response = post_step(client, tokens["inspector"], chain.batch.id, step="commissioning")
    assert response.status_code == 403


def test_api_without_a_token_is_unauthorized(client, chain):
    assert client.get(f"/api/v1/batches/{chain.batch.id}/epcis").status_code == 401


def test_api_export_is_json_ld_valid_against_the_schema(client, chain, tokens):
    post_step(client, tokens["union_officer"], chain.batch.id, step="commissioning")
    response = client.get(
        f"/api/v1/batches/{chain.batch.id}/epcis", headers=bearer(tokens["inspector"])
    )
    assert (response.mimetype, epcis_schema_errors(json.loads(response.data))) == (
        "application/ld+json",
        [],
    )


def test_api_import_of_an_invalid_document_is_422_with_the_pointer(
    client, chain, tokens, db_session
):
    document = {
        "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-27T09:00:00Z",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": "2026-11-27T08:00:00+07:00",
                    "eventTimeZoneOffset": "+7",
                    "action": "OBSERVE",
                    "epcList": [],
                }
            ]
        },
    }
    before = db_session.scalar(select(func.count(ChainEvent.id)))
    db_session.commit()
    response = client.post(
        "/api/v1/epcis",
        data=json.dumps(document),
        content_type="application/ld+json",
        headers=bearer(tokens["union_officer"]),
    )
    body = response.get_json()
    after = db_session.scalar(select(func.count(ChainEvent.id)))
    db_session.commit()
    assert (response.status_code, response.mimetype, body["field"], after) == (
        422,
        "application/problem+json",
        "/epcisBody/eventList/0/eventTimeZoneOffset",
        before,
    )


def test_api_import_of_something_not_json_is_422(client, tokens):
    response = client.post(
        "/api/v1/epcis",
        data=b"\xff{",
        content_type="application/ld+json",
        headers=bearer(tokens["union_officer"]),
    )
    assert response.status_code == 422


def test_api_import_without_a_json_media_type_is_415(client, tokens):
    response = client.post(
        "/api/v1/epcis",
        data=b"{}",
        content_type="text/plain",
        headers=bearer(tokens["union_officer"]),
    )
    assert response.status_code == 415


def test_api_registers_a_partner(client, tokens):
    response = client.post(
        "/api/v1/partners",
        json={"name": "Khách sạn Max Boutique Hà Nội", "role": "hotel", "province": "Hà Nội"},
        headers=bearer(tokens["union_officer"]),
    )
    assert (response.status_code, response.get_json()["role"]) == (201, "hotel")


def test_console_chain_page_records_packing(client, chain, db_session):
    officer = User(
        email="officer@chain.test", name="Trần Anh Dũng", password_hash="x", role="union_officer"
    )
    db_session.add(officer)
    db_session.commit()
    sign_in_as(client, officer)
    response = client.post(
        f"/console/chain/batches/{chain.batch.id}/events",
        data={"step": "packing", "boxes": "4", "per_box": "10"},
        follow_redirects=True,
    )
    assert (response.status_code, 'data-step="packing"' in response.text) == (200, True)


def test_console_chain_page_sends_strangers_to_sign_in(client, chain):
    response = client.get(f"/console/chain/batches/{chain.batch.id}")
    assert response.status_code == 302


def test_box_page_lists_the_content_and_its_status(client, demo, db_session):
    response = client.get("/chain/box/08936001000010/BH-2611-01/7")
    assert (
        response.status_code,
        "10 quả Trứng gà ăn thảo dược" in response.text,
        'id="box-status">✓' in response.text,
    ) == (200, True, True)


def test_unknown_box_is_404(client, demo):
    assert client.get("/chain/box/08936001000010/BH-2611-01/101").status_code == 404


def test_verification_page_shows_the_chain_timeline(client, demo, db_session, test_settings):
    key_store(test_settings).generate()
    batch = db_session.get(Batch, demo.bao_hung_batch_id)
    run = issue_labels(db_session, batch.id, 1, active_signer(test_settings), "test")
    label = db_session.scalar(select(Label).where(Label.run_id == run.id))
    db_session.commit()
    uri = code_uri(test_settings.public_base_url, batch, label)
    page = client.get(uri[len(test_settings.public_base_url) :]).text
    steps = [
        step
        for step in ("commissioning", "inspecting", "packing", "shipping", "receiving")
        if f'data-step="{step}"' in page
    ]
    assert (steps, "Siêu thị Co.opmart Cao Bằng" in page) == (
        ["commissioning", "inspecting", "packing", "shipping", "receiving"],
        True,
    )


def test_cli_exports_and_reimports_a_batch(app, demo, tmp_path):
    runner = CliRunner()
    out = tmp_path / "bh.jsonld"
    exported = runner.invoke(
        main,
        ["epcis", "export", str(demo.bao_hung_batch_id), "--out", str(out)],
        obj=_script_info(app),
    )
    imported = runner.invoke(main, ["epcis", "import", str(out)], obj=_script_info(app))
    assert (exported.exit_code, imported.exit_code, "0 events" in imported.output) == (0, 0, True)


def test_cli_import_of_an_invalid_document_exits_2(app, tmp_path):
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps({"type": "EPCISDocument", "schemaVersion": "2.0"}))
    result = CliRunner().invoke(main, ["epcis", "import", str(bad)], obj=_script_info(app))
    assert (result.exit_code, "/" in result.output) == (2, True)


def test_cli_adds_a_partner(app):
    result = CliRunner().invoke(
        main,
        ["partners", "add", "--name", "Công ty Dâu tằm Bảo Lộc", "--role", "processor"],
        obj=_script_info(app),
    )
    assert (result.exit_code, "registered partner" in result.output) == (0, True)


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_api_step_with_an_unknown_field_is_422_naming_it(client, chain, tokens):
    response = post_step(
        client,
        tokens["union_officer"],
        chain.batch.id,
        step="packing",
        boxes=2,
        per_box=10,
        colour="red",
    )
    assert (response.status_code, response.get_json()["field"]) == (422, "colour")


def test_api_partner_with_an_unknown_role_is_422_naming_role(client, tokens):
    response = client.post(
        "/api/v1/partners",
        json={"name": "Chợ Xanh", "role": "wholesaler"},
        headers=bearer(tokens["union_officer"]),
    )
    assert (response.status_code, response.get_json()["field"]) == (422, "role")
