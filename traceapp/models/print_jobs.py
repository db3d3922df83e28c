"""Print jobs: a label sheet or roll, or box labels, rendered in the background, with
its progress."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from traceapp.db import Base
from traceapp.models._columns import Timestamp, sql_in, vocabulary_column
from traceapp.models.batches import Batch
from traceapp.models.labels import IssuanceRun


class PrintJobStatus(StrEnum):
    """Where a print job is: waiting for a worker, rendering, ready to download, failed."""

    QUEUED = "queued"
    RENDERING = "rendering"
    DONE = "done"
    FAILED = "failed"


class PrintJobKind(StrEnum):
    """What a print job renders: PDF sheets, a PDF thermal roll or ZPL for Zebra printers."""

    SHEET = "sheet"
    ROLL = "roll"
    ZPL = "zpl"


class PrintJob(Base):
    """One rendering of an issuance run's labels (``run_id``), or of the labels of the
    boxes a batch was packed into (``batch_id``), done by a print worker.

    Any web worker or node reads the progress from here; the file is written
    under the instance directory (``output_name``) when the job is done.
    """

    __tablename__ = "print_jobs"
    __table_args__ = (
        CheckConstraint(sql_in("status", PrintJobStatus), name="status"),
        CheckConstraint(sql_in("kind", PrintJobKind), name="kind"),
        CheckConstraint("labels_done >= 0 AND labels_done <= labels_total", name="progress"),
        # A run's labels or a batch's boxes, never both.
        CheckConstraint("(run_id IS NULL) <> (batch_id IS NULL)", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("issuance_runs.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    kind: Mapped[PrintJobKind] = vocabulary_column(PrintJobKind, 10)
    # The rendering choices (stock, start position, offsets, language, range...).
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[PrintJobStatus] = vocabulary_column(
        PrintJobStatus, 10, default=PrintJobStatus.QUEUED, index=True
    )
    labels_total: Mapped[int]
    labels_done: Mapped[int] = mapped_column(default=0)
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[Timestamp]
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A worker's lease: it refreshes this while rendering; a job whose worker
    # died (stale heartbeat) is taken over by another worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    worker: Mapped[str | None] = mapped_column(String(80))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    output_name: Mapped[str | None] = mapped_column(String(200))
    output_size: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)

    run: Mapped[IssuanceRun | None] = relationship()
    batch: Mapped[Batch | None] = relationship()

    @property
    def printed_batch(self) -> Batch:
        """The batch whose labels or boxes the job prints (whose cooperative may see it)."""
        batch = self.run.batch if self.run is not None else self.batch
        assert batch is not None  # the "source" constraint
        return batch
