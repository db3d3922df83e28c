"""Inspectors' offline bundles: a region's batches, signed (format: docs/offline-bundle.md).

A region is a province, or one commune of it, taken from the batches themselves: an
inspector picks one from `bundle_regions`, never types it, so a name spelt without
its diacritics cannot give an empty bundle that looks complete.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from keys.bundle import BUNDLE_FORMAT
from keys.keystore import KeyStore, KeyStoreError, utc_now
from keys.statements import sign_statement
from traceapp.clock import LOCAL_TZ
from traceapp.domain import audit_log
from traceapp.domain.certifications import certifications_for_batches
from traceapp.errors import Conflict, InvalidInput
from traceapp.models import (
    Batch,
    BatchStatus,
    Certification,
    Cooperative,
    Label,
    LabelStatus,
    Product,
)

BUNDLED_STATUSES = (BatchStatus.CERTIFIED, BatchStatus.RECALLED)
_SEPARATOR = " / "


@dataclass(frozen=True, order=True)
class Region:
    """A province, or one commune of it (`commune` None: the whole province)."""

    province: str
    commune: str | None = None

    @property
    def key(self) -> str:
        """The value a form or the API sends to choose this region."""
        return self.province if self.commune is None else self.province + _SEPARATOR + self.commune

    @property
    def name(self) -> str:
        """The region as people read it."""
        return self.key


def bundle_regions(session: Session) -> list[Region]:
    """Every province with a certified or recalled batch, and each of its communes."""
    pairs = session.execute(
        select(Batch.origin_province, Batch.origin_commune)
        .where(Batch.status.in_(BUNDLED_STATUSES))
        .distinct()
    ).all()
    regions = {Region(province) for province, _ in pairs}
    regions.update(Region(province, commune) for province, commune in pairs)
    return sorted(regions, key=lambda r: (r.province, r.commune or ""))


def find_region(session: Session, key: str | None) -> Region:
    """The region a form or the API chose by its key; InvalidInput if it is none of them."""
    for region in bundle_regions(session):
        if region.key == (key or "").strip():
            return region
    raise InvalidInput("choose a province or commune from the list", field="region")


def build_bundle(
    session: Session, store: KeyStore, issuer: str, region: Region, actor: str
) -> dict[str, Any]:
    """The signed bundle for `region`: its certified and recalled batches, plus every
    other recalled batch and every batch with a voided label, and the key document."""
    in_region = Batch.origin_province == region.province
    if region.commune is not None:
        in_region &= Batch.origin_commune == region.commune
    voided = session.execute(
        select(Label.batch_id, Label.serial)
        .where(Label.status == LabelStatus.VOIDED)
        .order_by(Label.batch_id, Label.serial)
    ).all()
    voided_by_batch: dict[int, list[str]] = defaultdict(list)
    for batch_id, serial in voided:
        voided_by_batch[batch_id].append(serial)
    batches = list(
        session.scalars(
            select(Batch)
            .where(
                or_(
                    Batch.status.in_(BUNDLED_STATUSES) & in_region,
                    Batch.status == BatchStatus.RECALLED,
                    Batch.id.in_(select(Label.batch_id).where(Label.status == LabelStatus.VOIDED)),
                )
            )
            .order_by(Batch.id)
        )
    )
    try:
        kid, private_key = store.active_private_key()
        keyset = store.public_keyset(issuer)
    except KeyStoreError as exc:
        raise Conflict("cannot sign the bundle: %(why)s", why=str(exc)) from exc
    document = {
        "format": BUNDLE_FORMAT,
        "issuer": issuer,
        "generated_at": utc_now(),
        "timezone": LOCAL_TZ.key,
        "region": {"province": region.province, "commune": region.commune},
        "keys": keyset.to_dict(),
        "batches": _summaries(session, batches, voided_by_batch),
    }
    audit_log.record(
        session,
        actor,
        "bundle.exported",
        "bundle",
        region.province,
        {"commune": region.commune, "batches": len(batches), "kid": kid},
    )
    return sign_statement(document, private_key, kid)


def _summaries(
    session: Session, batches: list[Batch], voided: dict[int, list[str]]
) -> list[dict[str, Any]]:
    ids = [b.id for b in batches]
    products = {p.id: p for p in session.scalars(select(Product))} if ids else {}
    cooperatives = {c.id: c for c in session.scalars(select(Cooperative))} if ids else {}
    certifications = certifications_for_batches(session, batches)
    return [
        _summary(
            batch,
            products[batch.product_id],
            cooperatives[batch.cooperative_id],
            certifications[batch.id],
            voided.get(batch.id, []),
        )
        for batch in batches
    ]


def _summary(
    batch: Batch,
    product: Product,
    cooperative: Cooperative,
    certifications: list[Certification],
    voided: list[str],
) -> dict[str, Any]:
    return {
        "batch_id": batch.id,
        "gtin": product.gtin,
        "product_ref": product.code_ref,
        "lot": batch.lot_code,
        "product": product.name,
        "cooperative": cooperative.name,
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
            for c in certifications
        ],
        "voided_serials": voided,
    }
