"""Fixtures for verifying real signed labels: a key store, a certified batch with
issued labels, and each label's code as printed."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.codes import label_uri
from tests.factories import Factory
from traceapp import create_app
from traceapp.domain.issuance import issue_labels
from traceapp.domain.scans import NewScan, ScanPlace
from traceapp.domain.signing_keys import active_signer
from traceapp.infrastructure.scan_sinks import FLUSH_INTERVAL, SessionScanSink
from traceapp.models import Batch, Label
from traceapp.models._columns import utcnow
from traceapp.web.public import SCAN_BUFFER


@dataclass
class IssuedLabels:
    batch: Batch
    labels: list[Label]
    uris: list[str]

    def path(self, index: int = 0) -> str:
        """The code's path and query, as a phone opening it requests them."""
        uri = self.uris[index]
        return uri[uri.index("/", len("https://")) :]


def code_uri(base_url: str, batch: Batch, label: Label) -> str:
    product = batch.product
    return label_uri(
        base_url,
        gtin=product.gtin,
        product_ref=None if product.gtin else product.ref,
        lot=batch.lot_code,
        serial=label.serial,
        signature_field=label.signature,
    )


@pytest.fixture
def issue(db_session, test_settings, keystore):
    """Issue `n` labels for a new certified batch (or the one given)."""

    def _issue(
        n: int = 3, batch: Batch | None = None, *, factory=None, with_gtin: bool = True
    ) -> IssuedLabels:
        if batch is None:
            batch = factory.batch(factory.product(with_gtin=with_gtin), certified=True)
        run = issue_labels(db_session, batch.id, n, active_signer(test_settings), "test")
        labels = list(
            db_session.scalars(select(Label).where(Label.run_id == run.id).order_by(Label.sequence))
        )
        uris = [code_uri(test_settings.public_base_url, batch, label) for label in labels]
        return IssuedLabels(batch=batch, labels=labels, uris=uris)

    return _issue


@pytest.fixture
def issued(issue, factory) -> IssuedLabels:
    return issue(3, factory=factory)


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
