"""No dead ends: what cannot succeed is not offered or says why, errors keep the user's
input and the navigation, changes say what they did, dangerous ones ask first."""

from __future__ import annotations

from datetime import timedelta

from tests.console.world import sign_in_as
from traceapp.clock import today_local
from traceapp.models import Batch, BatchStatus


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_a_draft_without_certification_offers_no_approval_and_says_what_is_missing(client, world):
    sign_in_as(client, world.users["union_officer"])
    page = _page(client.get(f"/console/batches/{world.draft_a.id}"))
    assert 'id="certify"' not in page
    assert f"Lô {world.draft_a.lot_code} chưa có chứng nhận" in page
    assert 'id="record-certification"' in page


def test_a_draft_with_a_lapsed_certificate_names_it_and_when_it_ended(client, world, factory):
    ended = today_local() - timedelta(days=3)
    factory.certification(
        world.draft_a, scheme="vietgap", valid_from=ended - timedelta(days=300), valid_to=ended
    )
    factory.session.commit()
    sign_in_as(client, world.users["union_officer"])
    page = _page(client.get(f"/console/batches/{world.draft_a.id}"))
    assert 'id="certify"' not in page
    assert "đã hết hạn ngày" in page and "ghi nhận giấy gia hạn" in page


def test_certifying_anyway_answers_the_batch_page_with_the_reason(client, world):
    sign_in_as(client, world.users["union_officer"])
    response = client.post(f"/console/batches/{world.draft_a.id}/certify")
    assert response.status_code == 409
    page = _page(response)
    assert 'id="action-error"' in page and 'id="console-nav"' in page


def test_a_draft_tells_its_cooperative_that_it_waits_for_the_union(client, world):
    sign_in_as(client, world.users["operator_own"])
    page = _page(client.get(f"/console/batches/{world.draft_a.id}"))
    assert "Lô này đang chờ Liên minh" in page
    assert 'id="request-labels"' not in page


def test_label_request_shows_the_remaining_quantity_and_issues_that_many(client, world):
    sign_in_as(client, world.users["operator_own"])
    page = _page(client.get(f"/console/batches/{world.batch_a.id}/issuance"))
    assert "Còn 97 trong số 100 quả của lô này chưa có tem." in page
    assert ">Cấp 97 tem</button>" in page
    assert "100.000" not in page


def test_a_mistyped_serial_is_answered_beside_the_field_with_the_reason_kept(client, world):
    sign_in_as(client, world.users["union_officer"])
    response = client.post(
        f"/console/batches/{world.batch_a.id}/void",
        data={"label-serial": "KHONGCO123", "label-reason": "Tem bị rách"},
    )
    assert response.status_code == 422
    page = _page(response)
    assert 'id="label-serial-error"' in page and "KHONGCO123" in page
    assert 'value="Tem bị rách"' in page and 'id="console-nav"' in page


def test_a_start_position_off_the_sheet_keeps_the_run_page_and_what_was_typed(client, world):
    sign_in_as(client, world.users["operator_own"])
    response = client.post(
        f"/console/runs/{world.run_a.id}",
        data={"kind": "sheet", "preset": "a4-21", "start_position": 22, "language": "vi"},
    )
    assert response.status_code == 422
    page = _page(response)
    assert 'id="start_position-error"' in page and "từ 1 đến 21" in page
    assert 'value="22"' in page and 'id="console-nav"' in page


def test_recall_asks_first_naming_the_lot_and_its_labels(client, world, db_session):
    sign_in_as(client, world.users["union_officer"])
    response = client.post(
        f"/console/batches/{world.batch_a.id}/recall", data={"reason": "Salmonella"}
    )
    page = _page(response)
    assert f"Thu hồi lô {world.batch_a.lot_code}?" in page
    assert f"Toàn bộ 3 tem của lô {world.batch_a.lot_code}" in page
    assert db_session.get(Batch, world.batch_a.id).status == BatchStatus.CERTIFIED
    done = client.post(
        f"/console/batches/{world.batch_a.id}/recall",
        data={"reason": "Salmonella", "confirmed": "yes"},
        follow_redirects=True,
    )
    assert f"Lô {world.batch_a.lot_code} đã bị thu hồi" in _page(done)


def test_voiding_a_range_asks_first_naming_how_many_labels_of_which_lot(client, world, db_session):
    sign_in_as(client, world.users["union_officer"])
    form = {"range-run_id": world.run_a.id, "range-first": 1, "range-last": 2, "range-reason": "x"}
    page = _page(client.post(f"/console/batches/{world.batch_a.id}/void", data=form))
    assert f"Hủy 2 tem của lô {world.batch_a.lot_code}?" in page
    done = client.post(
        f"/console/batches/{world.batch_a.id}/void",
        data={**form, "confirmed": "yes"},
        follow_redirects=True,
    )
    # Both still active after the question: the confirmed request voids exactly two.
    assert f"Đã hủy 2 tem của lô {world.batch_a.lot_code}." in _page(done)


def test_every_change_says_what_it_did(client, world):
    sign_in_as(client, world.users["union_officer"])
    page = _page(
        client.post(
            f"/console/batches/{world.draft_a.id}/certifications/new",
            data={
                "scheme": "ocop",
                "ocop_stars": 4,
                "certificate_number": "OCOP-CB-2026-77",
                "issuing_body": "UBND tỉnh Cao Bằng",
                "valid_from": today_local().isoformat(),
                "valid_to": (today_local() + timedelta(days=700)).isoformat(),
            },
            follow_redirects=True,
        )
    )
    assert "Đã ghi nhận giấy chứng nhận OCOP-CB-2026-77 (OCOP)" in page
    page = _page(client.post(f"/console/batches/{world.draft_a.id}/certify", follow_redirects=True))
    assert f"Lô {world.draft_a.lot_code} đã được chứng nhận" in page


def test_console_error_pages_keep_the_navigation(client, world):
    sign_in_as(client, world.users["operator_own"])
    response = client.get("/console/batches/999999")
    assert response.status_code == 404
    page = _page(response)
    assert 'id="console-nav"' in page
    assert "Không có lô hàng số 999999." in page


def test_the_scan_statistics_page_has_the_console_navigation(client, world):
    sign_in_as(client, world.users["operator_own"])
    page = _page(client.get(f"/console/batches/{world.batch_a.id}/scans"))
    assert 'id="console-nav"' in page and "Lượt quét lô" in page
