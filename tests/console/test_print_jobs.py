"""Print jobs as the print workers see them: claiming, progress, failure, takeover, files."""

from __future__ import annotations

import logging
import stat
import threading
import time
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from traceapp.clock import today_local
from traceapp.domain import print_jobs
from traceapp.domain.print_jobs import (
    STALE_AFTER,
    PrintRequest,
    chunked_labels,
    claim_next_job,
    job_refusal,
    remove_old_files,
    render_job,
    request_print,
)
from traceapp.models import PrintJob, PrintJobStatus
from traceapp.models._columns import utcnow
from traceapp.workers.print_worker import work


def _render(session_factory, test_settings, job_id: int, worker: str = "w1") -> None:
    render_job(
        session_factory, job_id, worker, test_settings.instance_dir, test_settings.public_base_url
    )


def test_a_job_is_claimed_by_one_worker_only(world, session_factory):
    first = claim_next_job(session_factory, "w1")
    assert first == world.job_a.id
    assert claim_next_job(session_factory, "w2") is None


def test_chunks_are_read_separately_and_progress_is_reported_after_each(
    world, session_factory, test_settings, monkeypatch
):
    monkeypatch.setattr(print_jobs, "CHUNK", 2)
    reported: list[int] = []
    labels = list(
        chunked_labels(
            session_factory,
            world.run_a.id,
            test_settings.public_base_url,
            1,
            3,
            "vi",
            today_local(),
            reported.append,
        )
    )
    assert len(labels) == 3 and reported == [2, 3]
    assert labels[0].issuer == "Liên minh Hợp tác xã tỉnh Cao Bằng"
    assert labels[0].wording.scan_prompt == "Quét để kiểm tra"


def test_a_rendered_job_is_done_with_a_private_file(
    world, session_factory, db_session, test_settings
):
    job_id = claim_next_job(session_factory, "w1")
    _render(session_factory, test_settings, job_id)
    job = db_session.get(PrintJob, job_id)
    db_session.refresh(job)
    assert (job.status, job.labels_done, job.labels_total) == (PrintJobStatus.DONE, 3, 3)
    path = test_settings.instance_dir / print_jobs.OUTPUT_DIR / job.output_name
    assert path.read_bytes().startswith(b"%PDF") and path.stat().st_size == job.output_size
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob("*.part"))


def test_a_job_the_stock_cannot_hold_fails_with_the_reason(
    world, session_factory, db_session, test_settings
):
    job = request_print(db_session, world.run_a.id, PrintRequest(preset="Avery L7651"), "test")
    db_session.commit()
    while (job_id := claim_next_job(session_factory, "w1")) is not None:
        _render(session_factory, test_settings, job_id)
    db_session.refresh(job)
    assert job.status == PrintJobStatus.FAILED
    refusal = job_refusal(job)
    assert refusal is not None and refusal.detail.startswith(
        "these labels do not fit on the chosen label stock"
    )


def test_a_dead_workers_job_is_taken_over_and_the_dead_one_cannot_finish_it(
    world, session_factory, db_session, test_settings
):
    job_id = claim_next_job(session_factory, "dead-worker")
    db_session.execute(
        update(PrintJob)
        .where(PrintJob.id == job_id)
        .values(heartbeat_at=utcnow() - STALE_AFTER - timedelta(seconds=1))
    )
    db_session.commit()
    assert claim_next_job(session_factory, "w2") == job_id
    _render(session_factory, test_settings, job_id, worker="dead-worker")  # comes back to life
    job = db_session.get(PrintJob, job_id)
    db_session.refresh(job)
    assert (job.status, job.worker) == (PrintJobStatus.RENDERING, "w2")
    _render(session_factory, test_settings, job_id, worker="w2")
    db_session.refresh(job)
    assert job.status == PrintJobStatus.DONE


def test_a_failed_job_says_why_on_its_console_page(
    client, world, db_session, session_factory, test_settings
):
    from tests.console.world import sign_in_as

    job = request_print(db_session, world.run_a.id, PrintRequest(preset="Avery L7651"), "test")
    db_session.commit()
    while (job_id := claim_next_job(session_factory, "w1")) is not None:
        _render(session_factory, test_settings, job_id)
    sign_in_as(client, world.users["operator_own"])
    page = client.get(f"/console/print-jobs/{job.id}").get_data(as_text=True)
    assert 'role="alert"' in page and "hãy chọn loại tem lớn hơn" in page and "refresh" not in page


def test_files_are_removed_after_a_week_and_then_said_to_be_gone(
    client, world, session_factory, db_session, test_settings
):
    from tests.console.world import sign_in_as

    job_id = claim_next_job(session_factory, "w1")
    _render(session_factory, test_settings, job_id)
    job = db_session.get(PrintJob, job_id)
    db_session.refresh(job)
    path = test_settings.instance_dir / print_jobs.OUTPUT_DIR / job.output_name
    assert remove_old_files(session_factory, test_settings.instance_dir) == 0
    assert path.exists()
    later = job.finished_at + print_jobs.KEEP_FILES + timedelta(minutes=1)
    assert remove_old_files(session_factory, test_settings.instance_dir, now=later) == 1
    assert not path.exists()
    db_session.commit()  # end the test session's read before the request's own
    sign_in_as(client, world.users["operator_own"])
    response = client.get(f"/console/print-jobs/{job_id}/file")
    assert response.status_code == 404
    assert "không còn được lưu" in response.get_data(as_text=True)


def test_the_print_worker_outlives_a_database_that_does_not_answer(test_settings, caplog):
    # A database restart must not leave the service with no print worker: it retries.
    unreachable = replace(test_settings, database_url="postgresql+psycopg://x@127.0.0.1:9/none")
    stop = threading.Event()
    worker = threading.Thread(
        target=work, args=(unreachable,), kwargs={"stop": stop, "retry_seconds": 0.05}
    )
    with caplog.at_level(logging.ERROR, logger="traceapp.workers.print_worker"):
        worker.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and caplog.text.count("retrying") < 2:
            time.sleep(0.05)
        alive = worker.is_alive()
        stop.set()
        worker.join(timeout=30)
    assert alive and caplog.text.count("the database is unavailable; retrying") >= 2
    assert not worker.is_alive()


def test_a_refusal_with_values_is_shown_in_the_readers_language(
    client, world, db_session, session_factory, test_settings
):
    from tests.console.world import sign_in_as

    job = request_print(db_session, world.run_a.id, PrintRequest(), "test")
    # Queued before an upgrade that no longer knows its stock.
    job.parameters = {**job.parameters, "preset": "a4-40"}
    db_session.commit()
    while (job_id := claim_next_job(session_factory, "w1")) is not None:
        _render(session_factory, test_settings, job_id)
    sign_in_as(client, world.users["operator_own"])
    page = client.get(f"/console/print-jobs/{job.id}").get_data(as_text=True)
    assert "Không có loại giấy tem a4-40; nên dùng: a4-24, a4-21" in page
