"""Inspectors' offline bundles: signed, checked against trusted keys, usable without network."""

from __future__ import annotations

import json

import pytest

from keys.bundle import InvalidBundle, OfflineBundle
from keys.codes import parse_uri
from tests.console.world import bearer, sign_in_as
from traceapp.domain.signing_keys import key_store


def _download(client, world, **query):
    sign_in_as(client, world.users["inspector"])
    response = client.get("/console/bundle.json", query_string=query)
    assert response.status_code == 200
    return response.get_json()


def _first_code(client, world):
    response = client.get(
        f"/api/v1/runs/{world.run_a.id}/labels", headers=bearer(world, "union_officer")
    )
    return response.get_json()["items"][0]["code"]


def test_bundle_describes_a_scanned_labels_batch_offline(client, world, test_settings):
    code = _first_code(client, world)
    document = _download(client, world, province="Cao Bằng")
    trusted = key_store(test_settings).public_keyset(test_settings.issuer)
    summary = OfflineBundle.load(json.dumps(document), trusted).find(parse_uri(code))
    assert summary.lot == world.batch_a.lot_code
    assert summary.data["certifications"][0]["scheme"] == "herbal_fed"


def test_bundle_marks_voided_serials(client, world, test_settings):
    code = _first_code(client, world)
    serial = parse_uri(code).serial
    client.post(
        f"/api/v1/batches/{world.batch_a.id}/labels/{serial}/void",
        headers=bearer(world, "union_officer"),
        json={"reason": "torn"},
    )
    document = _download(client, world, province="Cao Bằng")
    trusted = key_store(test_settings).public_keyset(test_settings.issuer)
    summary = OfflineBundle.load(document, trusted).find(parse_uri(code))
    assert summary.label_status(serial) == "voided"


def test_commune_filter_leaves_other_communes_out(client, world):
    document = _download(client, world, province="Cao Bằng", commune="phường Đề Thám")
    assert document["batches"] == []


def test_edited_bundle_is_refused(client, world, test_settings):
    document = _download(client, world, province="Cao Bằng")
    document["batches"][0]["status"] = "certified"
    document["batches"][0]["lot"] = "FORGED-1"
    trusted = key_store(test_settings).public_keyset(test_settings.issuer)
    with pytest.raises(InvalidBundle):
        OfflineBundle.load(document, trusted)


def test_bundle_needs_a_province(client, world):
    sign_in_as(client, world.users["inspector"])
    assert client.get("/console/bundle.json").status_code == 422


def test_offline_verify_command_reports_a_recalled_batch_from_the_bundle(
    client, world, test_settings, tmp_path
):
    from click.testing import CliRunner

    from keys.cli import verify_command

    code = _first_code(client, world)
    client.post(
        f"/api/v1/batches/{world.batch_a.id}/recall",
        headers=bearer(world, "union_officer"),
        json={"reason": "Salmonella"},
    )
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(_download(client, world, province="Cao Bằng")))
    keys = tmp_path / "keys.json"
    keys.write_text(key_store(test_settings).public_keyset(test_settings.issuer).to_json())
    result = CliRunner().invoke(
        verify_command, [code, "--keys", str(keys), "--bundle", str(bundle)]
    )
    assert result.exit_code == 1
    assert "Status:   RECALLED" in result.output
