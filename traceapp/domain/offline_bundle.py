"""Inspectors' offline bundles: signed summaries of a district's batches (keys/bundle.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.bundle import BUNDLE_FORMAT
from keys.keystore import KeyStore, KeyStoreError, utc_now
from keys.statements import sign_statement
from traceapp.domain import audit_log
from traceapp.domain.certifications import certifications_for
from traceapp.errors import Conflict, InvalidInput
from traceapp.models import Batch, BatchStatus, Label, LabelStatus


def build_bundle(
    session: Session, store: KeyStore, issuer: str, province: str, commune: str | None, actor: str
) -> dict[str, Any]:
    """The signed bundle of every certified or recalled batch from `province`
    (and `commune`, if given), with the public key set to verify labels."""
    province = (province or "").strip()
    if not province:
        raise InvalidInput("choose a province", field="province")
    stmt = select(Batch).where(
        Batch.status.in_((BatchStatus.CERTIFIED, BatchStatus.RECALLED)),
        Batch.origin_province == province,
    )
    if commune and commune.strip():
        stmt = stmt.where(Batch.origin_commune == commune.strip())
    batches = list(session.scalars(stmt.order_by(Batch.id)))
    try:
        kid, private_key = store.active_private_key()
        keyset = store.public_keyset(issuer)
    except KeyStoreError as exc:
        raise Conflict(f"cannot sign the bundle: {exc}") from exc
    document = {
        "format": BUNDLE_FORMAT,
        "issuer": issuer,
        "generated_at": utc_now(),
        "region": {"province": province, "commune": commune.strip() if commune else None},
        "keys": keyset.to_dict(),
        "batches": [_summary(session, batch) for batch in batches],
    }
    audit_log.record(
        session,
        actor,
        "bundle.exported",
        "bundle",
        province,
        {"commune": document["region"]["commune"], "batches": len(batches), "kid": kid},
    )
    return sign_statement(document, private_key, kid)


def _summary(session: Session, batch: Batch) -> dict[str, Any]:
    product = batch.product
    voided = session.scalars(
        select(Label.serial)
        .where(Label.batch_id == batch.id, Label.status == LabelStatus.VOIDED)
        .order_by(Label.serial)
    )
    return {
        "batch_id": batch.id,
        "gtin": product.gtin,
        "product_ref": None if product.gtin else product.ref,
        "lot": batch.lot_code,
        "product": product.name,
        "cooperative": batch.cooperative.name,
        "status": batch.status,
        "quantity": batch.quantity,
        "unit": batch.unit,
        "produced_on": batch.produced_on.isoformat(),
        "best_before": batch.best_before.isoformat() if batch.best_before else None,
        "origin_farm": batch.origin_farm,
        "origin_commune": batch.origin_commune,
        "origin_province": batch.origin_province,
        "recalled_at": batch.recalled_at.isoformat() if batch.recalled_at else None,
        "recall_reason": batch.recall_reason,
        "certifications": [
            {
                "scheme": c.scheme,
                "ocop_stars": c.ocop_stars,
                "certificate_number": c.certificate_number,
                "issuing_body": c.issuing_body,
                "valid_from": c.valid_from.isoformat(),
                "valid_to": c.valid_to.isoformat(),
                "claim": c.claim,
            }
            for c in certifications_for(session, batch)
        ],
        "voided_serials": list(voided),
    }
