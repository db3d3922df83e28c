"""Inspections recorded by inspectors in the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from traceapp.clock import today_local
from traceapp.domain import audit_log
from traceapp.domain.batches import find_batch_by_lot, get_batch
from traceapp.errors import Conflict, InvalidInput, one_of
from traceapp.models import Batch, Inspection, InspectionResult, User


@dataclass(frozen=True)
class InspectionDetails:
    inspected_on: date
    place: str
    result: str
    notes: str | None = None
    photo_ref: str | None = None
    # Made by the inspector's phone for an inspection recorded offline (a UUID).
    client_id: str | None = None
    photo: bytes | None = None


MAX_PHOTO_BYTES = 1_500_000
JPEG_START = b"\xff\xd8\xff"


def record_inspection(
    session: Session, batch_id: int, details: InspectionDetails, inspector: User | None, actor: str
) -> Inspection:
    """Record what an inspector found about a batch; the date cannot be in the future."""
    batch = get_batch(session, batch_id)
    one_of(InspectionResult, details.result, "result")
    if not details.place.strip():
        raise InvalidInput("place must not be empty", field="place")
    if details.inspected_on > today_local():
        raise InvalidInput("an inspection cannot be dated in the future", field="inspected_on")
    if details.photo is not None and (
        len(details.photo) > MAX_PHOTO_BYTES or not details.photo.startswith(JPEG_START)
    ):
        raise InvalidInput(
            "the photo must be a JPEG of at most %(most)s kB",
            field="photo",
            most=MAX_PHOTO_BYTES // 1000,
        )
    if details.client_id is not None and session.scalar(
        select(Inspection.id).where(Inspection.client_id == details.client_id)
    ):
        raise Conflict("this inspection was already received (same client_id): not stored twice")
    inspection = Inspection(
        batch_id=batch.id,
        inspector_id=inspector.id if inspector else None,
        inspected_on=details.inspected_on,
        place=details.place.strip(),
        result=details.result,
        notes=details.notes or None,
        photo_ref=details.photo_ref or None,
        client_id=details.client_id,
        photo=details.photo,
    )
    session.add(inspection)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Two sends of one offline inspection at the same moment: the constraint decides.
        raise Conflict(
            "this inspection was already received (same client_id): not stored twice"
        ) from None
    audit_log.record(
        session,
        actor,
        "inspection.recorded",
        "inspection",
        inspection.id,
        {
            "batch_id": batch.id,
            "result": details.result,
            "inspected_on": details.inspected_on,
            "place": inspection.place,
            "client_id": details.client_id,
        },
    )
    return inspection


def inspections_for(session: Session, batch_id: int) -> list[Inspection]:
    stmt = (
        select(Inspection)
        .where(Inspection.batch_id == batch_id)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    )
    return list(session.scalars(stmt))


def find_batch(
    session: Session,
    *,
    batch_id: int | None = None,
    cooperative_id: int | None = None,
    lot_code: str | None = None,
) -> Batch:
    """An inspector's lookup: by batch number, or by cooperative and lot. (A label code
    is verified instead, as the public page does: web/console/inspections.py.)"""
    if batch_id is not None:
        return get_batch(session, batch_id)
    if cooperative_id is not None and lot_code and lot_code.strip():
        return find_batch_by_lot(session, cooperative_id, lot_code.strip())
    raise InvalidInput(
        "give a batch number, a cooperative and lot code, or a label code", field="batch_id"
    )
