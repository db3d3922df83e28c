"""Box labels: the boxes of a packing printed as a PDF sheet whose QR codes are the
addresses of the boxes' pages (at the configured base URL), from the console (a print
job rendered by a print worker, as a run's sheets are) and the CLI, for the batch's own
cooperative and the Union."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdfium2 as pdfium
import pytest
import zxingcpp
from click.testing import CliRunner
from flask.cli import ScriptInfo
from jsonschema import Draft202012Validator
from pypdf import PdfReader

from tests.console.world import bearer, sign_in_as
from traceapp.cli import main
from traceapp.domain.print_jobs import (
    PrintRequest,
    claim_next_job,
    render_job,
    request_box_print,
)
from traceapp.domain.value_chain import StepDetails, packed_boxes, record_step
from traceapp.epcis import box_url, parse_box_uri
from traceapp.models import Batch, PrintJob, PrintJobStatus
from traceapp.web.openapi import openapi_document


def qr_texts(pdf: bytes) -> list[str]:
    """Every QR code on every page, read back at 300 dpi."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [
            result.text
            for page in document
            for result in zxingcpp.read_barcodes(
                page.render(scale=300 / 72).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode
            )
        ]
    finally:
        document.close()


def pack(db_session, batch, boxes: int, per_box: int, hour: int) -> list[str]:
    """Record a packing step and return the identifiers of the boxes it made."""
    before = len(packed_boxes(db_session, batch))
    record_step(
        db_session,
        batch.id,
        StepDetails(
            step="packing",
            boxes=boxes,
            per_box=per_box,
            at=datetime(2026, 11, 26, hour, tzinfo=UTC),
        ),
        "test",
    )
    made = [uri for uri, _ in packed_boxes(db_session, batch)[before:]]
    # Release the savepoint so the requests' own savepoints nest cleanly after it.
    db_session.commit()
    return made


def pages(uris: list[str], settings) -> list[str]:
    """The addresses of the boxes' pages, which their labels' QR codes hold."""
    return sorted(box_url(settings.public_base_url, parse_box_uri(uri)) for uri in uris)


def ask(client, world, role: str, **form):
    """Ask for the box labels as the chain page's form does (302 to the print job's page)."""
    sign_in_as(client, world.users.get(role))
    return client.post(f"/console/chain/batches/{world.batch_a.id}/box-labels", data=form)


def run_print_worker(session_factory, settings) -> None:
    """What a print worker does: render every queued job."""
    while (job_id := claim_next_job(session_factory, "test-worker")) is not None:
        render_job(
            session_factory, job_id, "test-worker", settings.instance_dir, settings.public_base_url
        )


@pytest.fixture
def download(client, world, session_factory, test_settings):
    """Ask for the box labels, let a print worker render them, then download the file;
    the refusal if the request is refused."""

    def download(role: str, **form):
        asked = ask(client, world, role, **form)
        if asked.status_code != 302:
            return asked
        run_print_worker(session_factory, test_settings)
        return client.get(asked.headers["Location"] + "/file")

    return download


def test_console_box_labels_decode_to_exactly_the_packings_box_pages(
    download, world, db_session, test_settings
):
    uris = pack(db_session, world.batch_a, boxes=5, per_box=10, hour=1)
    response = download("operator_own", packing=1, preset="a4-21")
    assert (response.status_code, sorted(qr_texts(response.data))) == (
        200,
        pages(uris, test_settings),
    )


def test_union_officer_downloads_box_labels(download, world, db_session):
    pack(db_session, world.batch_a, boxes=2, per_box=10, hour=1)
    assert download("union_officer", packing=1).status_code == 200


def test_another_cooperatives_operator_gets_404_for_box_labels(download, world, db_session):
    pack(db_session, world.batch_a, boxes=2, per_box=10, hour=1)
    assert download("operator_other", packing=1).status_code == 404


def test_inspector_cannot_download_box_labels(download, world, db_session):
    pack(db_session, world.batch_a, boxes=2, per_box=10, hour=1)
    assert download("inspector", packing=1).status_code == 403


def test_second_packing_prints_only_its_own_boxes(download, world, db_session, test_settings):
    pack(db_session, world.batch_a, boxes=3, per_box=10, hour=1)
    second = pack(db_session, world.batch_a, boxes=2, per_box=10, hour=2)
    response = download("union_officer", packing=2)
    assert sorted(qr_texts(response.data)) == pages(second, test_settings)


def test_box_label_says_which_box_of_how_many(download, world, db_session):
    pack(db_session, world.batch_a, boxes=3, per_box=10, hour=1)
    response = download("union_officer", packing=1, preset="a4-21")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert all(f"Box {n}/3" in text for n in (1, 2, 3))


def test_box_labels_of_an_unpacked_batch_are_404(download):
    assert download("union_officer").status_code == 404


def test_unknown_preset_for_box_labels_is_422(download, world, db_session):
    pack(db_session, world.batch_a, boxes=1, per_box=10, hour=1)
    assert download("union_officer", preset="a0-1").status_code == 422


def test_box_labels_are_a_print_job_the_request_only_queues(
    client, world, db_session, session_factory, test_settings
):
    # More boxes than the print worker hands on at once.
    db_session.get(Batch, world.batch_a.id).quantity = 1500
    db_session.commit()
    pack(db_session, world.batch_a, boxes=1200, per_box=1, hour=1)

    asked = ask(client, world, "operator_own", packing=1, preset="a4-21")
    queued = client.get(asked.headers["Location"]).get_data(as_text=True)
    nothing_rendered = not (test_settings.instance_dir / "print-jobs").exists()
    run_print_worker(session_factory, test_settings)
    downloaded = client.get(asked.headers["Location"] + "/file")

    assert asked.status_code == 302 and nothing_rendered
    assert 'id="job-progress" max="1200" value="0"' in queued
    assert "Lô L" in queued and ", đợt đóng gói 1: 1.200 tem thùng." in queued
    job = db_session.get(PrintJob, int(asked.headers["Location"].rsplit("/", 1)[1]))
    assert (job.batch_id, job.run_id, job.status, job.labels_done, job.labels_total) == (
        world.batch_a.id,
        None,
        PrintJobStatus.DONE,
        1200,
        1200,
    )
    disposition = downloaded.headers["Content-Disposition"]
    assert f"boxes-batch-{world.batch_a.id}-packing-1.pdf" in disposition


def test_another_cooperatives_operator_cannot_see_a_box_label_job(client, world, db_session):
    pack(db_session, world.batch_a, boxes=2, per_box=10, hour=1)
    job = request_box_print(db_session, world.batch_a.id, PrintRequest(packing=1), "test")
    db_session.commit()

    sign_in_as(client, world.users["operator_other"])

    page = f"/console/print-jobs/{job.id}"
    assert [client.get(url).status_code for url in (page, page + "/file")] == [404, 404]


def test_every_box_is_printed_as_packed_when_the_worker_renders_it(
    client, world, db_session, session_factory, test_settings
):
    first = pack(db_session, world.batch_a, boxes=2, per_box=10, hour=1)
    asked = ask(client, world, "union_officer")  # no packing: every box
    second = pack(db_session, world.batch_a, boxes=3, per_box=10, hour=2)

    run_print_worker(session_factory, test_settings)
    pdf = client.get(asked.headers["Location"] + "/file").data

    job = db_session.get(PrintJob, int(asked.headers["Location"].rsplit("/", 1)[1]))
    assert (job.labels_done, job.labels_total) == (5, 5)
    assert sorted(qr_texts(pdf)) == pages(first + second, test_settings)


def test_the_api_shows_a_box_label_job_with_its_batch_and_no_run(
    client, world, db_session, session_factory, test_settings
):
    pack(db_session, world.batch_a, boxes=2, per_box=10, hour=1)
    job = request_box_print(db_session, world.batch_a.id, PrintRequest(packing=1), "test")
    db_session.commit()
    run_print_worker(session_factory, test_settings)
    operator = bearer(world, "operator_own")

    document = client.get(f"/api/v1/print-jobs/{job.id}", headers=operator).get_json()

    Draft202012Validator(openapi_document()["components"]["schemas"]["PrintJob"]).validate(document)
    assert (document["run_id"], document["batch_id"], document["status"]) == (
        None,
        world.batch_a.id,
        "done",
    )
    assert client.get(document["file_url"], headers=operator).mimetype == "application/pdf"


def test_chain_page_offers_box_labels_per_packing(client, world, db_session):
    pack(db_session, world.batch_a, boxes=2, per_box=10, hour=1)
    sign_in_as(client, world.users["operator_own"])
    page = client.get(f"/console/chain/batches/{world.batch_a.id}").get_data(as_text=True)
    assert 'name="packing" value="1"' in page and "a4-21" in page


def test_cli_writes_box_labels_whose_codes_are_the_box_pages(
    app, world, db_session, tmp_path, test_settings
):
    uris = pack(db_session, world.batch_a, boxes=4, per_box=10, hour=1)
    out = tmp_path / "boxes.pdf"
    result = CliRunner().invoke(
        main,
        ["epcis", "box-labels", str(world.batch_a.id), "--out", str(out), "--preset", "a4-21"],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert (result.exit_code, sorted(qr_texts(out.read_bytes()))) == (
        0,
        pages(uris, test_settings),
    ), result.output


def test_cli_box_labels_of_an_unpacked_batch_exit_2(app, world, tmp_path):
    result = CliRunner().invoke(
        main,
        ["epcis", "box-labels", str(world.batch_a.id), "--out", str(tmp_path / "boxes.pdf")],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert result.exit_code == 2
