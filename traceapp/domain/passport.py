"""Vietnam's digital product passport: which fields a batch must have before it is
certified, and the passport's content for the public page, JSON-LD and the portal export.

Decree 37/2026/NĐ-CP art. 32 sets the minimum content (product name and GTIN; the
producer's name, address and identifier; origin; traceability information; conformity
certificates; production and expiry dates; safety warnings) and Circular 02/2024/TT-BKHCN
what the national traceability portal shows (product name and image; producer name and
address; production time; serial; shelf life). docs/passport.md maps each field;
passport_content.py gathers the passport itself.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from traceapp.domain.certifications import valid_certifications
from traceapp.models import Batch, ProductImage


class PassportField(StrEnum):
    """A mandatory passport field, named as the certification refusal names it."""

    PRODUCT_NAME = "product_name"
    GTIN = "gtin"
    PRODUCT_IMAGE = "product_image"
    SAFETY_WARNINGS = "safety_warnings"
    PRODUCER_NAME = "producer_name"
    PRODUCER_ADDRESS = "producer_address"
    PRODUCER_IDENTIFIER = "producer_identifier"
    ORIGIN = "origin"
    PRODUCTION_DATE = "production_date"
    EXPIRY_DATE = "expiry_date"
    CERTIFICATES = "certificates"


# Where each field is kept and filled in: "product" (console product page), "batch"
# (console batch page), "cooperative" (cooperative registration), "certification".
FIELD_HOME = {
    PassportField.PRODUCT_NAME: "product",
    PassportField.GTIN: "product",
    PassportField.PRODUCT_IMAGE: "product",
    PassportField.SAFETY_WARNINGS: "product",
    PassportField.PRODUCER_NAME: "cooperative",
    PassportField.PRODUCER_ADDRESS: "cooperative",
    PassportField.PRODUCER_IDENTIFIER: "cooperative",
    PassportField.ORIGIN: "batch",
    PassportField.PRODUCTION_DATE: "batch",
    PassportField.EXPIRY_DATE: "batch",
    PassportField.CERTIFICATES: "certification",
}


def missing_passport_fields(session: Session, batch: Batch, today: date) -> list[PassportField]:
    """The mandatory passport fields `batch` (its product, its cooperative) lacks, in order."""
    product, cooperative = batch.product, batch.cooperative
    present = {
        PassportField.PRODUCT_NAME: _text(product.name),
        PassportField.GTIN: bool(product.gtin),
        PassportField.PRODUCT_IMAGE: session.get(ProductImage, product.id) is not None,
        PassportField.SAFETY_WARNINGS: _text(product.safety_warnings),
        PassportField.PRODUCER_NAME: _text(cooperative.name),
        PassportField.PRODUCER_ADDRESS: _text(cooperative.commune) and _text(cooperative.province),
        PassportField.PRODUCER_IDENTIFIER: _text(cooperative.registration_number),
        PassportField.ORIGIN: _text(batch.origin_commune) and _text(batch.origin_province),
        PassportField.PRODUCTION_DATE: batch.produced_on is not None,
        PassportField.EXPIRY_DATE: batch.best_before is not None,
        PassportField.CERTIFICATES: bool(valid_certifications(session, batch, today)),
    }
    return [field for field in PassportField if not present[field]]


def _text(value: str | None) -> bool:
    return bool(value and value.strip())
