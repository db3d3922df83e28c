"""The label language is chosen per issuance run (vi by default, en for export) and is
the default of that run's print jobs, which may still ask for another."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.console.world import bearer, sign_in_as
from traceapp.domain.print_jobs import PrintRequest, request_print
from traceapp.models import IssuanceRun


def _newest_run(db_session, batch_id: int) -> IssuanceRun:
    db_session.expire_all()
    return db_session.scalars(
        select(IssuanceRun).where(IssuanceRun.batch_id == batch_id).order_by(IssuanceRun.id.desc())
    ).first()


def test_a_run_issued_in_english_prints_in_english_unless_a_job_asks_otherwise(
    client, world, db_session
):
    sign_in_as(client, world.users["operator_own"])
    response = client.post(
        f"/console/batches/{world.batch_a.id}/issuance",
        data={"count": "2", "label_language": "en"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # The run's print form offers its language first.
    assert re.search(r'<option selected value="en">|<option value="en" selected', page), page
    run = _newest_run(db_session, world.batch_a.id)
    assert run.label_language == "en"

    assert request_print(db_session, run.id, PrintRequest(), "test").parameters["language"] == "en"
    asked = request_print(db_session, run.id, PrintRequest(language="vi"), "test")
    assert asked.parameters["language"] == "vi"


def test_runs_are_vietnamese_unless_chosen_otherwise(client, world, db_session):
    assert world.run_a.label_language == "vi"
    job = request_print(db_session, world.run_a.id, PrintRequest(), "test")
    assert job.parameters["language"] == "vi"


def test_the_api_issues_a_run_in_the_language_asked_for(client, world):
    headers = bearer(world, "union_officer")
    url = f"/api/v1/batches/{world.batch_a.id}/issuance"
    english = client.post(url, json={"count": 1, "label_language": "en"}, headers=headers)
    default = client.post(url, json={"count": 1}, headers=headers)
    refused = client.post(url, json={"count": 1, "label_language": "de"}, headers=headers)
    assert (english.status_code, english.json["label_language"]) == (201, "en")
    assert (default.status_code, default.json["label_language"]) == (201, "vi")
    assert refused.status_code == 422
