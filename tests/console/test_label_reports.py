"""A red or amber page tells the consumer what to do: the Union's hotline and a
"report this label" form, stored for the Union, spam-safe and rate-limited."""

from __future__ import annotations

import dataclasses
import re

from sqlalchemy import func, select

from tests.console.world import sign_in_as
from traceapp.models import LabelReport

HOTLINE = "0206 3852 123"


def _code_path(client, world, index=0):
    response = client.get(
        f"/api/v1/runs/{world.run_a.id}/labels",
        headers={"Authorization": f"Bearer {world.tokens['union_officer']}"},
    )
    code = response.get_json()["items"][index]["code"]
    return code[code.index("/01/") :]


def _report(client, **fields):
    data = {"code": "/01/x", "verdict": "voided", "message": "Tem giả ở chợ", **fields}
    return client.post("/report", data=data)


def _reports(db_session) -> int:
    return db_session.scalar(select(func.count(LabelReport.id)))


def _app_with_hotline(make_app, test_settings, session_factory, **settings):
    settings = dataclasses.replace(test_settings, union_hotline=HOTLINE, **settings)
    return make_app(
        settings, {"TESTING": True, "WTF_CSRF_ENABLED": False}, session_factory=session_factory
    )


def test_a_voided_label_page_gives_the_hotline_and_the_report_form(
    make_app, client, world, test_settings, session_factory
):
    sign_in_as(client, world.users["union_officer"])
    serial_path = _code_path(client, world)
    client.post(
        f"/console/batches/{world.batch_a.id}/void",
        data={
            "label-serial": serial_path.split("/21/")[1].split("?")[0],
            "label-reason": "in lỗi",
            "confirmed": "yes",
        },
    )
    public = _app_with_hotline(make_app, test_settings, session_factory).test_client()
    page = public.get(serial_path).get_data(as_text=True)
    assert (
        'id="what-to-do"' in page and f'href="tel:02063852123" id="hotline">{HOTLINE}</a>' in page
    )
    assert 'name="verdict" value="voided"' in page and "✓" not in page


def test_a_genuine_page_offers_no_report_form(client, world):
    page = client.get(_code_path(client, world)).get_data(as_text=True)
    assert 'id="what-to-do"' not in page


def test_a_report_is_stored_and_listed_for_the_union(client, world, db_session):
    # (Signed in first: the test app's context, and its remembered user, outlive a request.)
    sign_in_as(client, world.users["union_officer"])
    response = _report(client, place="Chợ Sông Bằng", contact="0912 345 678")
    assert response.status_code == 201
    assert "Liên minh đã nhận được phản ánh" in response.get_data(as_text=True)
    page = client.get("/console/reports").get_data(as_text=True)
    assert "Chợ Sông Bằng" in page and "Tem đã bị hủy" in page and "0912 345 678" in page


def test_the_union_marks_a_report_handled(client, world):
    sign_in_as(client, world.users["union_officer"])
    _report(client)
    listed = client.get("/console/reports").get_data(as_text=True)
    report_id = int(re.search(r"/console/reports/(\d+)/handled", listed).group(1))
    page = client.post(f"/console/reports/{report_id}/handled", follow_redirects=True).get_data(
        as_text=True
    )
    assert f"Phản ánh số {report_id} đã được đánh dấu là đã xử lý." in page
    assert "Không có phản ánh nào." in page  # the open list is empty again


def test_a_robot_filling_the_hidden_field_is_thanked_and_nothing_is_stored(client, db_session):
    response = _report(client, website="http://spam.example")
    assert response.status_code == 200
    assert _reports(db_session) == 0


def test_an_empty_report_is_refused_with_the_form_kept(client, db_session):
    response = _report(client, message="", place="Chợ Sông Bằng")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="message-error"' in page and 'value="Chợ Sông Bằng"' in page
    assert _reports(db_session) == 0


def test_a_report_about_no_known_verdict_is_refused(client, db_session):
    assert _report(client, verdict="genuine").status_code == 422
    assert _reports(db_session) == 0


def test_reports_are_rate_limited_per_address(make_app, test_settings, session_factory):
    app = _app_with_hotline(
        make_app,
        test_settings,
        session_factory,
        rate_limits=True,
        rate_limit_report="2/hour",
    )
    client = app.test_client()
    statuses = [_report(client).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    refused = _report(client)
    assert "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    assert "Retry-After" in refused.headers
