"""Print jobs: label sheets and rolls, and box labels, rendered by a print worker, never
by a web request.

A cooperative asks for a rendering of a run's labels (`request_print`) or of the labels
of the boxes a batch was packed into (`request_box_print`); a print worker claims
the job (`claim_next_job`), renders it in chunks while recording its progress
in the database (`render_job`), and stores the file under the instance
directory. Any web worker or node shows the progress and serves the file.
The CLI renders the same `PrintRequest` in its own process (`render_request`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from labels import (
    DEFAULT_OPTIONS,
    DEFAULT_PRESET,
    DEFAULT_ROLL_MM,
    LabelData,
    LayoutError,
    PrintOptions,
    SheetLayout,
    get_preset,
    page_count,
    render_roll_pdf,
    render_sheet_pdf,
    render_zpl,
)
from labels.thermal import MAX_ROLL_HEIGHT_MM, MAX_ROLL_WIDTH_MM, check_roll_size
from labels.zpl import ALLOWED_DPI
from traceapp.clock import today_local
from traceapp.db import rows_updated
from traceapp.domain.box_labels import box_count, box_labels
from traceapp.domain.printing import (
    check_label_language,
    check_range,
    get_run,
    label_language,
    label_rows,
    label_template,
    layout_refusal,
    option_refusal,
    sheet_setup,
)
from traceapp.errors import Conflict, DomainError, InvalidInput, NotFound, Term
from traceapp.models import IssuanceRun, PrintJob, PrintJobKind, PrintJobStatus
from traceapp.models._columns import utcnow

log = logging.getLogger(__name__)

#: Labels read from the database per query: short transactions, so a long job
#: never holds SQLite's lock (or a PostgreSQL snapshot) for its whole length.
CHUNK = 1000
#: A worker that has not reported for this long is taken to be dead; its job is
#: claimed again by another worker.
STALE_AFTER = timedelta(seconds=90)
#: Where finished files go, under the instance directory.
OUTPUT_DIR = "print-jobs"
#: How long a finished file is kept: long enough to print it, short enough that
#: sheets of signed codes do not pile up on the server.
KEEP_FILES = timedelta(days=7)

MEDIA_TYPES = {
    PrintJobKind.SHEET: ("application/pdf", "pdf"),
    PrintJobKind.ROLL: ("application/pdf", "pdf"),
    PrintJobKind.ZPL: ("application/zpl", "zpl"),
}


@dataclass(frozen=True)
class PrintRequest:
    """What to render: the format, the stock and options, the label language, the range.

    ``preset``, ``start_position`` and the offsets apply to sheets;
    ``width_mm``/``height_mm`` to rolls and ZPL; ``dpi`` to ZPL; ``packing`` to box
    labels (numbered from 1; None: every box of the batch), which are sheets.
    """

    kind: PrintJobKind = PrintJobKind.SHEET
    preset: str = DEFAULT_PRESET
    start_position: int = 1
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0
    cut_outlines: bool = False
    width_mm: float = DEFAULT_ROLL_MM[0]
    height_mm: float = DEFAULT_ROLL_MM[1]
    dpi: int = 203
    # None: the run's label language (printing.label_language), filled in when queued.
    language: str | None = None
    first: int = 1
    last: int | None = None
    packing: int | None = None

    @classmethod
    def from_parameters(cls, parameters: dict[str, Any]) -> PrintRequest:
        """The request stored in a job's ``parameters``."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in parameters.items() if k in known}
        values["kind"] = PrintJobKind(values.get("kind", PrintJobKind.SHEET))
        return cls(**values)

    def parameters(self) -> dict[str, Any]:
        """The request as JSON-friendly values, for the job record and the API."""
        values = asdict(self)
        values["kind"] = str(self.kind)
        return values


@dataclass(frozen=True)
class PrintSetup:
    """A checked request: the stock layout (sheets) and print options."""

    request: PrintRequest
    layout: SheetLayout | None
    options: PrintOptions


def check_request(
    request: PrintRequest, base_options: PrintOptions = DEFAULT_OPTIONS
) -> PrintSetup:
    """Check every choice of ``request`` before any label is rendered.

    ``base_options`` carries the instance's fonts (``Settings.print_options``).
    Raises InvalidInput naming the field (stock, start position, offsets, size, dpi, language).
    """
    if request.language is not None:
        check_label_language(request.language)
    if request.kind == PrintJobKind.SHEET:
        layout, options = sheet_setup(
            request.preset,
            base_options,
            start_position=request.start_position,
            offset_x_mm=request.offset_x_mm,
            offset_y_mm=request.offset_y_mm,
            cut_outlines=request.cut_outlines,
        )
        return PrintSetup(request, layout, options)
    try:
        check_roll_size(request.width_mm, request.height_mm)
    except LayoutError as exc:
        raise InvalidInput(
            "a roll label is at most %(width)s × %(height)s mm",
            field="size",
            width=f"{MAX_ROLL_WIDTH_MM:g}",
            height=f"{MAX_ROLL_HEIGHT_MM:g}",
        ) from exc
    if request.kind == PrintJobKind.ZPL and request.dpi not in ALLOWED_DPI:
        raise InvalidInput(
            "%(dpi)s dpi is not a Zebra print head resolution; allowed: %(allowed)s",
            field="dpi",
            dpi=repr(request.dpi),
            allowed=tuple(map(str, ALLOWED_DPI)),
        )
    try:
        options = replace(
            base_options,
            start_position=1,
            offset_x_mm=request.offset_x_mm,
            offset_y_mm=request.offset_y_mm,
            cut_outlines=request.cut_outlines,
        )
    except LayoutError as exc:
        raise option_refusal("offset") from exc
    return PrintSetup(request, None, options)


def label_range(run: IssuanceRun, request: PrintRequest) -> tuple[int, int]:
    """The first and last position to print, checked against the run."""
    return request.first, check_range(run, request.first, request.last)


def render(setup: PrintSetup, labels: Iterable[LabelData]) -> bytes:
    """Render ``labels`` as ``setup`` asks (PDF sheets, PDF roll or ZPL).

    A label that cannot be printed on the chosen stock raises InvalidInput.
    """
    request = setup.request
    try:
        if request.kind == PrintJobKind.SHEET:
            assert setup.layout is not None
            return render_sheet_pdf(labels, setup.layout, setup.options)
        if request.kind == PrintJobKind.ROLL:
            return render_roll_pdf(labels, request.width_mm, request.height_mm, setup.options)
        return render_zpl(
            labels,
            request.width_mm,
            request.height_mm,
            request.dpi,
            font_path=setup.options.font_path,
        )
    except LayoutError as exc:
        raise layout_refusal() from exc


def pages(job: PrintJob) -> int | None:
    """How many sheets (or roll labels) the job's file has; None for a job with no file."""
    if job.status != PrintJobStatus.DONE:
        return None
    request = PrintRequest.from_parameters(job.parameters)
    if request.kind == PrintJobKind.SHEET:
        return page_count(job.labels_total, get_preset(request.preset), request.start_position)
    return job.labels_total


def request_print(
    session: Session,
    run_id: int,
    request: PrintRequest,
    actor: str,
    cooperative_id: int | None = None,
    base_options: PrintOptions = DEFAULT_OPTIONS,
) -> PrintJob:
    """Queue a rendering of the run's labels for the print workers; the caller commits.

    Every choice is checked now, so a job that is queued can only fail on
    something no form could know (a label text too long for the stock).
    """
    run = get_run(session, run_id, cooperative_id)
    request = replace(request, language=label_language(run, request.language))
    check_request(request, base_options)
    first, last = label_range(run, request)
    job = PrintJob(
        run_id=run.id,
        kind=request.kind,
        parameters=request.parameters(),
        status=PrintJobStatus.QUEUED,
        labels_total=last - first + 1,
        labels_done=0,
        requested_by=actor,
    )
    session.add(job)
    session.flush()
    return job


def request_box_print(
    session: Session,
    batch_id: int,
    request: PrintRequest,
    actor: str,
    cooperative_id: int | None = None,
    base_options: PrintOptions = DEFAULT_OPTIONS,
) -> PrintJob:
    """Queue the labels of the batch's boxes (of ``request.packing``, or every box) on
    sheets for the print workers; the caller commits. NotFound for a batch the caller
    may not see, not packed yet, or without that packing; InvalidInput for the stock."""
    boxes = box_count(session, batch_id, request.packing, cooperative_id)
    request = replace(request, kind=PrintJobKind.SHEET)  # box labels go on sheets
    check_request(request, base_options)
    job = PrintJob(
        batch_id=batch_id,
        kind=request.kind,
        parameters=request.parameters(),
        status=PrintJobStatus.QUEUED,
        labels_total=boxes,
        labels_done=0,
        requested_by=actor,
    )
    session.add(job)
    session.flush()
    return job


def get_print_job(session: Session, job_id: int, cooperative_id: int | None = None) -> PrintJob:
    """The print job, or NotFound; a cooperative only finds jobs of its own batches."""
    job = session.get(PrintJob, job_id)
    if job is None or (
        cooperative_id is not None and job.printed_batch.cooperative_id != cooperative_id
    ):
        raise NotFound("no print job %(id)s", id=str(job_id))
    return job


def jobs_of_run(session: Session, run_id: int, limit: int = 10) -> list[PrintJob]:
    """The run's latest print jobs, newest first."""
    stmt = (
        select(PrintJob).where(PrintJob.run_id == run_id).order_by(PrintJob.id.desc()).limit(limit)
    )
    return list(session.scalars(stmt))


def box_jobs_of_batch(session: Session, batch_id: int, limit: int = 10) -> list[PrintJob]:
    """The latest print jobs of the batch's box labels, newest first."""
    stmt = (
        select(PrintJob)
        .where(PrintJob.batch_id == batch_id)
        .order_by(PrintJob.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def job_file(instance_dir: Path, job: PrintJob) -> tuple[Path, str, str]:
    """(path, media type, download name) of a finished job; Conflict while it is not done,
    NotFound once its file was removed (after ``KEEP_FILES``)."""
    if job.status != PrintJobStatus.DONE:
        raise Conflict(
            "print job %(id)s is not ready to download: %(status)s",
            id=str(job.id),
            status=PrintJobStatus(job.status),
        )
    path = instance_dir / OUTPUT_DIR / (job.output_name or "")
    if not job.output_name or not path.is_file():
        raise NotFound(
            "the file of print job %(id)s is no longer stored (files are kept %(days)s days): "
            "ask for the labels again",
            id=str(job.id),
            days=KEEP_FILES.days,
        )
    media_type, suffix = MEDIA_TYPES[PrintJobKind(job.kind)]
    request = PrintRequest.from_parameters(job.parameters)
    if job.run_id is None:
        packing = f"-packing-{request.packing}" if request.packing else ""
        return path, media_type, f"boxes-batch-{job.batch_id}{packing}.{suffix}"
    name = request.preset if job.kind == PrintJobKind.SHEET else job.kind
    return path, media_type, f"labels-run-{job.run_id}-{name}-{request.language}.{suffix}"


# The worker's side.


class JobLost(Exception):
    """The job was taken over by another worker (this one was presumed dead)."""


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        PrintJob.status == PrintJobStatus.QUEUED,
        and_(
            PrintJob.status == PrintJobStatus.RENDERING,
            PrintJob.heartbeat_at < now - STALE_AFTER,
        ),
    )


def claim_next_job(factory: sessionmaker[Session], worker: str) -> int | None:
    """Claim the oldest queued job (or one whose worker died) for ``worker``; its id or None.

    The claim is one conditional UPDATE, so two workers never take the same job.
    """
    with factory() as session:
        now = utcnow()
        candidates = session.scalars(
            select(PrintJob.id).where(_claimable(now)).order_by(PrintJob.id).limit(5)
        ).all()
        session.rollback()
        for job_id in candidates:
            now = utcnow()
            claimed = rows_updated(
                session,
                update(PrintJob)
                .where(PrintJob.id == job_id, _claimable(now))
                .values(
                    status=PrintJobStatus.RENDERING,
                    worker=worker,
                    started_at=now,
                    heartbeat_at=now,
                    labels_done=0,
                ),
            )
            session.commit()
            if claimed == 1:
                return job_id
    return None


def _record(factory: sessionmaker[Session], job_id: int, worker: str, **values: Any) -> None:
    with factory() as session:
        changed = rows_updated(
            session,
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.worker == worker)
            .values(heartbeat_at=utcnow(), **values),
        )
        session.commit()
    if changed != 1:
        raise JobLost(job_id)


def remove_old_files(
    factory: sessionmaker[Session], instance_dir: Path, now: datetime | None = None
) -> int:
    """Delete the files of jobs finished more than ``KEEP_FILES`` ago; how many were removed."""
    cutoff = (now or utcnow()) - KEEP_FILES
    with factory() as session:
        old = session.execute(
            select(PrintJob.id, PrintJob.output_name).where(
                PrintJob.status == PrintJobStatus.DONE,
                PrintJob.output_name.is_not(None),
                PrintJob.finished_at < cutoff,
            )
        ).all()
        for job_id, name in old:
            (instance_dir / OUTPUT_DIR / str(name)).unlink(missing_ok=True)
            rows_updated(
                session,
                update(PrintJob).where(PrintJob.id == job_id).values(output_name=None),
            )
        session.commit()
    return len(old)


def chunked_labels(
    factory: sessionmaker[Session],
    run_id: int,
    base_url: str,
    first: int,
    last: int,
    language: str | None,
    on: date,
    progress: Callable[[int], None],
) -> Iterator[LabelData]:
    """The labels ``first``..``last``, read ``CHUNK`` rows at a time, each read in its own
    short transaction (on SQLite a transaction holds the write lock: the labels are
    built and drawn after it ends); ``progress(n)`` after every chunk handed on."""
    with factory() as session:
        run = session.get(IssuanceRun, run_id)
        if run is None:
            raise NotFound("no issuance run %(id)s", id=str(run_id))
        template = label_template(session, run, base_url, on=on, language=language)
        session.rollback()
    for start in range(first, last + 1, CHUNK):
        end = min(last, start + CHUNK - 1)
        with factory() as session:
            run = session.get(IssuanceRun, run_id)
            assert run is not None
            rows = label_rows(session, run, start, end).all()
            session.rollback()
        yield from (template.label(serial, signature) for serial, signature in rows)
        progress(end - first + 1)


def box_labels_of_job(
    factory: sessionmaker[Session], batch_id: int, base_url: str, packing: int | None, on: date
) -> list[LabelData]:
    """The labels of the batch's boxes (of ``packing``, or every box), read in one short
    transaction (a batch's boxes are far fewer than a run's labels)."""
    with factory() as session:
        labels = box_labels(session, batch_id, base_url, packing, on=on)
        session.rollback()
    return labels


def reporting(labels: Sequence[LabelData], progress: Callable[[int], None]) -> Iterator[LabelData]:
    """``labels``, with ``progress(n)`` after every ``CHUNK`` of them handed on."""
    for start in range(0, len(labels), CHUNK):
        yield from labels[start : start + CHUNK]
        progress(min(len(labels), start + CHUNK))


def render_job(
    factory: sessionmaker[Session],
    job_id: int,
    worker: str,
    instance_dir: Path,
    base_url: str,
    base_options: PrintOptions = DEFAULT_OPTIONS,
) -> None:
    """Render a claimed job, recording progress, and store its file (or the failure)."""
    with factory() as session:
        job = session.get(PrintJob, job_id)
        if job is None:
            return
        request = PrintRequest.from_parameters(job.parameters)
        run_id, batch_id, total = job.run_id, job.batch_id, job.labels_total
    try:
        setup = check_request(request, base_options)

        def progress(done: int) -> None:
            # The file is not there until the end: the bar stops just short of full.
            _record(factory, job_id, worker, labels_done=min(done, total - 1))

        labels: Iterable[LabelData]
        if run_id is not None:
            first = request.first
            labels = chunked_labels(
                factory,
                run_id,
                base_url,
                first,
                first + total - 1,
                request.language,
                today_local(),
                progress,
            )
        else:
            assert batch_id is not None  # the "source" constraint
            boxes = box_labels_of_job(factory, batch_id, base_url, request.packing, today_local())
            if len(boxes) != total:  # every box, and packed again since it was asked for
                total = len(boxes)
                _record(factory, job_id, worker, labels_total=total)
            labels = reporting(boxes, progress)
        data = render(setup, labels)
        out_dir = instance_dir / OUTPUT_DIR
        out_dir.mkdir(parents=True, exist_ok=True)
        suffix = MEDIA_TYPES[request.kind][1]
        name = f"{job_id}-{secrets.token_hex(8)}.{suffix}"
        partial = out_dir / (name + ".part")
        partial.write_bytes(data)
        os.chmod(partial, 0o600)
        os.replace(partial, out_dir / name)
        _record(
            factory,
            job_id,
            worker,
            status=PrintJobStatus.DONE,
            labels_done=total,
            output_name=name,
            output_size=len(data),
            finished_at=utcnow(),
        )
    except JobLost:
        log.warning("print job %s was taken over by another worker", job_id)
    except (InvalidInput, NotFound, Conflict) as exc:
        # The labels package's own reason, when there is one, goes to the worker's log.
        log.info("print job %s refused: %s (%s)", job_id, exc.detail, exc.__cause__ or "-")
        _fail(factory, job_id, worker, exc)
    except Exception:  # noqa: BLE001 - a worker must outlive one bad job
        log.exception("print job %s failed", job_id)
        _fail(
            factory,
            job_id,
            worker,
            DomainError("internal error while rendering; see the worker's log"),
        )


def _fail(factory: sessionmaker[Session], job_id: int, worker: str, why: DomainError) -> None:
    with contextlib.suppress(JobLost):
        _record(
            factory,
            job_id,
            worker,
            status=PrintJobStatus.FAILED,
            error=_stored_refusal(why),
            finished_at=utcnow(),
        )


def _stored_refusal(why: DomainError) -> str:
    """A refusal as a failed job keeps it: its template and values, as JSON, so the
    console can say it in the reader's language (job_refusal)."""
    values = {name: _stored_value(value) for name, value in why.values.items()}
    return json.dumps({"message": why.message, "values": values}, ensure_ascii=False)


def _stored_value(value: object) -> object:
    if isinstance(value, Term):
        return {"term": value.kind, "value": value.value}
    if isinstance(value, tuple | list):
        return [_stored_value(item) for item in value]
    return value if isinstance(value, int | float | bool) else str(value)


def job_refusal(job: PrintJob) -> DomainError | None:
    """Why a failed job failed, as the refusal it was (None for a job that did not fail)."""
    if not job.error:
        return None
    try:
        stored = json.loads(job.error)
        values: dict[str, Any] = {
            name: _restored_value(value) for name, value in stored["values"].items()
        }
        return DomainError.restored(stored["message"], values)
    except (ValueError, KeyError, TypeError, AttributeError):
        return DomainError.restored(job.error, {})  # a reason stored as plain text


def _restored_value(value: Any) -> object:
    if isinstance(value, dict):
        return Term(value["term"], value["value"])
    if isinstance(value, list):
        return tuple(_restored_value(item) for item in value)
    return value
