"""Scan statistics per batch, for the Union and for the batch's own cooperative."""

from __future__ import annotations

import pytest

from tests.verification.conftest import record_scan
from traceapp.clock import today_local
from traceapp.domain.accounts import create_user
from traceapp.domain.scans import batch_scan_statistics, flagged_codes
from traceapp.errors import NotFound
from traceapp.infrastructure.records import ScanPlace


def sign_in(client, db_session, role: str, cooperative_id: int | None = None):
    user = create_user(
        db_session,
        f"{role}-{cooperative_id}@example.vn",
        "Nông Thị Lan",
        "a long enough password",
        role,
        "test",
        cooperative_id=cooperative_id,
    )
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}.{user.session_generation}"
        session["_fresh"] = True
    return user


def test_first_scan_ratio_counts_labels_scanned_at_least_once(db_session, issued):
    for label in issued.labels[:2]:
        record_scan(db_session, label.id, "phone", ScanPlace())
    record_scan(db_session, issued.labels[0].id, "phone", ScanPlace())
    stats = batch_scan_statistics(db_session, issued.batch.id, today_local())
    assert (stats.labels_scanned, stats.labels_issued, stats.total_scans) == (2, 3, 3)


def test_scans_are_counted_on_their_local_day(db_session, issued):
    record_scan(db_session, issued.labels[0].id, "phone", ScanPlace())
    stats = batch_scan_statistics(db_session, issued.batch.id, today_local())
    assert stats.days[-1] == (today_local(), 1) and len(stats.days) == 30


def test_another_cooperative_cannot_see_the_statistics(db_session, issued, factory):
    other = factory.cooperative()
    with pytest.raises(NotFound):
        batch_scan_statistics(db_session, issued.batch.id, today_local(), cooperative_id=other.id)


def test_union_officer_sees_the_scans_page_with_a_chart(db_session, client, issued):
    record_scan(db_session, issued.labels[0].id, "phone", ScanPlace())
    sign_in(client, db_session, "union_officer")
    response = client.get(f"/console/batches/{issued.batch.id}/scans")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<svg" in page and "<rect" in page


def test_scans_page_lists_flagged_codes(db_session, client, issued):
    for n in range(25):
        record_scan(db_session, issued.labels[1].id, f"phone-{n}", ScanPlace())
    sign_in(client, db_session, "union_officer")
    page = client.get(f"/console/batches/{issued.batch.id}/scans").get_data(as_text=True)
    assert issued.labels[1].serial in page.split('id="flagged"')[1]


def test_own_cooperative_operator_sees_the_scans_page(db_session, client, issued):
    sign_in(client, db_session, "cooperative_operator", issued.batch.cooperative_id)
    assert client.get(f"/console/batches/{issued.batch.id}/scans").status_code == 200


def test_other_cooperative_operator_gets_404(db_session, client, issued, factory):
    sign_in(client, db_session, "cooperative_operator", factory.cooperative().id)
    assert client.get(f"/console/batches/{issued.batch.id}/scans").status_code == 404


def test_inspector_is_forbidden(db_session, client, issued):
    sign_in(client, db_session, "inspector")
    assert client.get(f"/console/batches/{issued.batch.id}/scans").status_code == 403


def test_stranger_is_sent_to_sign_in(db_session, client, issued):
    response = client.get(f"/console/batches/{issued.batch.id}/scans")
    assert response.status_code == 302 and "sign" in response.headers["Location"]


def test_union_dashboard_lists_codes_scanned_by_too_many_phones(db_session, client, issued):
    for n in range(25):
        record_scan(db_session, issued.labels[2].id, f"phone-{n}", ScanPlace())
    record_scan(db_session, issued.labels[0].id, "phone", ScanPlace())
    sign_in(client, db_session, "union_officer")
    page = client.get("/console/").get_data(as_text=True)
    flagged = page.split("Mã có thể đã bị sao chép")[1].split("</table>")[0]
    assert issued.labels[2].serial in flagged
    assert issued.labels[0].serial not in flagged


def test_codes_scanned_far_apart_within_hours_are_flagged_across_batches(db_session, issued):
    label = issued.labels[0]
    record_scan(db_session, label.id, "phone-a", ScanPlace(22.67, 106.26))  # Cao Bằng
    record_scan(db_session, label.id, "phone-b", ScanPlace(10.78, 106.70))  # HCMC
    flagged = flagged_codes(db_session)
    assert [(code.serial, code.flags) for code in flagged] == [(label.serial, ("distant_places",))]
