"""The JSON API end to end: batch -> certification -> approval -> labels -> sheet, and
refusals as problem details naming the field."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from keys.verify import verify_code
from tests.console.world import bearer
from traceapp.clock import today_local
from traceapp.domain.print_jobs import claim_next_job, render_job
from traceapp.domain.signing_keys import key_store
from traceapp.web.public import flush_scans


def _batch_body(world, **changes):
    today = today_local()
    body = {
        "cooperative_id": world.coop_a.id,
        "product_id": world.product_a.id,
        "lot_code": "BH-2611-09",
        "quantity": 60,
        "unit": "quả",
        "produced_on": today.isoformat(),
        "best_before": (today + timedelta(days=20)).isoformat(),
        "origin_commune": "xã Trường Hà",
        "origin_province": "Cao Bằng",
    }
    return {**body, **changes}


def test_batch_goes_from_creation_to_printed_sheet(client, world, test_settings, session_factory):
    operator, officer = bearer(world, "operator_own"), bearer(world, "union_officer")
    batch = client.post("/api/v1/batches", headers=operator, json=_batch_body(world)).get_json()
    today = today_local()
    created = client.post(
        f"/api/v1/batches/{batch['id']}/certifications",
        headers=officer,
        json={
            "scheme": "ocop",
            "ocop_stars": 4,
            "certificate_number": "OCOP-CB-2026-7",
            "issuing_body": "UBND tỉnh Cao Bằng",
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=90)).isoformat(),
        },
    )
    assert created.status_code == 201
    assert (
        client.post(f"/api/v1/batches/{batch['id']}/certify", headers=officer).get_json()["status"]
        == "certified"
    )
    run = client.post(
        f"/api/v1/batches/{batch['id']}/issuance", headers=operator, json={"count": 41}
    )
    assert run.status_code == 201
    labels = client.get(
        run.get_json()["labels_url"], headers=operator, query_string={"limit": 1000}
    ).get_json()
    keyset = key_store(test_settings).public_keyset(test_settings.issuer)
    assert all(verify_code(item["code"], keyset).genuine for item in labels["items"])
    queued = client.post(
        run.get_json()["print_jobs_url"],
        headers=operator,
        json={"kind": "sheet", "preset": "Avery L7160", "language": "en"},
    )
    assert queued.status_code == 202
    job_url = queued.headers["Location"]
    job = client.get(job_url, headers=operator).get_json()
    assert (job["status"], job["labels_done"], job["labels_total"]) == ("queued", 0, 41)
    assert job["file_url"] is None
    assert client.get(f"{job_url}/file", headers=operator).status_code == 409

    # What a print worker does (the world holds one more queued job, older).
    while (job_id := claim_next_job(session_factory, "api-test")) is not None:
        render_job(
            session_factory,
            job_id,
            "api-test",
            test_settings.instance_dir,
            test_settings.public_base_url,
        )

    job = client.get(job_url, headers=operator).get_json()
    assert (job["status"], job["progress"], job["pages"]) == ("done", 1.0, 2)
    sheet = client.get(job["file_url"], headers=operator)
    assert sheet.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(sheet.data))
    assert len(reader.pages) == 2
    assert "Scan to verify" in " ".join(reader.pages[0].extract_text().split())


def test_print_job_with_a_bad_choice_is_a_422_naming_the_field(client, world):
    response = client.post(
        f"/api/v1/runs/{world.run_a.id}/print-jobs",
        headers=bearer(world, "operator_own"),
        json={"kind": "sheet", "preset": "a4-21", "start_position": 22},
    )
    assert response.status_code == 422
    assert response.get_json()["field"] == "start_position"
    unknown = client.post(
        f"/api/v1/runs/{world.run_a.id}/print-jobs",
        headers=bearer(world, "operator_own"),
        json={"preset": "no such stock"},
    )
    assert unknown.status_code == 422 and unknown.get_json()["field"] == "preset"


def test_missing_field_is_a_422_naming_it(client, world):
    body = _batch_body(world)
    del body["produced_on"]
    response = client.post("/api/v1/batches", headers=bearer(world, "operator_own"), json=body)
    assert response.status_code == 422
    assert response.get_json()["field"] == "produced_on"


def test_wrong_type_is_a_422_naming_the_field(client, world):
    response = client.post(
        f"/api/v1/batches/{world.batch_a.id}/issuance",
        headers=bearer(world, "union_officer"),
        json={"count": "many"},
    )
    assert response.status_code == 422 and response.get_json()["field"] == "count"


def test_misspelt_query_parameter_is_a_422_naming_it(client, world):
    response = client.get("/api/v1/batches?limt=5", headers=bearer(world, "union_officer"))
    assert response.status_code == 422 and response.get_json()["field"] == "limt"


def test_limit_out_of_range_is_a_422(client, world):
    response = client.get("/api/v1/batches?limit=0", headers=bearer(world, "union_officer"))
    assert response.status_code == 422 and response.get_json()["field"] == "limit"


def test_body_that_is_not_json_is_415(client, world):
    response = client.post(
        f"/api/v1/batches/{world.batch_a.id}/recall",
        headers=bearer(world, "union_officer"),
        data="reason=bad",
    )
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"


def test_issuance_beyond_the_certified_quantity_is_a_conflict(client, world):
    response = client.post(
        f"/api/v1/batches/{world.batch_a.id}/issuance",
        headers=bearer(world, "operator_own"),
        json={"count": 98},
    )
    assert response.status_code == 409


def test_operator_cannot_create_a_batch_for_another_cooperative(client, world):
    response = client.post(
        "/api/v1/batches", headers=bearer(world, "operator_other"), json=_batch_body(world)
    )
    assert response.status_code == 404


def test_operator_lists_only_their_own_batches(client, world):
    items = client.get("/api/v1/batches", headers=bearer(world, "operator_other")).get_json()
    assert {item["cooperative_id"] for item in items["items"]} == {world.coop_b.id}


def test_recall_through_the_api_changes_the_public_verdict(client, world):
    officer = bearer(world, "union_officer")
    code = client.get(f"/api/v1/runs/{world.run_a.id}/labels", headers=officer).get_json()["items"][
        0
    ]["code"]
    client.post(
        f"/api/v1/batches/{world.batch_a.id}/recall",
        headers=officer,
        json={"reason": "kháng sinh vượt ngưỡng"},
    )
    verdict = client.get("/api/v1/verify", query_string={"code": code}).get_json()["verdict"]
    assert verdict == "recalled"


def test_voiding_the_same_range_twice_is_a_conflict(client, world):
    officer = bearer(world, "union_officer")
    body = {"first": 1, "last": 2, "reason": "printer jam"}
    first = client.post(f"/api/v1/runs/{world.run_a.id}/void", headers=officer, json=body)
    assert first.get_json() == {"voided": 2}
    again = client.post(f"/api/v1/runs/{world.run_a.id}/void", headers=officer, json=body)
    assert again.status_code == 409


def test_scan_counts_follow_public_scans(app, client, world):
    officer = bearer(world, "union_officer")
    code = client.get(f"/api/v1/runs/{world.run_a.id}/labels", headers=officer).get_json()["items"][
        0
    ]["code"]
    client.get("/api/v1/verify", query_string={"code": code})
    client.get("/api/v1/verify", query_string={"code": code})
    flush_scans(app)  # as the buffer's writer does within 0.2 s on a server
    counts = client.get(f"/api/v1/batches/{world.batch_a.id}/scans", headers=officer)
    assert counts.get_json()["total"] == 2


def test_inspector_records_an_inspection_through_the_api(client, world):
    response = client.post(
        f"/api/v1/batches/{world.batch_b.id}/inspections",
        headers=bearer(world, "inspector"),
        json={
            "inspected_on": today_local().isoformat(),
            "place": "Siêu thị Co.opmart Cao Bằng",
            "result": "passed",
        },
    )
    assert response.status_code == 201 and response.get_json()["result"] == "passed"
