"""Issuing signed labels for a certified batch, never beyond its quantity.

The quota is taken with one conditional UPDATE on the batch row, so two requests
racing on PostgreSQL (or SQLite) cannot both get the last labels; the labels and
the quota change commit together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import cast

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from keys.signing import CodeSigner, new_serials
from traceapp.db import rows_updated
from traceapp.domain import audit_log
from traceapp.domain.audit_facts import LabelDigest
from traceapp.domain.batches import get_batch, is_certified
from traceapp.domain.label_wording import DEFAULT_LABEL_LANGUAGE
from traceapp.domain.printing import check_label_language
from traceapp.errors import Conflict, InvalidInput
from traceapp.infrastructure.bulk import copy_rows
from traceapp.models import Batch, BatchStatus, IssuanceRun, Label

MAX_LABELS_PER_REQUEST = 100_000

Progress = Callable[[int], None]


def issue_labels(
    session: Session,
    batch_id: int,
    count: int,
    signer: CodeSigner,
    actor: str,
    *,
    cooperative_id: int | None = None,
    progress: Progress | None = None,
    label_language: str | None = None,
) -> IssuanceRun:
    """Issue `count` signed labels for a certified batch, in the caller's transaction.

    `cooperative_id` limits the lookup to one cooperative's batches (an operator's).
    `progress` is called with the number of labels written after each chunk.
    `label_language` is the run's printed language (vi by default, en for export):
    its print jobs and downloads use it unless they ask for another.
    """
    label_language = label_language or DEFAULT_LABEL_LANGUAGE
    check_label_language(label_language)
    if not 1 <= count <= MAX_LABELS_PER_REQUEST:
        raise InvalidInput(
            "a request issues between 1 and %(most)s labels",
            field="count",
            most=MAX_LABELS_PER_REQUEST,
        )
    batch = get_batch(session, batch_id, cooperative_id)
    refusal = issuance_refusal(session, batch)
    if refusal is not None:
        raise refusal
    _take_quota(session, batch, count)

    run = IssuanceRun(
        batch=batch,
        quantity=count,
        key_id=signer.key_id,
        requested_by=actor,
        label_language=label_language,
    )
    session.add(run)
    session.flush()

    product = batch.product
    serials = new_serials(count)
    signed = signer.sign_many(
        gtin=product.gtin,
        product_ref=product.code_ref,
        lot=batch.lot_code,
        serials=serials,
    )
    digest = LabelDigest()
    _write_labels(session, _label_rows(batch.id, run.id, signer.key_id, signed, digest), progress)

    audit_log.record(
        session,
        actor,
        "labels.issued",
        "issuance_run",
        run.id,
        {
            "batch_id": batch.id,
            "count": count,
            "key_id": signer.key_id,
            "serials_sha256": serials_digest(serials),
            "labels_sha256": digest.hexdigest(),
        },
    )
    return run


def serials_digest(serials: list[str]) -> str:
    """SHA-256 of the run's serials in order, one per line: pins what was issued."""
    return hashlib.sha256("\n".join(serials).encode("ascii")).hexdigest()


def remaining_quota(batch: Batch) -> int:
    return batch.quantity - batch.labels_issued


def issuance_refusal(session: Session, batch: Batch) -> Conflict | None:
    """Why no label can be issued for the batch now, or None if labels can be.

    The console asks before offering "request labels"; issue_labels raises the same.
    """
    if batch.status == BatchStatus.RECALLED:
        return Conflict("the batch is recalled: no labels can be issued")
    if batch.status == BatchStatus.DRAFT:
        return Conflict(
            "lot %(lot)s waits for the Union: labels can be requested once an officer "
            "has certified it",
            lot=batch.lot_code,
        )
    if not is_certified(session, batch):
        return Conflict("labels are issued only for a batch with a valid certification")
    if remaining_quota(batch) < 1:
        return Conflict(
            "every one of the %(quantity)s items of lot %(lot)s has a label already",
            quantity=batch.quantity,
            lot=batch.lot_code,
        )
    return None


def _take_quota(session: Session, batch: Batch, count: int) -> None:
    taken = rows_updated(
        session,
        update(Batch)
        .where(
            Batch.id == batch.id,
            Batch.status == BatchStatus.CERTIFIED,
            Batch.labels_issued + count <= Batch.quantity,
        )
        .values(labels_issued=Batch.labels_issued + count),
    )
    session.refresh(batch)
    if taken != 1:
        raise Conflict(
            "only %(remaining)s of the batch's %(quantity)s certified items have no label "
            "yet; %(count)s requested",
            field="count",
            remaining=remaining_quota(batch),
            quantity=batch.quantity,
            count=count,
        )


LABEL_COLUMNS = ("batch_id", "run_id", "sequence", "serial", "key_id", "signature", "status")


def _label_rows(
    batch_id: int,
    run_id: int,
    key_id: str,
    signed: Iterator[tuple[str, str]],
    digest: LabelDigest,
) -> Iterator[tuple]:
    for sequence, (serial, uri) in enumerate(signed, start=1):
        signature = uri.rsplit("8030=", 1)[1]
        digest.add(serial, batch_id, key_id, signature)
        yield (batch_id, run_id, sequence, serial, key_id, signature, "active")


def _write_labels(session: Session, rows: Iterator[tuple], progress: Progress | None) -> None:
    """Stream rows into the labels table in chunks, inside the session's transaction
    (COPY on PostgreSQL keeps 100,000 labels well under the signing time)."""
    copy_rows(session, cast(Table, Label.__table__), LABEL_COLUMNS, rows, progress)
