"""Production batches: registering, certifying and recalling them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.verdicts import LabelRecord, LabelVerdict, decide_verdict
from keys.verify import Verdict
from traceapp.clock import today_local
from traceapp.domain import audit_log
from traceapp.domain.certifications import (
    HasValidity,
    certifications_for,
    valid_certifications,
    valid_on,
)
from traceapp.domain.passport import missing_passport_fields
from traceapp.errors import Conflict, InvalidInput, NotFound
from traceapp.models import Batch, BatchStatus, Cooperative, Product
from traceapp.models._columns import MAX_ID, utcnow

# GS1 AI 10 allows 20 characters; this subset needs no escaping in a URL.
LOT_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")


@dataclass(frozen=True)
class BatchDetails:
    product_id: int
    lot_code: str
    quantity: int
    unit: str
    produced_on: date
    origin_commune: str
    origin_province: str
    best_before: date | None = None
    origin_farm: str | None = None
    description: str | None = None


def create_batch(
    session: Session, cooperative: Cooperative, details: BatchDetails, actor: str
) -> Batch:
    """Register a draft batch after checking every rule the database also enforces."""
    if not LOT_CODE_PATTERN.match(details.lot_code):
        raise InvalidInput(
            "lot code must be 1-20 letters, digits, '.', '_' or '-', starting "
            "with a letter or digit",
            field="lot_code",
        )
    if details.quantity < 0:
        raise InvalidInput("quantity must not be negative", field="quantity")
    if details.best_before is not None and details.best_before < details.produced_on:
        raise InvalidInput(
            "best-before date must not be before the production date", field="best_before"
        )
    product = session.get(Product, details.product_id)
    if product is None or product.cooperative_id != cooperative.id:
        raise NotFound(
            "cooperative %(cooperative)s has no product %(product)s",
            field="product_id",
            cooperative=cooperative.name,
            product=str(details.product_id),
        )
    duplicate = session.scalar(
        select(Batch.id).where(
            Batch.cooperative_id == cooperative.id, Batch.lot_code == details.lot_code
        )
    )
    if duplicate is not None:
        raise Conflict(
            "lot %(lot)s already exists for %(cooperative)s",
            field="lot_code",
            lot=details.lot_code,
            cooperative=cooperative.name,
        )
    batch = Batch(
        cooperative=cooperative,
        product=product,
        status=BatchStatus.DRAFT,
        **{k: v for k, v in details.__dict__.items() if k != "product_id"},
    )
    session.add(batch)
    session.flush()
    audit_log.record(
        session,
        actor,
        "batch.created",
        "batch",
        batch.id,
        {"lot_code": batch.lot_code, "quantity": batch.quantity},
    )
    return batch


def visible_batch(
    session: Session, batch_id: int, cooperative_id: int | None = None
) -> Batch | None:
    """The batch with this id if the caller may see it, else None.

    The one visibility rule for every batch id a request names, in its path or in any
    field: a cooperative's operator (`cooperative_id` set) sees only that cooperative's
    batches; officers and inspectors (None) see all. A batch one may not see is None,
    exactly like an id no batch has, so no answer can tell the two apart.
    """
    if not 1 <= batch_id <= MAX_ID:
        return None
    batch = session.get(Batch, batch_id)
    if batch is None or (cooperative_id is not None and batch.cooperative_id != cooperative_id):
        return None
    return batch


def get_batch(session: Session, batch_id: int, cooperative_id: int | None = None) -> Batch:
    """The batch, or NotFound; a cooperative only ever finds its own batches."""
    batch = visible_batch(session, batch_id, cooperative_id)
    if batch is None:
        raise NotFound("no batch %(batch)s", batch=str(batch_id))
    return batch


def find_batch_by_lot(session: Session, cooperative_id: int, lot_code: str) -> Batch:
    batch = session.scalar(
        select(Batch).where(Batch.cooperative_id == cooperative_id, Batch.lot_code == lot_code)
    )
    if batch is None:
        raise NotFound("no batch with lot %(lot)s", lot=lot_code)
    return batch


def certification_refusal(
    session: Session, batch: Batch, on: date | None = None
) -> Conflict | None:
    """Why the batch cannot be certified on that day (today by default), or None if it can.

    The console asks before offering "certify"; certify_batch raises the same refusal.
    """
    if batch.status == BatchStatus.RECALLED:
        return Conflict("a recalled batch cannot be certified again")
    day = on or today_local()
    if valid_certifications(session, batch, day):
        missing = missing_passport_fields(session, batch, day)
        if missing:
            return Conflict(
                "the digital product passport of lot %(lot)s is incomplete; missing: %(fields)s",
                field=missing[0].value,
                lot=batch.lot_code,
                fields=tuple(missing),
            )
        return None
    recorded = certifications_for(session, batch)
    if not recorded:
        return Conflict(
            "lot %(lot)s has no certification yet: record the certificate it was "
            "granted (VietGAP, OCOP, organic, herbal-fed or a lab test) first",
            lot=batch.lot_code,
        )
    latest = recorded[0]  # certifications_for lists the latest-ending first
    if latest.valid_from > day:
        return Conflict(
            "no certification of lot %(lot)s is valid today: certificate %(number)s "
            "starts on %(day)s",
            lot=batch.lot_code,
            number=latest.certificate_number,
            day=latest.valid_from,
        )
    return Conflict(
        "no certification of lot %(lot)s is valid today: certificate %(number)s ended "
        "on %(day)s; record its renewal first",
        lot=batch.lot_code,
        number=latest.certificate_number,
        day=latest.valid_to,
    )


def certify_batch(session: Session, batch: Batch, actor: str) -> Batch:
    """Mark a draft batch certified; it needs a certification valid today and a
    complete digital product passport (domain/passport.py)."""
    refusal = certification_refusal(session, batch)
    if refusal is not None:
        raise refusal
    if batch.status != BatchStatus.CERTIFIED:
        batch.status = BatchStatus.CERTIFIED
        audit_log.record(session, actor, "batch.certified", "batch", batch.id, {})
    return batch


def set_best_before(session: Session, batch: Batch, best_before: date, actor: str) -> Batch:
    """Give a draft batch its expiry date (a mandatory passport field)."""
    if batch.status != BatchStatus.DRAFT:
        raise Conflict("only a draft batch's dates can change")
    if best_before < batch.produced_on:
        raise InvalidInput(
            "best-before date must not be before the production date", field="best_before"
        )
    batch.best_before = best_before
    audit_log.record(
        session,
        actor,
        "batch.best_before_set",
        "batch",
        batch.id,
        {"best_before": best_before.isoformat()},
    )
    return batch


def recall_batch(session: Session, batch: Batch, reason: str, actor: str) -> Batch:
    if not reason.strip():
        raise InvalidInput("a recall needs a reason", field="reason")
    if batch.status == BatchStatus.RECALLED:
        raise Conflict("the batch is already recalled")
    batch.status = BatchStatus.RECALLED
    batch.recalled_at = utcnow()
    batch.recall_reason = reason
    audit_log.record(session, actor, "batch.recalled", "batch", batch.id, {"reason": reason})
    return batch


def certified_on(status: str, certifications: Iterable[HasValidity], day: date) -> bool:
    """Certified means: approved, not recalled, and a certification valid on that day.

    Decided by the one rule every verdict uses (keys.verdicts.decide_verdict): a batch
    is certified exactly when an issued, unvoided, well-signed label of it is genuine.
    """
    record = LabelRecord(
        issued=True,
        voided=False,
        batch_status=status,
        certification_valid=any(valid_on(c, day) for c in certifications),
    )
    return decide_verdict(Verdict.GENUINE, record)[0] is LabelVerdict.GENUINE


def is_certified(session: Session, batch: Batch, on: date | None = None) -> bool:
    """Whether the stored batch is certified on that day (today by default)."""
    return certified_on(batch.status, certifications_for(session, batch), on or today_local())
