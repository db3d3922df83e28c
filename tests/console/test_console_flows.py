"""The console as people use it: sign in, batches, certification, labels, recall, void."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from tests.console.world import PASSWORD, bearer, sign_in_as
from traceapp.clock import today_local
from traceapp.domain.print_jobs import claim_next_job, render_job
from traceapp.domain.voiding import void_label
from traceapp.models import AuditEntry, Batch


def _codes(client, world, run_id):
    response = client.get(f"/api/v1/runs/{run_id}/labels", headers=bearer(world, "union_officer"))
    return [item["code"] for item in response.get_json()["items"]]


def _public_verdict(client, code):
    return client.get("/api/v1/verify", query_string={"code": code}).get_json()["verdict"]


def test_user_signs_in_with_password_and_out_again(client, world):
    response = client.post(
        "/console/sign-in", data={"email": "VAN.HANH@baohung.vn ", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    assert "Hợp tác xã Bảo Hưng" in client.get("/console/").get_data(as_text=True)
    client.post("/console/sign-out")
    assert client.get("/console/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, world):
    response = client.post(
        "/console/sign-in", data={"email": "van.hanh@baohung.vn", "password": "wrong-password"}
    )
    assert response.status_code == 401
    assert "Sai thư điện tử hoặc mật khẩu" in response.get_data(as_text=True)


def test_sign_in_never_redirects_off_site(client, world):
    response = client.post(
        "/console/sign-in?next=//evil.example/x",
        data={"email": "van.hanh@baohung.vn", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/console/"


def test_session_cookie_is_http_only_and_same_site_lax(client, world):
    response = client.post(
        "/console/sign-in", data={"email": "van.hanh@baohung.vn", "password": PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_post_without_csrf_token_is_refused(make_app, test_settings, session_factory):
    app = make_app(test_settings, {"TESTING": True}, session_factory=session_factory)
    response = app.test_client().post(
        "/console/sign-in",
        data={"email": "a@b.vn", "password": "whatever-long"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_operator_creates_a_batch_recorded_with_who_did_it(client, world, db_session):
    sign_in_as(client, world.users["operator_own"])
    today = today_local()
    response = client.post(
        "/console/batches/new",
        data={
            "product_id": world.product_a.id,
            "lot_code": "BH-2611-02",
            "quantity": "1200",
            "unit": "quả",
            "produced_on": today.isoformat(),
            "best_before": (today + timedelta(days=25)).isoformat(),
            "origin_commune": "xã Trường Hà",
            "origin_province": "Cao Bằng",
        },
    )
    assert response.status_code == 302
    batch = db_session.scalar(select(Batch).where(Batch.lot_code == "BH-2611-02"))
    entry = db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "batch.created", AuditEntry.subject_id == str(batch.id)
        )
    )
    assert entry.actor == f"user:{world.users['operator_own'].id}"  # no e-mail: the log is public


def test_duplicate_lot_is_shown_next_to_the_lot_field(client, world):
    sign_in_as(client, world.users["operator_own"])
    response = client.post(
        "/console/batches/new",
        data={
            "product_id": world.product_a.id,
            "lot_code": world.batch_a.lot_code,
            "quantity": "5",
            "unit": "quả",
            "produced_on": today_local().isoformat(),
            "origin_commune": "xã Trường Hà",
            "origin_province": "Cao Bằng",
        },
    )
    assert response.status_code == 422
    assert 'id="lot_code-error">Lô' in response.get_data(as_text=True)


def test_officer_certifies_a_batch_after_recording_a_certification(client, world):
    sign_in_as(client, world.users["union_officer"])
    batch_id = world.draft_a.id
    refused = client.post(f"/console/batches/{batch_id}/certify")
    assert refused.status_code == 409
    today = today_local()
    client.post(
        f"/console/batches/{batch_id}/certifications/new",
        data={
            "scheme": "vietgap",
            "certificate_number": "VietGAP-CB-26-001",
            "issuing_body": "QUACERT",
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=365)).isoformat(),
            "evidence_ref": "chung-nhan.pdf",
            "claim": "Nuôi theo VietGAP",
        },
    )
    assert client.post(f"/console/batches/{batch_id}/certify").status_code == 302
    assert "certified" in client.get(f"/console/batches/{batch_id}").get_data(as_text=True)


def test_labels_cannot_be_requested_for_an_uncertified_batch(client, world):
    sign_in_as(client, world.users["operator_own"])
    response = client.post(f"/console/batches/{world.draft_a.id}/issuance", data={"count": 5})
    assert response.status_code == 422
    assert "đang chờ Liên minh" in response.get_data(as_text=True)


def _render_waiting_jobs(app, session_factory, test_settings) -> None:
    """What a print worker does: claim each queued job and render it."""
    while (job_id := claim_next_job(session_factory, "test-worker")) is not None:
        render_job(
            session_factory,
            job_id,
            "test-worker",
            test_settings.instance_dir,
            test_settings.public_base_url,
        )


def test_operator_prints_a_sheet_through_a_print_job_with_progress_and_download(
    client, world, app, session_factory, test_settings
):
    sign_in_as(client, world.users["operator_own"])
    response = client.post(f"/console/batches/{world.batch_a.id}/issuance", data={"count": 45})
    run_page = response.headers["Location"]
    response = client.post(
        run_page, data={"kind": "sheet", "preset": "a4-21", "start_position": 20, "language": "vi"}
    )
    assert response.status_code == 302
    job_page = response.headers["Location"]
    waiting = client.get(job_page).get_data(as_text=True)
    assert '<progress id="job-progress" max="45" value="0">' in waiting
    assert 'http-equiv="refresh"' in waiting
    assert client.get(f"{job_page}/file").status_code == 409

    _render_waiting_jobs(app, session_factory, test_settings)

    done = client.get(job_page).get_data(as_text=True)
    assert "refresh" not in done and "100 %" in done and 'id="download-file"' in done
    sheet = client.get(f"{job_page}/file")
    assert sheet.mimetype == "application/pdf"
    # 45 labels from position 20 of a 21-label sheet: 2 + 21 + 21 + 1 -> 4 pages.
    reader = PdfReader(io.BytesIO(sheet.data))
    assert len(reader.pages) == 4
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/PrintScaling"] == "/None"


def test_start_position_beyond_the_sheet_is_refused_next_to_the_field(client, world):
    sign_in_as(client, world.users["operator_own"])
    response = client.post(
        f"/console/runs/{world.run_a.id}",
        data={"kind": "sheet", "preset": "a4-21", "start_position": 22, "language": "vi"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'id="start_position-error">([^<]*)<', page)
    assert error is not None and "21" in error[1] and 'value="22"' in page


def test_the_stock_picker_finds_glabels_stocks(client, world):
    sign_in_as(client, world.users["operator_own"])
    page = client.get(f"/console/runs/{world.run_a.id}", query_string={"stock": "herma 4677"})
    text = page.get_data(as_text=True)
    assert "Herma 4677" in text and "63.5 x 38.1 mm, 3 x 7 = 21 on A4" in text
    default = client.get(f"/console/runs/{world.run_a.id}").get_data(as_text=True)
    assert "a4-21" in default and "Avery L7160" in default


def test_calibration_page_with_offsets_is_offered_in_the_console(client, world):
    sign_in_as(client, world.users["operator_own"])
    response = client.get(
        "/console/calibration.pdf",
        query_string={"preset": "Avery L7160", "offset_x_mm": "1.5", "offset_y_mm": "-0.5"},
    )
    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "+1.5 mm" in text and "-0.5 mm" in text
    refused = client.get("/console/calibration.pdf", query_string={"offset_x_mm": "25"})
    assert refused.status_code == 422


def test_recall_shows_on_the_public_page_at_once(client, world):
    code = _codes(client, world, world.run_a.id)[0]
    assert _public_verdict(client, code) == "genuine"
    sign_in_as(client, world.users["union_officer"])
    client.post(
        f"/console/batches/{world.batch_a.id}/recall",
        data={"reason": "Salmonella found in a sample", "confirmed": "yes"},
    )
    assert _public_verdict(client, code) == "recalled"


def test_voided_label_shows_voided_on_the_public_page(client, world):
    codes = _codes(client, world, world.run_a.id)
    sign_in_as(client, world.users["union_officer"])
    serial = codes[0].split("/21/")[1].split("?")[0]
    response = client.post(
        f"/console/batches/{world.batch_a.id}/void",
        data={"label-serial": serial, "label-reason": "torn", "confirmed": "yes"},
    )
    assert response.status_code == 302
    assert [_public_verdict(client, c) for c in codes] == ["voided", "genuine", "genuine"]


def test_voiding_a_run_range_voids_exactly_those_labels(client, world):
    codes = _codes(client, world, world.run_a.id)
    sign_in_as(client, world.users["union_officer"])
    client.post(
        f"/console/batches/{world.batch_a.id}/void",
        data={
            "range-run_id": world.run_a.id,
            "range-first": 2,
            "range-last": 3,
            "range-reason": "printer jam",
            "confirmed": "yes",
        },
    )
    assert [_public_verdict(client, c) for c in codes] == ["genuine", "voided", "voided"]


def test_officer_dashboard_shows_province_figures(client, world):
    sign_in_as(client, world.users["union_officer"])
    page = client.get("/console/").get_data(as_text=True)
    assert 'id="fig-cooperatives">2<' in page
    assert 'id="fig-certified">2<' in page
    assert 'id="fig-labels">3<' in page


def test_certification_expiring_within_sixty_days_is_on_the_dashboard(client, world, factory):
    factory.certification(
        world.batch_b, scheme="lab_test", valid_to=today_local() + timedelta(days=30)
    )
    factory.session.commit()
    sign_in_as(client, world.users["union_officer"])
    assert "Kiểm nghiệm" in client.get("/console/").get_data(as_text=True)


def test_inspector_finds_a_batch_by_pasting_a_label_code(client, world):
    code = _codes(client, world, world.run_a.id)[1]
    sign_in_as(client, world.users["inspector"])
    page = client.get("/console/lookup", query_string={"code": code}).get_data(as_text=True)
    assert 'data-verdict="genuine"' in page
    assert f'href="/console/batches/{world.batch_a.id}" id="open-batch"' in page


def test_look_up_of_a_forged_code_says_not_genuine_first(client, world):
    code = _codes(client, world, world.run_a.id)[1]
    forged = code[: code.index("/21/") + 4] + "FORGED0001" + code[code.index("?") :]
    sign_in_as(client, world.users["inspector"])
    page = client.get("/console/lookup", query_string={"code": forged}).get_data(as_text=True)
    assert 'data-verdict="not_genuine"' in page and "open-batch" not in page
    assert page.index('id="verdict"') < page.index('name="code"')


def test_look_up_of_a_voided_label_says_voided_as_the_public_page_does(client, world, db_session):
    code = _codes(client, world, world.run_a.id)[0]
    serial = code.split("/21/")[1].split("?")[0]
    void_label(db_session, world.batch_a.id, serial, "Tem bị rách", "test")
    db_session.commit()
    public = client.get(code[code.index("/01/") :], headers={"Accept": "application/json"})
    sign_in_as(client, world.users["inspector"])
    page = client.get("/console/lookup", query_string={"code": code}).get_data(as_text=True)
    assert public.get_json()["verdict"] == "voided" and 'data-verdict="voided"' in page


def test_inspector_finds_a_batch_by_cooperative_and_lot(client, world):
    sign_in_as(client, world.users["inspector"])
    response = client.get(
        "/console/lookup",
        query_string={"cooperative_id": world.coop_b.id, "lot_code": world.batch_b.lot_code},
    )
    assert response.headers["Location"] == f"/console/batches/{world.batch_b.id}"


def test_inspector_records_an_inspection(client, world):
    sign_in_as(client, world.users["inspector"])
    response = client.post(
        f"/console/batches/{world.batch_a.id}/inspections/new",
        data={
            "inspected_on": today_local().isoformat(),
            "place": "Chợ Xanh, TP Cao Bằng",
            "result": "observations",
            "notes": "Nhãn bị mờ",
            "photo_ref": "IMG_2031.jpg",
        },
    )
    assert response.status_code == 302
    assert "Chợ Xanh" in client.get(f"/console/batches/{world.batch_a.id}").get_data(as_text=True)


def test_inspection_cannot_be_dated_in_the_future(client, world):
    sign_in_as(client, world.users["inspector"])
    response = client.post(
        f"/console/batches/{world.batch_a.id}/inspections/new",
        data={
            "inspected_on": (today_local() + timedelta(days=3)).isoformat(),
            "place": "Chợ",
            "result": "passed",
        },
    )
    assert response.status_code == 422


def test_officer_registers_a_cooperative_and_its_product(client, world):
    sign_in_as(client, world.users["union_officer"])
    response = client.post(
        "/console/cooperatives/new",
        data={
            "name": "Hợp tác xã Yên Công",
            "registration_number": "CB-4801000789",
            "commune": "xã Yên Sơn",
            "province": "Cao Bằng",
        },
    )
    page = response.headers["Location"]
    client.post(
        f"{page}/products/new",
        data={
            "name": "Nấm hương khô",
            "category": "mushrooms",
            "unit": "gói",
            "ref": "YC-SHIITAKE",
            "gtin": "8936001000027",
        },
    )
    assert "Nấm hương khô" in client.get(page).get_data(as_text=True)


def test_api_token_is_shown_once_and_works(client, world):
    sign_in_as(client, world.users["inspector"])
    page = client.post("/console/tokens", data={"name": "field tablet"}).get_data(as_text=True)
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert secret not in client.get("/console/tokens").get_data(as_text=True)
    response = client.get("/api/v1/batches", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


def test_officer_rotates_the_signing_key(client, world, test_settings):
    from traceapp.domain.signing_keys import key_store

    before = key_store(test_settings).active().kid
    sign_in_as(client, world.users["union_officer"])
    client.post("/console/keys/rotate")
    assert key_store(test_settings).active().kid != before
