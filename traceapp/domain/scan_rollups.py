"""Rolling scans up into aggregates kept for ever, and dropping raw scans past retention.

The roll-up moves a watermark forward window by window; each window's scans are
added to the aggregates once (traceapp/infrastructure/scan_rollups.py) and the
clone rules of traceapp/domain/scans.py mark the codes they make suspicious. It never
recomputes what is behind the watermark. Readers add the raw scans since the
watermark, so no figure depends on when the roll-up last ran.

Retention drops whole months of raw scans behind the watermark, and says so in the
audit log (`scans.pruned`): the counts, flags and statistics of those months stay
in the aggregates, so a prune changes no figure a page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import groupby

from sqlalchemy import ColumnElement, SQLColumnExpression, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from traceapp.db import unit_of_work
from traceapp.domain.audit_log import record
from traceapp.domain.scans import (
    DISTANT_SCANS_WINDOW,
    LOCATION_FOLLOW_UP,
    MAX_PLAUSIBLE_CLIENTS,
    MAX_PLAUSIBLE_SCANS,
    has_distant_pair,
)
from traceapp.errors import Conflict, InvalidInput
from traceapp.infrastructure.scan_partitions import (
    PrunedScans,
    add_months,
    ensure_partitions,
    month_start,
    prune_before,
)
from traceapp.infrastructure.scan_rollups import (
    roll_up_rows,
    rolled_up_to,
    set_rolled_up_to,
    start_rollups,
)
from traceapp.models import LabelScanTotal, Scan
from traceapp.models._columns import timestamp_text, utcnow

# Scans younger than this stay raw: a location sent after the page loaded still
# completes its scan (LOCATION_FOLLOW_UP), and a buffered scan is written long before.
ROLLUP_LAG = LOCATION_FOLLOW_UP + timedelta(minutes=5)
# The first window; it grows while windows hold few scans, shrinks over this many.
ROLLUP_WINDOW = timedelta(days=1)
WINDOW_MAX_SCANS = 2_000_000
PRUNED = "scans.pruned"


@dataclass(frozen=True)
class RollupReport:
    rolled_up_to: datetime
    scans: int
    windows: int


def roll_up_scans(
    factory: sessionmaker[Session],
    now: datetime | None = None,
    progress: Callable[[datetime, int], None] | None = None,
) -> RollupReport:
    """Add every scan older than ROLLUP_LAG and not rolled up yet to the aggregates,
    one window per transaction; `progress(watermark, scans so far)` after each."""
    until = (now or utcnow()) - ROLLUP_LAG
    window = ROLLUP_WINDOW
    total = windows = 0
    with unit_of_work(factory) as session:
        start_rollups(session)
    while True:
        with unit_of_work(factory) as session:
            start = rolled_up_to(session, lock="update")
            if start >= until:
                return RollupReport(start, total, windows)
            end = min(until, start + window)
            if end - start > ROLLUP_WINDOW:
                found = session.scalar(
                    select(Scan.id)
                    .where(Scan.scanned_at >= start, Scan.scanned_at < end)
                    .offset(WINDOW_MAX_SCANS)
                    .limit(1)
                )
                if found is not None:
                    window = max(ROLLUP_WINDOW, window / 16)
                    continue  # nothing written: try the smaller window
            counted = roll_up_window(session, start, end)
            set_rolled_up_to(session, end)
        total += counted
        windows += 1
        # The window grows while it holds few scans (years without any take a few
        # steps; a catch-up takes windows of WINDOW_MAX_SCANS / 4 or more, where each
        # statement's fixed cost is paid back) and shrinks above WINDOW_MAX_SCANS.
        if counted < WINDOW_MAX_SCANS // 4:
            window = window * (2 if counted else 4)
        if progress is not None:
            progress(end, total)


def roll_up_window(session: Session, start: datetime, end: datetime) -> int:
    """Add the scans of [start, end) to the aggregates and flag the codes they make
    suspicious; the caller moves the watermark to `end` in the same transaction."""
    window = (Scan.scanned_at >= start) & (Scan.scanned_at < end)
    # The upserts judge every code they touch by its counts; the few with a distant
    # pair are then marked (sticky), which makes them suspicious whatever the counts.
    counted = roll_up_rows(session, window, judge=judge_totals)
    if not counted:
        return 0
    distant = _distant_labels(session, start, end, window)
    for chunk in range(0, len(distant), 1000):
        session.execute(
            update(LabelScanTotal)
            .where(LabelScanTotal.label_id.in_(distant[chunk : chunk + 1000]))
            .values(distant_places=True, suspicious=True)
        )
    return counted


def judge_totals(
    scans: SQLColumnExpression[int],
    clients: SQLColumnExpression[int],
    distant: SQLColumnExpression[bool],
) -> ColumnElement[bool]:
    """The clone flags of traceapp/domain/scans.py (_flags) over a code's totals, in SQL."""
    return or_(scans > MAX_PLAUSIBLE_SCANS, clients > MAX_PLAUSIBLE_CLIENTS, distant)


def _distant_labels(
    session: Session, start: datetime, end: datetime, window: ColumnElement[bool]
) -> list[int]:
    """Codes with a located scan in the window that makes a distant pair."""
    # A distant pair with a scan of this window lies within [start - 6 h, end).
    located = (
        select(Scan.label_id, Scan.scanned_at, Scan.latitude, Scan.longitude)
        .where(
            Scan.latitude.is_not(None),
            Scan.longitude.is_not(None),
            Scan.scanned_at >= start - DISTANT_SCANS_WINDOW,
            Scan.scanned_at < end,
            Scan.label_id.in_(select(Scan.label_id).where(window, Scan.latitude.is_not(None))),
        )
        .order_by(Scan.label_id)
    )
    return [
        label_id
        for label_id, rows in groupby(session.execute(located), key=lambda row: row[0])
        if has_distant_pair([(when, lat, lon) for _, when, lat, lon in rows])  # type: ignore[misc]
    ]


def retention_cutoff(today: date, months: int) -> datetime:
    """Raw scans from before this instant are past a retention of `months` months:
    the current month and `months` whole months before it are kept."""
    return add_months(month_start(today), -months)


def prune_scans(session: Session, months: int, today: date, actor: str) -> PrunedScans:
    """Drop the raw scans past a retention of `months` months (whole partitions on
    PostgreSQL), once the roll-up has counted them; logged as `scans.pruned`."""
    if months < 1:
        raise InvalidInput(
            "scans are kept for at least one month, not %(months)s",
            field="months",
            months=months,
        )
    cutoff = retention_cutoff(today, months)
    reached = rolled_up_to(session, lock="update")
    if reached < cutoff:
        raise Conflict(
            "scans are rolled up to %(reached)s only: run `traceapp scans maintain` "
            "before dropping scans from before %(cutoff)s",
            field="months",
            reached=timestamp_text(reached),
            cutoff=timestamp_text(cutoff),
        )
    pruned = prune_before(session.connection(), cutoff)
    if pruned.rows or pruned.partitions:
        record(
            session,
            actor,
            PRUNED,
            "scans",
            cutoff.date().isoformat(),
            {
                "before": timestamp_text(cutoff),
                "retention_months": months,
                "rows": pruned.rows,
                "partitions": list(pruned.partitions),
                "rolled_up_to": timestamp_text(reached),
            },
        )
    return pruned


@dataclass(frozen=True)
class MaintenanceReport:
    partitions_created: list[str]
    rollup: RollupReport
    pruned: PrunedScans | None


def maintain_scans(
    factory: sessionmaker[Session],
    retention_months: int,
    actor: str,
    now: datetime | None = None,
    progress: Callable[[datetime, int], None] | None = None,
) -> MaintenanceReport:
    """Partitions ahead, the roll-up caught up, and (retention > 0) raw scans pruned:
    what `traceapp scans maintain` does, each step in its own transaction."""
    moment = now or utcnow()
    today = moment.astimezone(UTC).date()
    with unit_of_work(factory) as session:
        created = ensure_partitions(session.connection(), today)
    rollup = roll_up_scans(factory, moment, progress)
    pruned = None
    if retention_months:
        with unit_of_work(factory) as session:
            pruned = prune_scans(session, retention_months, today, actor)
    return MaintenanceReport(created, rollup, pruned)
