"""The database itself refuses bad data, and the domain says why in words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from traceapp.clock import today_local
from traceapp.domain.batches import BatchDetails, create_batch
from traceapp.domain.certifications import CertificationDetails, record_certification
from traceapp.domain.registry import ProductDetails, register_product
from traceapp.errors import Conflict, InvalidInput
from traceapp.models import Batch, Certification


def _details(product_id: int, **overrides) -> BatchDetails:
    today = today_local()
    values = dict(
        product_id=product_id,
        lot_code="BH-01",
        quantity=100,
        unit="quả",
        produced_on=today,
        best_before=today + timedelta(days=20),
        origin_commune="xã Trường Hà",
        origin_province="Cao Bằng",
    )
    values.update(overrides)
    return BatchDetails(**values)


def _raw_change(db_session, statement) -> None:
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(statement)


def test_database_rejects_a_second_batch_with_the_same_lot_in_one_cooperative(db_session, factory):
    product = factory.product()
    factory.batch(product, lot_code="BH-01")
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(
            Batch(
                cooperative_id=product.cooperative_id,
                product_id=product.id,
                lot_code="BH-01",
                quantity=1,
                unit="quả",
                produced_on=today_local(),
                origin_commune="x",
                origin_province="y",
            )
        )
        db_session.flush()


def test_domain_explains_a_duplicate_lot(db_session, factory):
    product = factory.product()
    factory.batch(product, lot_code="BH-01")
    with pytest.raises(Conflict, match="lot BH-01 already exists"):
        create_batch(db_session, product.cooperative, _details(product.id), "test")


def test_same_lot_code_is_allowed_in_another_cooperative(factory):
    first, second = factory.product(), factory.product()
    factory.batch(first, lot_code="LOT-1")
    assert factory.batch(second, lot_code="LOT-1").lot_code == "LOT-1"


def test_database_rejects_negative_quantity(db_session, factory):
    batch = factory.batch()
    _raw_change(db_session, update(Batch).where(Batch.id == batch.id).values(quantity=-1))


def test_domain_rejects_negative_quantity(db_session, factory):
    product = factory.product()
    with pytest.raises(InvalidInput, match="quantity must not be negative"):
        create_batch(db_session, product.cooperative, _details(product.id, quantity=-5), "t")


def test_database_rejects_more_labels_than_the_quantity(db_session, factory):
    batch = factory.batch(quantity=10)
    _raw_change(db_session, update(Batch).where(Batch.id == batch.id).values(labels_issued=11))


def test_database_rejects_best_before_earlier_than_production(db_session, factory):
    batch = factory.batch()
    _raw_change(
        db_session,
        update(Batch)
        .where(Batch.id == batch.id)
        .values(best_before=batch.produced_on - timedelta(days=1)),
    )


def test_domain_rejects_best_before_earlier_than_production(db_session, factory):
    product = factory.product()
    today = today_local()
    with pytest.raises(InvalidInput, match="best-before date"):
        create_batch(
            db_session,
            product.cooperative,
            _details(product.id, best_before=today - timedelta(days=1)),
            "t",
        )


def test_database_rejects_unknown_batch_status(db_session, factory):
    batch = factory.batch()
    _raw_change(db_session, update(Batch).where(Batch.id == batch.id).values(status="sold"))


def test_domain_rejects_a_lot_code_that_does_not_fit_a_label(db_session, factory):
    product = factory.product()
    with pytest.raises(InvalidInput, match="lot code"):
        create_batch(db_session, product.cooperative, _details(product.id, lot_code="lô 1/2"), "t")


def test_database_rejects_certificate_valid_to_before_valid_from(db_session, factory):
    certification = factory.certification(factory.batch())
    _raw_change(
        db_session,
        update(Certification)
        .where(Certification.id == certification.id)
        .values(valid_to=certification.valid_from - timedelta(days=1)),
    )


def test_domain_rejects_certificate_valid_to_before_valid_from(db_session, factory):
    batch = factory.batch()
    today = today_local()
    with pytest.raises(InvalidInput, match="valid-to"):
        record_certification(
            db_session,
            CertificationDetails(
                scheme="vietgap",
                certificate_number="X",
                issuing_body="QUACERT",
                valid_from=today,
                valid_to=today - timedelta(days=1),
            ),
            "t",
            batch=batch,
        )


def test_database_rejects_ocop_rating_without_three_to_five_stars(db_session, factory):
    certification = factory.certification(factory.batch(), scheme="ocop", ocop_stars=4)
    _raw_change(
        db_session,
        update(Certification).where(Certification.id == certification.id).values(ocop_stars=6),
    )


def test_domain_rejects_ocop_rating_with_two_stars(db_session, factory):
    with pytest.raises(InvalidInput, match="3, 4 or 5 stars"):
        factory.certification(factory.batch(), scheme="ocop", ocop_stars=2)


def test_database_rejects_certification_covering_nothing(db_session, factory):
    certification = factory.certification(factory.batch())
    _raw_change(
        db_session,
        update(Certification).where(Certification.id == certification.id).values(batch_id=None),
    )


def test_domain_rejects_gtin_with_wrong_check_digit(db_session, factory):
    cooperative = factory.cooperative()
    with pytest.raises(InvalidInput, match="check digit"):
        register_product(
            db_session,
            cooperative,
            ProductDetails(
                name="Trứng", category="eggs", unit="quả", ref="BAD", gtin="8936001000011"
            ),
            "t",
        )


def test_domain_rejects_unknown_product_category(db_session, factory):
    cooperative = factory.cooperative()
    with pytest.raises(InvalidInput, match="category must be one of"):
        register_product(
            db_session,
            cooperative,
            ProductDetails(name="Trứng", category="gems", unit="quả", ref="X1"),
            "t",
        )
