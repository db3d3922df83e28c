"""Box labels: the boxes of a packing printed as a PDF sheet whose QR codes are the
addresses of the boxes' pages (at the configured base URL), from the console and the
CLI, for the batch's own cooperative and the Union."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdfium2 as pdfium
import zxingcpp
from click.testing import CliRunner
from flask.cli import ScriptInfo
from pypdf import PdfReader

from tests.console.world import sign_in_as
from traceapp.cli import main
from traceapp.domain.value_chain import StepDetails, packed_boxes, record_step
from traceapp.epcis import box_url, parse_box_uri


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


def download(client, world, role: str, **query):
    sign_in_as(client, world.users.get(role))
    return client.get(f"/console/chain/batches/{world.batch_a.id}/boxes.pdf", query_string=query)


def test_console_box_labels_decode_to_exactly_the_packings_box_pages(
    client, world, db_session, test_settings
):
    uris = pack(db_session, world.batch_a, boxes=5, per_box=10, hour=1)
    response = download(client, world, "operator_own", packing=1, preset="a4-21")
    assert (response.status_code, sorted(qr_texts(response.data))) == (
        200,
        pages(uris, test_settings),
    )


def test_union_officer_downloads_box_labels(client, world, db_session):
    pack(db_session, world.batch_a, boxes=2, per_box=10, hour=1)
    assert download(client, world, "union_officer", packing=1).status_code == 200


def test_another_cooperatives_operator_gets_404_for_box_labels(client, world, db_session):
    pack(db_session, world.batch_a, boxes=2, per_box=10, hour=1)
    assert download(client, world, "operator_other", packing=1).status_code == 404


def test_inspector_cannot_download_box_labels(client, world, db_session):
    pack(db_session, world.batch_a, boxes=2, per_box=10, hour=1)
    assert download(client, world, "inspector", packing=1).status_code == 403


def test_second_packing_prints_only_its_own_boxes(client, world, db_session, test_settings):
    pack(db_session, world.batch_a, boxes=3, per_box=10, hour=1)
    second = pack(db_session, world.batch_a, boxes=2, per_box=10, hour=2)
    response = download(client, world, "union_officer", packing=2)
    assert sorted(qr_texts(response.data)) == pages(second, test_settings)


def test_box_label_says_which_box_of_how_many(client, world, db_session):
    pack(db_session, world.batch_a, boxes=3, per_box=10, hour=1)
    response = download(client, world, "union_officer", packing=1, preset="a4-21")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert all(f"Box {n}/3" in text for n in (1, 2, 3))


def test_box_labels_of_an_unpacked_batch_are_404(client, world):
    assert download(client, world, "union_officer").status_code == 404


def test_unknown_preset_for_box_labels_is_422(client, world, db_session):
    pack(db_session, world.batch_a, boxes=1, per_box=10, hour=1)
    assert download(client, world, "union_officer", preset="a0-1").status_code == 422


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
