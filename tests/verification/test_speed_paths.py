"""The page's fast paths as a server runs them: scans buffered and written in the
background, batch records and rendered pages kept a few seconds, status always fresh."""

from __future__ import annotations

import time
from dataclasses import replace

from sqlalchemy import func, select

from traceapp.clock import today_local
from traceapp.domain.scans import coarse_place
from traceapp.domain.verification import Verifier, batch_records
from traceapp.infrastructure.batch_records import CachedBatchRecords
from traceapp.infrastructure.labels import label_source
from traceapp.infrastructure.read_sessions import read_sessions
from traceapp.infrastructure.records import ScanPlace
from traceapp.models import Scan
from traceapp.web.public import KEYSETS, SCAN_BUFFER, flush_scans

EN = {"Accept-Language": "en"}


def stored_scans(committed_engine, label_id: int) -> int:
    with committed_engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(Scan).where(Scan.label_id == label_id)
        ).scalar_one()


def test_server_buffers_scans_instead_of_writing_them_in_the_request(
    server_app, committed_labels, committed_engine
):
    buffer = server_app.extensions[SCAN_BUFFER]
    with buffer._flushing:  # hold the writer thread back while the page answers
        server_app.test_client().get(committed_labels.paths[0])
        waiting = len(buffer.pending(committed_labels.label_ids[0]))
        stored = stored_scans(committed_engine, committed_labels.label_ids[0])
    assert (waiting, stored) == (1, 0)


def test_the_writer_thread_stores_buffered_scans_within_a_second(
    server_app, committed_labels, committed_engine
):
    server_app.test_client().get(committed_labels.paths[0])
    deadline = time.monotonic() + 5
    while stored_scans(committed_engine, committed_labels.label_ids[0]) == 0:
        assert time.monotonic() < deadline, "the buffered scan was never written"
        time.sleep(0.05)


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
    buffer = server_app.extensions[SCAN_BUFFER]
    with buffer._flushing:  # the writer thread waits until both scans are in
        client.get(committed_labels.paths[0])
        good = buffer.pending(committed_labels.label_ids[0])[0]
        buffer.add(replace(good, label_id=2**31 - 1))
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


def test_a_write_ending_between_the_two_reads_is_not_missed(
    server_app, committed_labels, committed_engine
):
    """The writer thread may store a scan after the view read the database and before
    it asked for pending scans: the view reads both again rather than miss it."""
    buffer = server_app.extensions[SCAN_BUFFER]
    reading = read_sessions(server_app.extensions["traceapp.sessions"])
    real = label_source(reading.bind, reading.thread_session)

    class WriterEndsAfterTheRead:
        def label_state(self, *args):
            state = real.label_state(*args)
            buffer.flush()  # as the writer thread would, just now
            return state

        def located_scans(self, *args):
            return real.located_scans(*args)

    verifier = Verifier(
        WriterEndsAfterTheRead(),
        CachedBatchRecords(reading.session, batch_records, 0),
        buffer,
    )
    keyset = server_app.extensions[KEYSETS].current()
    uri = f"https://trace.example.vn{committed_labels.paths[0]}"
    place = coarse_place("22.66", "106.25")
    verifier.scan(uri, keyset, today_local(), client="phone", place=ScanPlace())
    second = verifier.scan(uri, keyset, today_local(), client="phone", place=place)
    buffer.flush()
    assert second.scans is not None and second.scans.scans == 1
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


def test_new_certification_shows_once_the_batch_cache_expires(
    make_app, test_settings, session_factory, issue, factory
):
    app = make_app(
        replace(test_settings, verification_cache_seconds=0), session_factory=session_factory
    )
    client = app.test_client()
    issued = issue(1, factory=factory)
    client.get(issued.path(0))
    factory.certification(issued.batch, scheme="vietgap")
    page = client.get(issued.path(0), headers=EN).get_data(as_text=True)
    app.extensions[SCAN_BUFFER].close()
    assert "VietGAP" in page


def test_new_certification_waits_for_the_batch_cache(client, issue, factory):
    issued = issue(1, factory=factory)
    client.get(issued.path(0))
    factory.certification(issued.batch, scheme="vietgap")
    page = client.get(issued.path(0), headers=EN).get_data(as_text=True)
    assert "VietGAP" not in page
