"""Issuing labels: only for certified batches, never beyond the certified quantity,
all or nothing, and every code verifies offline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from keys.codes import label_uri
from keys.signing import CodeSigner
from keys.verify import Verdict, verify_code
from traceapp.clock import today_local
from traceapp.domain.batches import recall_batch
from traceapp.domain.issuance import MAX_LABELS_PER_REQUEST, issue_labels
from traceapp.errors import Conflict, InvalidInput, NotFound
from traceapp.models import AuditEntry, Label


def _label_count(session, batch_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Label).where(Label.batch_id == batch_id))


def test_issuing_creates_one_label_per_item_with_distinct_serials(db_session, factory, signer):
    batch = factory.batch(quantity=1000, certified=True)

    run = issue_labels(db_session, batch.id, 1000, signer, "test")

    serials = db_session.scalars(select(Label.serial).where(Label.run_id == run.id)).all()
    assert len(serials) == 1000 == len(set(serials))
    assert batch.labels_issued == 1000


def test_every_issued_code_verifies_offline(db_session, factory, signer, keyset, test_settings):
    batch = factory.batch(quantity=50, certified=True)
    run = issue_labels(db_session, batch.id, 50, signer, "test")

    labels = db_session.scalars(select(Label).where(Label.run_id == run.id)).all()
    verdicts = {
        verify_code(
            label_uri(
                test_settings.public_base_url,
                gtin=batch.product.gtin,
                lot=batch.lot_code,
                serial=label.serial,
                signature_field=label.signature,
            ),
            keyset,
        ).verdict
        for label in labels
    }
    assert verdicts == {Verdict.GENUINE}


def test_products_without_gtin_get_codes_that_verify(
    db_session, factory, signer, keyset, test_settings
):
    product = factory.product(with_gtin=False)
    batch = factory.legacy_certified_batch(product, quantity=5)
    run = issue_labels(db_session, batch.id, 5, signer, "test")

    label = db_session.scalars(select(Label).where(Label.run_id == run.id)).first()
    uri = label_uri(
        test_settings.public_base_url,
        product_ref=product.ref,
        lot=batch.lot_code,
        serial=label.serial,
        signature_field=label.signature,
    )
    assert verify_code(uri, keyset).verdict == Verdict.GENUINE


def test_second_issuance_cannot_exceed_certified_quantity(db_session, factory, signer):
    batch = factory.batch(quantity=1000, certified=True)
    issue_labels(db_session, batch.id, 700, signer, "test")

    with pytest.raises(Conflict, match="only 300 of the batch's 1000 certified items"):
        issue_labels(db_session, batch.id, 301, signer, "test")
    assert _label_count(db_session, batch.id) == 700


def test_the_last_labels_of_the_quota_can_be_issued(db_session, factory, signer):
    batch = factory.batch(quantity=10, certified=True)
    issue_labels(db_session, batch.id, 7, signer, "test")
    issue_labels(db_session, batch.id, 3, signer, "test")
    assert _label_count(db_session, batch.id) == 10


def test_draft_batch_gets_no_labels(db_session, factory, signer):
    batch = factory.batch(certified=False)
    with pytest.raises(Conflict, match="waits for the Union"):
        issue_labels(db_session, batch.id, 1, signer, "test")


def test_recalled_batch_gets_no_labels(db_session, factory, signer):
    batch = factory.batch(certified=True)
    recall_batch(db_session, batch, "Salmonella found in a sample", "test")
    with pytest.raises(Conflict, match="recalled"):
        issue_labels(db_session, batch.id, 1, signer, "test")


def test_batch_whose_certification_expired_gets_no_labels(db_session, factory, signer):
    expired_batch = factory.batch(certified=False)
    today = today_local()
    factory.certification(
        expired_batch, valid_from=today - timedelta(days=400), valid_to=today - timedelta(days=1)
    )
    expired_batch.status = "certified"  # approved in the past, certificate lapsed since
    with pytest.raises(Conflict, match="valid certification"):
        issue_labels(db_session, expired_batch.id, 1, signer, "test")


@pytest.mark.parametrize("count", [0, -3, MAX_LABELS_PER_REQUEST + 1])
def test_count_outside_the_allowed_range_is_refused(db_session, factory, signer, count):
    batch = factory.batch(certified=True)
    with pytest.raises(InvalidInput, match="between 1 and"):
        issue_labels(db_session, batch.id, count, signer, "test")


def test_operator_cannot_issue_for_another_cooperatives_batch(db_session, factory, signer):
    batch = factory.batch(certified=True)
    other = factory.cooperative(name="Hợp tác xã Nam Phong")
    with pytest.raises(NotFound):
        issue_labels(db_session, batch.id, 1, signer, "test", cooperative_id=other.id)


class _FailingSigner(CodeSigner):
    """A real signer whose signing breaks after `fail_after` codes (a crash mid-run)."""

    fail_after = 2_500

    def sign_many(self, **kwargs):
        for index, item in enumerate(super().sign_many(**kwargs)):
            if index == self.fail_after:
                raise RuntimeError("signing device unplugged")
            yield item


def test_failure_mid_way_leaves_no_labels_and_the_quota_untouched(
    db_session, factory, test_settings
):
    batch = factory.batch(quantity=5000, certified=True)
    failing = _FailingSigner(
        Ed25519PrivateKey.generate(), "A1", test_settings.issuer, test_settings.public_base_url
    )

    with pytest.raises(RuntimeError), db_session.begin_nested():
        issue_labels(db_session, batch.id, 5000, failing, "test")

    db_session.refresh(batch)
    assert _label_count(db_session, batch.id) == 0
    assert batch.labels_issued == 0


def test_issuance_is_recorded_in_the_audit_log(db_session, factory, signer):
    batch = factory.batch(quantity=20, certified=True)
    run = issue_labels(db_session, batch.id, 20, signer, "user:van.hanh@baohung.vn")

    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "labels.issued")
    ).all()[-1]
    assert entry.subject_id == str(run.id)
    assert entry.actor == "user:van.hanh@baohung.vn"
    assert '"count":20' in entry.details
