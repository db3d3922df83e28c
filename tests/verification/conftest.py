"""Fixtures for verifying real signed labels: a key store, a certified batch with
issued labels, and each label's code as printed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from keys.codes import label_uri
from traceapp.domain.issuance import issue_labels
from traceapp.domain.signing_keys import active_signer
from traceapp.models import Batch, Label
from traceapp.web.public.keyset_cache import forget_keysets


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


@pytest.fixture(autouse=True)
def _fresh_keysets():
    forget_keysets()
    yield
    forget_keysets()


@pytest.fixture
def issue(db_session, test_settings, keystore):
    """Issue `n` labels for a new certified batch (or the one given)."""

    def _issue(
        n: int = 3, batch: Batch | None = None, *, factory=None, with_gtin: bool = True
    ) -> IssuedLabels:
        if batch is None:
            product = factory.product(with_gtin=with_gtin)
            # Without a GTIN a batch is certified only if it was before passports (0015).
            batch = (
                factory.batch(product, certified=True)
                if with_gtin
                else factory.legacy_certified_batch(product)
            )
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
