"""Fixtures for verification as a server runs it: labels committed for a server's
own sessions, the server app with its writer thread, and scans stored directly.
(Issued labels and their codes, shared with the resolver and value-chain tests, are
in tests/conftest.py.)"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import code_uri
from tests.factories import Factory
from traceapp import create_app
from traceapp.domain.issuance import issue_labels
from traceapp.domain.scans import NewScan, ScanPlace
from traceapp.domain.signing_keys import active_signer
from traceapp.infrastructure.scan_sinks import FLUSH_INTERVAL, SessionScanSink
from traceapp.models import Label
from traceapp.models._columns import utcnow
from traceapp.web.public import SCAN_BUFFER


def record_scan(session, label_id, client: str, place: ScanPlace | None = None) -> None:
    """Store one scan of the label now, as the page's scan sink does."""
    scan = NewScan(label_id, "genuine", client, place or ScanPlace(), utcnow())
    SessionScanSink(session).add(scan)


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
    """The app as gunicorn runs it: its own engines, scans written by a background thread."""
    app = create_app(replace(test_settings, scan_flush_seconds=FLUSH_INTERVAL))
    yield app
    app.extensions[SCAN_BUFFER].close()
