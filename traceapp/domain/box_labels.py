"""Printable labels for the boxes a batch was packed into: one QR code per box, whose
content is the address of the box's public page (built from the box's identifier and
the service's base URL), on the same sheet stock as item labels.

The console asks for them as a print job (domain/print_jobs.py, request_box_print),
rendered by a print worker like a run's sheets; the CLI renders them in its own
process (`box_sheet_pdf`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from labels import (
    DEFAULT_OPTIONS,
    DEFAULT_PRESET,
    LabelData,
    PrintOptions,
    page_count,
    render_sheet_pdf,
)
from traceapp.clock import today_local
from traceapp.domain.batches import get_batch
from traceapp.domain.certifications import mark, valid_certifications
from traceapp.domain.printing import sheet_setup
from traceapp.domain.value_chain import Packing, packings
from traceapp.epcis import box_url, parse_box_uri
from traceapp.errors import NotFound
from traceapp.models import Batch


def box_count(
    session: Session, batch_id: int, packing: int | None = None, cooperative_id: int | None = None
) -> int:
    """How many boxes `box_labels` would print; NotFound as it would refuse."""
    _batch, _found, chosen = _chosen(session, batch_id, packing, cooperative_id)
    return sum(len(group.boxes) for group in chosen)


def box_labels(
    session: Session,
    batch_id: int,
    base_url: str,
    packing: int | None = None,
    cooperative_id: int | None = None,
    on: date | None = None,
) -> list[LabelData]:
    """The labels of one packing's boxes (`packing` numbered from 1), or of every box.

    Each says "Box n/N": n is the box's number within the batch, N the boxes packed from
    the batch up to and including that packing (all of them for a single packing).
    """
    batch, found, chosen = _chosen(session, batch_id, packing, cooperative_id)
    marks = tuple(
        filter(None, (mark(c) for c in valid_certifications(session, batch, on or today_local())))
    )
    labels = []
    for group in chosen:
        total = found[group.number - 1].box_numbers[1]
        for uri, items in group.boxes:
            box = parse_box_uri(uri)
            number = box.number if box else 0
            labels.append(
                LabelData(
                    # Our box's page at today's address; another system's box as named.
                    code=box_url(base_url, box) if box else uri,
                    serial=f"Box {number}/{total}" if number else "Box",
                    cooperative=batch.cooperative.name,
                    product=f"{batch.product.name} · {items:,} {batch.unit}".replace(",", "."),
                    lot=batch.lot_code,
                    best_before=batch.best_before,
                    marks=marks,
                )
            )
    return labels


def box_sheet_pdf(
    session: Session,
    batch_id: int,
    base_url: str,
    packing: int | None = None,
    preset: str = DEFAULT_PRESET,
    start_position: int = 1,
    cooperative_id: int | None = None,
    base_options: PrintOptions = DEFAULT_OPTIONS,
) -> tuple[bytes, int]:
    """The box labels on sheets of `preset` stock from `start_position`; (PDF, pages)."""
    layout, options = sheet_setup(preset, base_options, start_position=start_position)
    labels = box_labels(session, batch_id, base_url, packing, cooperative_id)
    pdf = render_sheet_pdf(labels, layout, options)
    return pdf, page_count(len(labels), layout, start_position)


def _chosen(
    session: Session, batch_id: int, packing: int | None, cooperative_id: int | None
) -> tuple[Batch, list[Packing], list[Packing]]:
    """The batch, its packings and those to print; NotFound for a batch the caller may
    not see, one not packed yet, or a packing it does not have."""
    batch = get_batch(session, batch_id, cooperative_id)
    found = packings(session, batch_id, cooperative_id)
    if not found:
        raise NotFound(
            "lot %(lot)s has not been packed into boxes yet", field="packing", lot=batch.lot_code
        )
    return batch, found, found if packing is None else [_packing(found, packing)]


def _packing(found: list[Packing], number: int) -> Packing:
    if not 1 <= number <= len(found):
        raise NotFound(
            "no packing %(number)s; this lot has %(count)s",
            field="packing",
            number=str(number),
            count=len(found),
        )
    return found[number - 1]
