"""Turning an issuance run's labels into the plain data `labels/` prints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Result, select
from sqlalchemy.orm import Session

from keys.codes import label_uri
from labels import (
    LabelData,
    LabelWording,
    LayoutError,
    PrintOptions,
    SheetLayout,
    get_preset,
    preset_names,
    render_sheet_pdf,
)
from labels.options import MAX_OFFSET_MM
from traceapp.clock import today_local
from traceapp.domain.batches import get_batch
from traceapp.domain.certifications import mark, valid_certifications
from traceapp.domain.label_wording import (
    DEFAULT_LABEL_LANGUAGE,
    LABEL_LANGUAGES,
    label_wording,
    translate,
)
from traceapp.errors import InvalidInput, NotFound
from traceapp.models import IssuanceRun, Label


def get_run(session: Session, run_id: int, cooperative_id: int | None = None) -> IssuanceRun:
    """The issuance run, or NotFound; a cooperative only finds its own runs."""
    run = session.get(IssuanceRun, run_id)
    if run is None or (cooperative_id is not None and run.batch.cooperative_id != cooperative_id):
        raise NotFound("no issuance run %(run)s", run=str(run_id))
    return run


@dataclass(frozen=True)
class RunLabelTemplate:
    """What every label of a run shares, as plain values: only serial and signature vary."""

    base_url: str
    gtin: str | None
    product_ref: str | None
    cooperative: str
    product: str
    lot: str
    best_before: date | None
    marks: tuple[str, ...]
    issuer: str
    wording: LabelWording

    def label(self, serial: str, signature: str) -> LabelData:
        """The printed label of one issued serial."""
        return LabelData(
            code=label_uri(
                self.base_url,
                gtin=self.gtin,
                product_ref=self.product_ref,
                lot=self.lot,
                serial=serial,
                signature_field=signature,
            ),
            serial=serial,
            cooperative=self.cooperative,
            product=self.product,
            lot=self.lot,
            best_before=self.best_before,
            marks=self.marks,
            issuer=self.issuer,
            wording=self.wording,
        )


def label_template(
    session: Session,
    run: IssuanceRun,
    base_url: str,
    *,
    on: date | None = None,
    language: str | None = None,
) -> RunLabelTemplate:
    """The run's shared label content in `language` (one of LABEL_LANGUAGES; None: the
    run's own, see `label_language`).

    The certification names and the label's fixed words come in that language;
    the issuer is the cooperative's Union; the marks are the certifications valid `on`.
    """
    language = label_language(run, language)
    batch = get_batch(session, run.batch_id)
    product = batch.product
    marks = tuple(
        filter(
            None,
            (
                mark(c, lambda name: translate(name, language))
                for c in valid_certifications(session, batch, on or today_local())
            ),
        )
    )
    return RunLabelTemplate(
        base_url=base_url,
        gtin=product.gtin,
        product_ref=product.code_ref,
        cooperative=batch.cooperative.name,
        product=product.name,
        lot=batch.lot_code,
        best_before=batch.best_before,
        marks=marks,
        issuer=batch.cooperative.union.name,
        wording=label_wording(language),
    )


def option_refusal(field: str) -> InvalidInput:
    """What a print option (offsets, start position) allows, in words the console
    translates: the labels package's own reasons are English."""
    if field == "offset":
        return InvalidInput(
            "the offsets are numbers of millimetres from -%(most)s to %(most)s",
            field="offset",
            most=f"{MAX_OFFSET_MM:g}",
        )
    return InvalidInput("the start position is a whole number from 1", field="start_position")


def layout_refusal() -> InvalidInput:
    """A label that cannot be drawn on the chosen stock (its code or text would be too
    small to read)."""
    return InvalidInput(
        "these labels do not fit on the chosen label stock: choose a larger stock",
        field="preset",
    )


def sheet_setup(
    preset: str, base_options: PrintOptions, **choices: Any
) -> tuple[SheetLayout, PrintOptions]:
    """The stock `preset` and the print options for it (start position, offsets...),
    or InvalidInput naming the field at fault, in words the console translates."""
    try:
        layout = get_preset(preset)
    except LayoutError as exc:
        raise InvalidInput(
            "there is no label stock %(stock)s; recommended: %(allowed)s",
            field="preset",
            stock=preset,
            allowed=preset_names(),
        ) from exc
    try:
        options = replace(base_options, **choices)
    except LayoutError as exc:
        raise option_refusal("offset" if "offset" in str(exc) else "start_position") from exc
    if options.start_position > layout.labels_per_sheet:
        raise InvalidInput(
            "start at a position from 1 to %(most)s: a sheet of this stock has %(most)s labels",
            field="start_position",
            most=layout.labels_per_sheet,
        )
    return layout, options


def check_range(run: IssuanceRun, first: int, last: int | None) -> int:
    """The last position to print (default: the run's end), after checking first..last."""
    last = run.quantity if last is None else last
    if not 1 <= first <= last <= run.quantity:
        raise InvalidInput(
            "the positions must lie from 1 to %(most)s, the first not after the last",
            field="range",
            most=run.quantity,
        )
    return last


def label_rows(session: Session, run: IssuanceRun, first: int, last: int) -> Result[str, str]:
    """The (serial, signature) of the run's labels first..last, in print order (streamed)."""
    stmt = (
        select(Label.serial, Label.signature)
        .where(Label.run_id == run.id, Label.sequence.between(first, last))
        .order_by(Label.sequence)
        .execution_options(yield_per=2000)
    )
    return session.execute(stmt)


def run_labels(
    session: Session,
    run: IssuanceRun,
    base_url: str,
    *,
    first: int = 1,
    last: int | None = None,
    on: date | None = None,
    language: str | None = None,
) -> Iterator[LabelData]:
    """The run's labels from position `first` to `last` (1-based, inclusive), in print order.

    In `language` (see `label_template`). Streams from the database so a
    100,000-label run never sits in memory at once.
    """
    last = check_range(run, first, last)
    template = label_template(session, run, base_url, on=on, language=language)
    for serial, signature in label_rows(session, run, first, last):
        yield template.label(serial, signature)


def label_language(run: IssuanceRun, asked: str | None = None) -> str:
    """The language a print of `run` is in: the one asked for, else the run's own
    (chosen at issuance, Vietnamese by default). The one place that decides it."""
    language = asked or run.label_language or DEFAULT_LABEL_LANGUAGE
    check_label_language(language)
    return language


def check_label_language(language: str) -> None:
    """Refuse a label language the catalogues do not offer."""
    if language not in LABEL_LANGUAGES:
        raise InvalidInput(
            "unknown label language %(language)s; allowed: %(allowed)s",
            field="language",
            language=language,
            allowed=LABEL_LANGUAGES,
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
