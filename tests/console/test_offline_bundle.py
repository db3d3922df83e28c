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
    document = _download(client, world, region="Cao Bằng")
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
    document = _download(client, world, region="Cao Bằng")
    trusted = key_store(test_settings).public_keyset(test_settings.issuer)
    check = OfflineBundle.load(document, trusted).check(code)
    assert check.verdict == "voided"


def test_region_is_chosen_from_the_batches_never_typed(client, world):
    sign_in_as(client, world.users["inspector"])
    page = client.get("/console/bundle").get_data(as_text=True)
    assert '<option value="Cao Bằng">' in page
    # "Cao Bang" without diacritics used to give an empty bundle that looked complete.
    assert (
        client.get("/console/bundle.json", query_string={"region": "Cao Bang"}).status_code == 422
    )


def test_bundle_page_links_the_key_document_and_the_app(client, world):
    sign_in_as(client, world.users["inspector"])
    page = client.get("/console/bundle").get_data(as_text=True)
    assert 'href="/keys.json"' in page and 'href="/inspect/"' in page


def test_edited_bundle_is_refused(client, world, test_settings):
    document = _download(client, world, region="Cao Bằng")
    document["batches"][0]["status"] = "certified"
    document["batches"][0]["lot"] = "FORGED-1"
    trusted = key_store(test_settings).public_keyset(test_settings.issuer)
    with pytest.raises(InvalidBundle):
        OfflineBundle.load(document, trusted)


def test_bundle_needs_a_region(client, world):
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
    bundle.write_text(json.dumps(_download(client, world, region="Cao Bằng")))
    keys = tmp_path / "keys.json"
    keys.write_text(key_store(test_settings).public_keyset(test_settings.issuer).to_json())
    result = CliRunner().invoke(
        verify_command, [code, "--keys", str(keys), "--bundle", str(bundle)]
    )
    assert result.exit_code == 10
    assert result.output.startswith("Verdict:  RECALLED\n")


def test_verify_warns_when_the_bundle_is_older_than_allowed(client, world, test_settings, tmp_path):
    from click.testing import CliRunner

    from keys.cli import verify_command

    code = _first_code(client, world)
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(_download(client, world, region="Cao Bằng")))
    keys = tmp_path / "keys.json"
    keys.write_text(key_store(test_settings).public_keyset(test_settings.issuer).to_json())
    arguments = [code, "--keys", str(keys), "--bundle", str(bundle)]
    fresh = CliRunner().invoke(verify_command, arguments)
    stale = CliRunner().invoke(verify_command, [*arguments, "--max-age-days", "0"])
    assert (fresh.exit_code, "warning" in fresh.stderr) == (0, False)
    assert (stale.exit_code, "days old" in stale.stderr) == (0, True)
    assert fresh.output.startswith("Verdict:  GENUINE\n")


def test_verify_refuses_an_edited_bundle(client, world, test_settings, tmp_path):
    from click.testing import CliRunner

    from keys.cli import verify_command

    code = _first_code(client, world)
    document = _download(client, world, region="Cao Bằng")
    document["batches"][0]["status"] = "recalled"
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(document))
    keys = tmp_path / "keys.json"
    keys.write_text(key_store(test_settings).public_keyset(test_settings.issuer).to_json())
    result = CliRunner().invoke(
        verify_command, [code, "--keys", str(keys), "--bundle", str(bundle)]
    )
    assert result.exit_code == 2 and "signature does not verify" in result.output
