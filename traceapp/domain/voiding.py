"""Voiding labels: a voided label stays in the records but verifies as voided.

A Union officer voids one label (by serial) or a run of consecutive labels (by
their print positions in an issuance run), e.g. a sheet that jammed in the printer.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from traceapp.domain import audit_log
from traceapp.domain.batches import get_batch
from traceapp.domain.printing import find_label, get_run
from traceapp.errors import Conflict, InvalidInput
from traceapp.models import IssuanceRun, Label, LabelStatus
from traceapp.models._columns import utcnow

MAX_VOID_REASON = 500


def label_to_void(session: Session, batch_id: int, serial: str) -> Label:
    """The batch's label with that serial, if it can be voided (NotFound or Conflict if not)."""
    label = find_label(session, get_batch(session, batch_id).id, serial.strip())
    if label.status == LabelStatus.VOIDED:
        raise Conflict("label %(serial)s is already voided", field="serial", serial=label.serial)
    return label


def void_label(session: Session, batch_id: int, serial: str, reason: str, actor: str) -> Label:
    """Void one label of a batch; voiding it twice is a Conflict."""
    reason = _check_reason(reason)
    label = label_to_void(session, batch_id, serial)
    label.status = LabelStatus.VOIDED
    label.voided_at = utcnow()
    label.void_reason = reason
    session.flush()
    audit_log.record(
        session,
        actor,
        "label.voided",
        "label",
        label.id,
        {"batch_id": label.batch_id, "serial": label.serial, "reason": reason},
    )
    return label


def void_run_range(
    session: Session, run_id: int, first: int, last: int, reason: str, actor: str
) -> int:
    """Void the run's labels at print positions first..last; returns how many changed.

    Labels in the range that were already voided keep their first reason and time.
    """
    reason = _check_reason(reason)
    run, _active = range_to_void(session, run_id, first, last)
    voided = session.execute(
        update(Label)
        .where(
            Label.run_id == run.id,
            Label.sequence.between(first, last),
            Label.status == LabelStatus.ACTIVE,
        )
        .values(status=LabelStatus.VOIDED, voided_at=utcnow(), void_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if voided == 0:
        raise _already_voided(run.id, first, last)
    audit_log.record(
        session,
        actor,
        "labels.voided",
        "issuance_run",
        run.id,
        {
            "batch_id": run.batch_id,
            "first": first,
            "last": last,
            "voided": voided,
            "reason": reason,
        },
    )
    return voided


def range_to_void(session: Session, run_id: int, first: int, last: int) -> tuple[IssuanceRun, int]:
    """The run and how many of its labels at positions first..last are still active,
    if the range can be voided (InvalidInput or Conflict if not)."""
    run = get_run(session, run_id)
    if not 1 <= first <= last <= run.quantity:
        raise InvalidInput(
            "the positions must lie from 1 to %(most)s, the first not after the last",
            field="first" if first < 1 or first > last else "last",
            most=run.quantity,
        )
    active = (
        session.scalar(
            select(func.count())
            .select_from(Label)
            .where(
                Label.run_id == run.id,
                Label.sequence.between(first, last),
                Label.status == LabelStatus.ACTIVE,
            )
        )
        or 0
    )
    if active == 0:
        raise _already_voided(run.id, first, last)
    return run, active


def _already_voided(run_id: int, first: int, last: int) -> Conflict:
    return Conflict(
        "labels %(first)s to %(last)s of run %(run)s are already voided",
        field="first",
        first=first,
        last=last,
        run=str(run_id),
    )


def voided_count(session: Session, batch_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Label)
            .where(Label.batch_id == batch_id, Label.status == LabelStatus.VOIDED)
        )
        or 0
    )


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("voiding needs a reason", field="reason")
    if len(reason) > MAX_VOID_REASON:
        raise InvalidInput(
            "the reason is longer than %(most)s characters", field="reason", most=MAX_VOID_REASON
        )
    return reason
