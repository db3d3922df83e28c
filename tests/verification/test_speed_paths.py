"""The page's fast paths as a server runs them: scans buffered and written in the
background, batch records and rendered pages kept a few seconds, status always fresh."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.verification.conftest import code_uri
from traceapp import create_app
from traceapp.domain.issuance import issue_labels
from traceapp.domain.signing_keys import active_signer
from traceapp.models import Label, Scan
from traceapp.web.public import BATCH_CACHE, SCAN_BUFFER, flush_scans
from traceapp.web.public.batch_cache import BatchCache

EN = {"Accept-Language": "en"}


@dataclass
class CommittedLabels:
    batch_id: int
    label_ids: list[int]
    paths: list[str]


@pytest.fixture
def committed_labels(committed_engine, test_settings, keystore) -> CommittedLabels:
    """Two labels of a certified batch, committed so a server's own sessions see them."""
    with Session(committed_engine, expire_on_commit=False) as session:
        factory = Factory(session)
        batch = factory.batch(factory.product(with_gtin=True), certified=True)
        run = issue_labels(session, batch.id, 2, active_signer(test_settings), "test")
        labels = list(
            session.scalars(select(Label).where(Label.run_id == run.id).order_by(Label.sequence))
        )
        uris = [code_uri(test_settings.public_base_url, batch, label) for label in labels]
        session.commit()
        return CommittedLabels(
            batch.id,
            [label.id for label in labels],
            [uri[uri.index("/", len("https://")) :] for uri in uris],
        )


@pytest.fixture
def server_app(test_settings, committed_labels):
    """The app as gunicorn runs it: its own engine, scans buffered."""
    app = create_app(dataclasses.replace(test_settings, scan_buffer=True))
    yield app
    flush_scans(app)


def stored_scans(committed_engine, label_id: int) -> int:
    with committed_engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(Scan).where(Scan.label_id == label_id)
        ).scalar_one()


def test_server_buffers_scans_instead_of_writing_them_in_the_request(server_app):
    assert SCAN_BUFFER in server_app.extensions


def test_buffered_scans_are_written_when_flushed(server_app, committed_labels, committed_engine):
    client = server_app.test_client()
    client.get(committed_labels.paths[0])
    client.get(committed_labels.paths[0])
    flush_scans(server_app)
    assert stored_scans(committed_engine, committed_labels.label_ids[0]) == 2


def test_a_scan_the_database_refuses_does_not_hold_back_the_others(
    server_app, committed_labels, committed_engine
):
    client = server_app.test_client()
    client.get(committed_labels.paths[0])
    buffer = server_app.extensions[SCAN_BUFFER]
    good = buffer.pending(committed_labels.label_ids[0])[0]
    buffer.add(
        {
            "label_id": 2**31 - 1,
            "scanned_at": good.scanned_at,
            "verdict": "genuine",
            "client_hash": "0" * 64,
            "latitude": None,
            "longitude": None,
            "region": None,
        }
    )
    flush_scans(server_app)
    assert stored_scans(committed_engine, committed_labels.label_ids[0]) == 1
    assert buffer.pending(2**31 - 1) == []


def test_page_counts_scans_still_in_the_buffer(server_app, committed_labels):
    client = server_app.test_client()
    client.get(committed_labels.paths[0])
    page = client.get(committed_labels.paths[0], headers=EN).get_data(as_text=True)
    assert "Scanned 2 times since" in page


def test_two_labels_of_a_batch_show_their_own_serial_and_count(server_app, committed_labels):
    client = server_app.test_client()
    client.get(committed_labels.paths[0])
    page = client.get(committed_labels.paths[1], headers=EN).get_data(as_text=True)
    serial = committed_labels.paths[1].split("/21/")[1].split("?")[0]
    assert f"<dd>{serial}</dd>" in page and "Scanned 1 time since" in page


def test_located_scan_completes_a_buffered_scan(server_app, committed_labels, committed_engine):
    client = server_app.test_client()
    client.get(committed_labels.paths[0])
    client.get(committed_labels.paths[0] + "&lat=22.66&lon=106.25")
    flush_scans(server_app)
    assert stored_scans(committed_engine, committed_labels.label_ids[0]) == 1


def test_recall_shows_at_once_despite_the_cache(server_app, committed_labels, committed_engine):
    client = server_app.test_client()
    client.get(committed_labels.paths[0])
    with committed_engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE batches SET status = 'recalled', recall_reason = 'Salmonella' "
            f"WHERE id = {committed_labels.batch_id}"
        )
    document = client.get(committed_labels.paths[1], headers={"Accept": "application/json"})
    assert document.get_json()["verdict"] == "recalled"


def test_new_certification_shows_once_the_batch_cache_expires(app, client, issue, factory):
    app.extensions[BATCH_CACHE] = BatchCache(seconds=0)
    issued = issue(1, factory=factory)
    client.get(issued.path(0))
    factory.certification(issued.batch, scheme="vietgap")
    page = client.get(issued.path(0), headers=EN).get_data(as_text=True)
    assert "VietGAP" in page
