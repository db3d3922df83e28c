"""Turning an issuance run's labels into the plain data `labels/` prints."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.codes import label_uri
from labels import LabelData, PrintOptions, SheetLayout, render_sheet_pdf
from traceapp.clock import today_local
from traceapp.domain.batches import get_batch
from traceapp.domain.certifications import mark, valid_certifications
from traceapp.errors import InvalidInput, NotFound
from traceapp.models import IssuanceRun, Label


def get_run(session: Session, run_id: int, cooperative_id: int | None = None) -> IssuanceRun:
    """The issuance run, or NotFound; a cooperative only finds its own runs."""
    run = session.get(IssuanceRun, run_id)
    if run is None or (cooperative_id is not None and run.batch.cooperative_id != cooperative_id):
        raise NotFound("no issuance run %(run)s", run=str(run_id))
    return run


def run_labels(
    session: Session,
    run: IssuanceRun,
    base_url: str,
    *,
    first: int = 1,
    last: int | None = None,
    on: date | None = None,
) -> Iterator[LabelData]:
    """The run's labels from position `first` to `last` (1-based, inclusive), in print order.

    Streams from the database so a 100,000-label run never sits in memory at once.
    """
    last = run.quantity if last is None else last
    if not 1 <= first <= last <= run.quantity:
        raise InvalidInput(
            "the positions must lie from 1 to %(most)s, the first not after the last",
            field="range",
            most=run.quantity,
        )
    batch = get_batch(session, run.batch_id)
    product = batch.product
    marks = tuple(
        filter(None, (mark(c) for c in valid_certifications(session, batch, on or today_local())))
    )
    stmt = (
        select(Label.serial, Label.signature)
        .where(Label.run_id == run.id, Label.sequence.between(first, last))
        .order_by(Label.sequence)
        .execution_options(yield_per=2000)
    )
    for serial, signature in session.execute(stmt):
        yield LabelData(
            code=label_uri(
                base_url,
                gtin=product.gtin,
                product_ref=None if product.gtin else product.ref,
                lot=batch.lot_code,
                serial=serial,
                signature_field=signature,
            ),
            serial=serial,
            cooperative=batch.cooperative.name,
            product=product.name,
            lot=batch.lot_code,
            best_before=batch.best_before,
            marks=marks,
        )


def run_sheet_pdf(
    session: Session,
    run: IssuanceRun,
    base_url: str,
    layout: SheetLayout,
    options: PrintOptions,
    *,
    first: int = 1,
    last: int | None = None,
) -> bytes:
    """The PDF label sheet for a run, or a range of it."""
    return render_sheet_pdf(
        run_labels(session, run, base_url, first=first, last=last), layout, options
    )


def find_label(session: Session, batch_id: int, serial: str) -> Label:
    label = session.scalar(select(Label).where(Label.batch_id == batch_id, Label.serial == serial))
    if label is None:
        raise NotFound(
            "lot %(lot)s has no label with serial %(serial)s",
            field="serial",
            lot=get_batch(session, batch_id).lot_code,
            serial=serial,
        )
    return label
