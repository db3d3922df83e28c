"""Province-wide figures for the Union's dashboard, and scan counts per batch."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from traceapp.clock import today_local
from traceapp.infrastructure.scan_rollups import not_rolled_up, rolled_up_to
from traceapp.models import (
    Batch,
    BatchScanTotal,
    BatchStatus,
    Certification,
    Cooperative,
    Label,
    Scan,
)

EXPIRY_WINDOW_DAYS = 60


@dataclass(frozen=True)
class UnionFigures:
    cooperatives: int
    certified_batches: int
    labels_issued: int
    scans: int
    expiring: list[Certification]
    window_end: date


@dataclass(frozen=True)
class ScanCounts:
    batch_id: int
    total: int
    by_verdict: dict[str, int]


def union_figures(
    session: Session, province: str | None = None, today: date | None = None
) -> UnionFigures:
    """Counts across every cooperative (or one province's), and the certifications
    that lapse within the next 60 days (ones already expired are not listed)."""
    today = today or today_local()
    window_end = today + timedelta(days=EXPIRY_WINDOW_DAYS)

    cooperatives = select(Cooperative.id)
    if province:
        cooperatives = cooperatives.where(Cooperative.province == province)
    in_scope = Batch.cooperative_id.in_(cooperatives)

    expiring = (
        select(Certification)
        .outerjoin(Batch, Certification.batch_id == Batch.id)
        .where(Certification.valid_to.between(today, window_end))
    )
    if province:
        expiring = expiring.where((Certification.cooperative_id.in_(cooperatives)) | in_scope)
    # Without a province every scan counts, also those of codes that matched no label
    # (batch 0 of the roll-up). Rolled-up scans, plus the raw ones since the roll-up.
    since = rolled_up_to(session)
    rolled = select(func.coalesce(func.sum(BatchScanTotal.scans), 0))
    raw = select(func.count(Scan.id)).where(not_rolled_up(since))
    if province:
        rolled = rolled.where(BatchScanTotal.batch_id.in_(select(Batch.id).where(in_scope)))
        raw = (
            raw.join(Label, Scan.label_id == Label.id)
            .join(Batch, Label.batch_id == Batch.id)
            .where(in_scope)
        )
    return UnionFigures(
        cooperatives=session.scalar(select(func.count()).select_from(cooperatives.subquery())) or 0,
        certified_batches=session.scalar(
            select(func.count(Batch.id)).where(Batch.status == BatchStatus.CERTIFIED, in_scope)
        )
        or 0,
        labels_issued=session.scalar(
            select(func.coalesce(func.sum(Batch.labels_issued), 0)).where(in_scope)
        )
        or 0,
        scans=(session.scalar(rolled) or 0) + (session.scalar(raw) or 0),
        expiring=list(session.scalars(expiring.order_by(Certification.valid_to))),
        window_end=window_end,
    )


def scan_counts(session: Session, batch_id: int) -> ScanCounts:
    """How often the batch's labels were scanned, by verdict: rolled up, and raw since."""
    by_verdict: dict[str, int] = defaultdict(int)
    for verdict, count in session.execute(
        select(BatchScanTotal.verdict, BatchScanTotal.scans).where(
            BatchScanTotal.batch_id == batch_id
        )
    ):
        by_verdict[verdict] += count
    for verdict, count in session.execute(
        select(Scan.verdict, func.count(Scan.id))
        .join(Label, Scan.label_id == Label.id)
        .where(Label.batch_id == batch_id, not_rolled_up(rolled_up_to(session)))
        .group_by(Scan.verdict)
    ):
        by_verdict[verdict] += count
    return ScanCounts(
        batch_id=batch_id, total=sum(by_verdict.values()), by_verdict=dict(by_verdict)
    )
