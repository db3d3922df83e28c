"""Printing an issuance run from the command line, checked by reading the codes back."""

from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.keystore import KeyStore
from tests.factories import Factory
from traceapp.domain.printing import get_run, run_labels
from traceapp.models import Batch, IssuanceRun


@pytest.fixture
def issued_run(run_cli, committed_engine, test_settings) -> int:
    KeyStore(test_settings.keys_dir, test_settings.key_passphrase.encode()).generate()
    with Session(committed_engine) as session:
        batch_id = Factory(session).batch(quantity=200, certified=True).id
        session.commit()
    result = run_cli("issue", str(batch_id), "--count", "70")
    assert result.exit_code == 0, result.output
    with Session(committed_engine) as session:
        return session.scalar(select(IssuanceRun.id).where(IssuanceRun.batch_id == batch_id))


def _decoded(pdf_path) -> list[list[str]]:
    pages = []
    for page in pypdfium2.PdfDocument(str(pdf_path)):
        image = page.render(scale=300 / 72).to_pil()
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        pages.append([result.text for result in found])
    return pages


def _expected_codes(committed_engine, test_settings, run_id: int) -> list[str]:
    with Session(committed_engine) as session:
        run = get_run(session, run_id)
        return [label.code for label in run_labels(session, run, test_settings.public_base_url)]


def test_issue_command_takes_the_labels_from_the_quota(run_cli, issued_run, committed_engine):
    with Session(committed_engine) as session:
        batch = session.scalar(select(Batch).join(IssuanceRun).where(IssuanceRun.id == issued_run))
        assert (batch.labels_issued, batch.quantity) == (70, 200)
    result = run_cli("issue", str(batch.id), "--count", "131")
    assert result.exit_code == 2
    assert "only 130 of the batch's 200" in result.output


def test_sheet_command_prints_every_code_of_the_run_in_order(
    run_cli, issued_run, tmp_path, committed_engine, test_settings
):
    out = tmp_path / "sheet.pdf"
    result = run_cli(
        "labels", "sheet", str(issued_run), "--preset", "a4-24", "--start", "10", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "100 %" in result.output

    pages = _decoded(out)
    assert len(pages) == 4  # ceil((70 + 9) / 24)
    decoded = {code for page in pages for code in page}
    assert decoded == set(_expected_codes(committed_engine, test_settings, issued_run))


def test_sheet_command_prints_a_range_of_the_run(
    run_cli, issued_run, tmp_path, committed_engine, test_settings
):
    out = tmp_path / "range.pdf"
    result = run_cli(
        "labels",
        "sheet",
        str(issued_run),
        "--preset",
        "a4-21",
        "--first",
        "5",
        "--last",
        "9",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    expected = _expected_codes(committed_engine, test_settings, issued_run)[4:9]
    assert {code for page in _decoded(out) for code in page} == set(expected)


def test_unknown_preset_is_an_error_listing_the_presets(run_cli, issued_run, tmp_path):
    result = run_cli(
        "labels", "sheet", str(issued_run), "--preset", "a5-99", "--out", str(tmp_path / "x.pdf")
    )
    assert result.exit_code == 2
    assert "a4-21" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_negative_offset_beyond_calibration_range_is_refused(run_cli, issued_run, tmp_path):
    result = run_cli(
        "labels", "sheet", str(issued_run), "--offset-x", "-25", "--out", str(tmp_path / "x.pdf")
    )
    assert result.exit_code == 2
    assert "offsets are numbers of millimetres from -10 to 10" in result.output


def test_issuing_without_a_signing_key_says_how_to_make_one(run_cli, committed_engine):
    result = run_cli("issue", "1", "--count", "5")
    assert result.exit_code == 2
    assert "key" in result.output and "Traceback" not in result.output


def test_unknown_run_is_an_error(run_cli, committed_engine, tmp_path):
    result = run_cli("labels", "sheet", "999999", "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2
    assert "no issuance run 999999" in result.output


def test_issuing_for_an_unknown_batch_is_an_error(run_cli, issued_run):
    result = run_cli("issue", "999999", "--count", "5")
    assert result.exit_code == 2
    assert "no batch 999999" in result.output


def test_roll_and_single_label_outputs_decode(
    run_cli, issued_run, tmp_path, committed_engine, test_settings
):
    roll = tmp_path / "roll.pdf"
    assert (
        run_cli("labels", "roll", str(issued_run), "--last", "3", "--out", str(roll)).exit_code == 0
    )
    pages = _decoded(roll)
    assert pages == [
        [code] for code in _expected_codes(committed_engine, test_settings, issued_run)[:3]
    ]

    png = tmp_path / "one.png"
    assert (
        run_cli("labels", "single", str(issued_run), "--position", "2", "--out", str(png)).exit_code
        == 0
    )
    found = zxingcpp.read_barcodes(Image.open(png))
    assert [r.text for r in found] == [
        _expected_codes(committed_engine, test_settings, issued_run)[1]
    ]


def test_glabels_stock_by_name_in_english(
    run_cli, issued_run, tmp_path, committed_engine, test_settings
):
    out = tmp_path / "herma.pdf"
    result = run_cli(
        "labels",
        "sheet",
        str(issued_run),
        "--stock",
        "Herma 4677",
        "--language",
        "en",
        "--last",
        "3",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "Herma 4677" in result.output
    expected = _expected_codes(committed_engine, test_settings, issued_run)[:3]
    assert {code for page in _decoded(out) for code in page} == set(expected)
    text = " ".join(pypdfium2.PdfDocument(str(out))[0].get_textpage().get_text_range().split())
    assert "Scan to verify" in text and "Lot:" in text and "Quét" not in text


def test_a_run_issued_in_english_prints_its_sheets_in_english(
    run_cli, committed_engine, test_settings, tmp_path
):
    KeyStore(test_settings.keys_dir, test_settings.key_passphrase.encode()).generate()
    with Session(committed_engine) as session:
        batch_id = Factory(session).batch(quantity=10, certified=True).id
        session.commit()
    assert run_cli("issue", str(batch_id), "-n", "2", "--language", "en").exit_code == 0
    with Session(committed_engine) as session:
        run = session.scalar(select(IssuanceRun).where(IssuanceRun.batch_id == batch_id))
        assert run.label_language == "en"
    out = tmp_path / "export.pdf"
    result = run_cli("labels", "sheet", str(run.id), "--out", str(out))  # no --language
    assert result.exit_code == 0, result.output
    text = " ".join(pypdfium2.PdfDocument(str(out))[0].get_textpage().get_text_range().split())
    assert "Scan to verify" in text and "Quét" not in text


def test_missing_output_folder_is_refused_before_any_work(run_cli, issued_run, tmp_path):
    out = tmp_path / "missing" / "dir" / "x.pdf"
    result = run_cli("labels", "sheet", str(issued_run), "--out", str(out))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: cannot write {out}: the folder {out.parent} does not exist"
    ]


def test_refused_issue_prints_the_error_alone(run_cli, issued_run):
    result = run_cli("issue", "999999", "--count", "5")
    assert result.exit_code == 2
    assert "signing labels" not in result.output


def test_batches_and_runs_are_listed(run_cli, issued_run, committed_engine):
    with Session(committed_engine) as session:
        run = session.get(IssuanceRun, issued_run)
        lot = run.batch.lot_code
    batches = run_cli("batches", "list")
    assert batches.exit_code == 0 and lot in batches.output and "70/200" in batches.output
    runs = run_cli("runs", "list")
    assert runs.exit_code == 0
    assert any(
        line.split()[:4] == [str(issued_run), str(run.batch_id), lot, "70"]
        for line in runs.output.splitlines()
    )


def test_stock_search_lists_glabels_stocks(run_cli):
    result = run_cli("labels", "presets", "--search", "avery l7160")
    assert result.exit_code == 0
    assert "a4-21" in result.output and "63.5 x 38.1 mm" in result.output


def test_print_worker_once_renders_the_waiting_jobs(
    run_cli, issued_run, committed_engine, test_settings
):
    from traceapp.domain.print_jobs import PrintRequest, request_print
    from traceapp.models import PrintJob, PrintJobKind, PrintJobStatus

    with Session(committed_engine) as session:
        job = request_print(
            session, issued_run, PrintRequest(kind=PrintJobKind.ROLL, last=2), "test"
        )
        session.commit()
        job_id = job.id
    result = run_cli("print-worker", "--once")
    assert result.exit_code == 0, result.output
    assert "1 print job(s) rendered" in result.output
    with Session(committed_engine) as session:
        job = session.get(PrintJob, job_id)
        assert job.status == PrintJobStatus.DONE
        path = test_settings.instance_dir / "print-jobs" / job.output_name
    pages = _decoded(path)
    assert pages == [
        [code] for code in _expected_codes(committed_engine, test_settings, issued_run)[:2]
    ]


def test_top_level_help_shows_only_traceapp(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    assert "limiter" not in result.output and "--app" not in result.output
    assert "--env-file" not in result.output and "print-worker" in result.output
