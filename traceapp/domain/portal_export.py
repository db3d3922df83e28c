"""A batch's data in the field set of Circular 02/2024/TT-BKHCN (what the national
traceability portal shows) and Decree 37/2026/NĐ-CP art. 32 (a digital product
passport's minimum content), for a connector to the portal.

docs/passport.md maps every field to its legal basis and to where it is kept.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from traceapp.domain.batches import get_batch
from traceapp.domain.passport import PassportField, missing_passport_fields
from traceapp.domain.passport_content import Passport, passport_of
from traceapp.errors import Conflict
from traceapp.models import BatchStatus, Label

FORMAT = "traceapp-portal-export/1"
# The CSV's columns, in order: one row per issued label (serial).
CSV_COLUMNS = (
    "product_name",
    "gtin",
    "product_image_url",
    "producer_name",
    "producer_address",
    "producer_identifier",
    "origin",
    "lot",
    "serial",
    "label_status",
    "production_date",
    "expiry_date",
    "shelf_life_days",
    "certificates",
    "safety_warnings",
    "traceability_url",
    "epcis_url",
    "passport_url",
)


def portal_export(session: Session, batch_id: int, base_url: str, today: date) -> dict[str, Any]:
    """The batch's portal record: batch-level fields, certificates and every serial."""
    batch = get_batch(session, batch_id)
    if batch.status == BatchStatus.DRAFT:
        raise Conflict("batch %(id)s is not certified: nothing to publish yet", id=str(batch_id))
    missing = [
        field
        for field in missing_passport_fields(session, batch, today)
        if field is not PassportField.CERTIFICATES  # an expired batch is still exported
    ]
    if missing:
        raise Conflict(
            "the digital product passport is incomplete; missing: %(missing)s",
            missing=tuple(missing),
            field=missing[0].value,
        )
    passport = passport_of(session, batch.product, batch, base_url, today)
    serials = [
        {"serial": serial, "label_status": str(status)}
        for serial, status in session.execute(
            select(Label.serial, Label.status)
            .where(Label.batch_id == batch.id)
            .order_by(Label.run_id, Label.sequence)
        )
    ]
    return {
        "format": FORMAT,
        "product": {
            "product_name": passport.product_name,
            "gtin": passport.gtin,
            "product_category": passport.product_category,
            "product_image_url": passport.image_url,
            "safety_warnings": passport.safety_warnings,
        },
        "producer": {
            "producer_name": passport.producer_name,
            "producer_address": passport.producer_address,
            "producer_identifier": passport.producer_identifier,
            "certifying_union": passport.union_name,
        },
        "batch": {
            "lot": passport.lot,
            "batch_status": passport.batch_status,
            "quantity": passport.quantity,
            "unit": passport.unit,
            "origin": passport.origin,
            "origin_province": passport.origin_province,
            "production_date": _iso(passport.produced_on),
            "expiry_date": _iso(passport.best_before),
            "shelf_life_days": passport.shelf_life_days,
            "recall_reason": passport.recall_reason,
        },
        "traceability": {
            "traceability_url": passport.links.get("traceability"),
            "epcis_url": passport.links.get("epcis"),
            "passport_url": passport.links.get("dpp"),
            "epcis_event_ids": [event.event_id for event in passport.events],
        },
        "certificates": [
            {
                "scheme": c.scheme,
                "name": c.name,
                "certificate_number": c.certificate_number,
                "issuing_body": c.issuing_body,
                "valid_from": c.valid_from.isoformat(),
                "valid_to": c.valid_to.isoformat(),
                "ocop_stars": c.ocop_stars,
                "claim": c.claim,
            }
            for c in passport.certificates
        ],
        "serials_issued": passport.serials_issued,
        "serials": serials,
    }


def portal_csv(record: dict[str, Any]) -> str:
    """The record as CSV (UTF-8, comma-separated, a header row): one row per serial,
    the batch's fields repeated; one row without a serial if none was issued."""
    product, producer, batch = record["product"], record["producer"], record["batch"]
    trace = record["traceability"]
    certificates = "; ".join(
        f"{c['name']} {c['certificate_number']} ({c['issuing_body']}, "
        f"{c['valid_from']} – {c['valid_to']})"
        for c in record["certificates"]
    )
    common = {
        "product_name": product["product_name"],
        "gtin": product["gtin"],
        "product_image_url": product["product_image_url"],
        "producer_name": producer["producer_name"],
        "producer_address": producer["producer_address"],
        "producer_identifier": producer["producer_identifier"],
        "origin": batch["origin"],
        "lot": batch["lot"],
        "production_date": batch["production_date"],
        "expiry_date": batch["expiry_date"],
        "shelf_life_days": batch["shelf_life_days"],
        "certificates": certificates,
        "safety_warnings": product["safety_warnings"],
        "traceability_url": trace["traceability_url"],
        "epcis_url": trace["epcis_url"],
        "passport_url": trace["passport_url"],
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for serial in record["serials"] or [{"serial": "", "label_status": ""}]:
        writer.writerow({**common, **serial})
    return buffer.getvalue()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


__all__ = ["CSV_COLUMNS", "FORMAT", "Passport", "portal_csv", "portal_export"]
