"""Recording scans of label codes, and the statistics and anti-clone flags drawn from them.

A scan is telemetry, not a state change: it is not written to the audit log (that
would serialise every consumer's page view on the log's lock). Only coarse data is
kept: a salted hash of the client address and a position rounded to ~10 km.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from sqlalchemy import case, distinct, func, literal, select, union
from sqlalchemy.orm import Session

from traceapp.clock import LOCAL_TZ, to_local
from traceapp.domain.batches import get_batch
from traceapp.infrastructure.labels import located_scans
from traceapp.infrastructure.records import NewScan, ScanPlace, StoredScans
from traceapp.infrastructure.scan_rollups import (
    label_scan_figures,
    not_rolled_up,
    rolled_up_to,
    with_label_scans,
)
from traceapp.models import Batch, BatchScanTotal, Label, LabelScanTotal, Scan, ScanDay

# One carton of eggs is opened by one household: a handful of phones, a few dozen
# scans at most. More distinct phones than that means the code is printed elsewhere.
MAX_PLAUSIBLE_CLIENTS = 20
# Repeated scans from one phone are normal (people re-check), so the total bar is higher.
MAX_PLAUSIBLE_SCANS = 50
# Cao Bang to Hanoi is ~280 km; one physical item does not cover more than that...
DISTANT_SCANS_KM = 300.0
# ...within a morning. Longer gaps allow a real trip (or a shipment) between scans.
DISTANT_SCANS_WINDOW = timedelta(hours=6)
# 0.1 degree is ~11 km: enough to tell provinces apart, too coarse to find a house.
LOCATION_DECIMALS = 1
# A location sent after the page loaded (the "share my area" link) completes the
# scan the same phone just made instead of counting a second scan.
LOCATION_FOLLOW_UP = timedelta(minutes=10)
# Bound the pairwise distance check: the most recent located scans are what matter.
DISTANCE_CHECK_LIMIT = 500
REGION_MAX_LENGTH = 100

FLAG_TOO_MANY_CLIENTS = "too_many_clients"
FLAG_TOO_MANY_SCANS = "too_many_scans"
FLAG_DISTANT_PLACES = "distant_places"


@dataclass(frozen=True)
class ScanSummary:
    """What the verification page says about one code's scans."""

    scans: int
    clients: int
    first_scanned_at: datetime | None
    flags: tuple[str, ...] = ()

    @property
    def suspicious(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class FlaggedCode:
    serial: str
    scans: int
    clients: int
    flags: tuple[str, ...]
    batch_id: int = 0
    lot_code: str = ""


@dataclass(frozen=True)
class BatchScanStatistics:
    """Scans of one batch's labels, for the Union and the batch's cooperative."""

    batch_id: int
    lot_code: str
    days: list[tuple[date, int]]
    total_scans: int
    labels_issued: int
    labels_scanned: int
    flagged: list[FlaggedCode] = field(default_factory=list)

    @property
    def first_scan_ratio(self) -> float:
        """Labels scanned at least once / labels issued (0 when none are issued)."""
        return self.labels_scanned / self.labels_issued if self.labels_issued else 0.0


def client_hash(address: str, salt: str) -> str:
    """Salted SHA-256 of a client address: counts distinct phones, never stores the address."""
    return hashlib.sha256(f"{salt}\n{address}".encode()).hexdigest()


def coarse_place(
    latitude: str | float | None, longitude: str | float | None, region: str | None = None
) -> ScanPlace:
    """A ScanPlace from untrusted text: rounded to ~0.1°, silently dropped if invalid."""
    lat = _coordinate(latitude, 90.0)
    lon = _coordinate(longitude, 180.0)
    if lat is None or lon is None:
        lat = lon = None
    cleaned = region.strip()[:REGION_MAX_LENGTH] if isinstance(region, str) else ""
    return ScanPlace(lat, lon, cleaned if cleaned.isprintable() and cleaned else None)


def _coordinate(value: str | float | None, limit: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or abs(number) > limit:
        return None
    return round(number, LOCATION_DECIMALS)


class ScanSink(Protocol):
    """Where scans go: straight into a transaction, or a write-behind buffer
    (traceapp/infrastructure/scan_sinks.py)."""

    def add(self, scan: NewScan) -> None: ...

    def pending(self, label_id: int) -> list[NewScan]:
        """The label's scans added but not yet stored (and so not in StoredScans)."""
        ...

    @property
    def writes(self) -> int:
        """How many writes have ended: a scan stored between a reader's look at the
        database and its look at pending() is in neither when this changed."""
        ...


def summarise_scans(
    stored: StoredScans | None,
    pending: list[NewScan],
    scan: NewScan,
    located_scans: Callable[[int, int], list[tuple[datetime, float, float]]],
) -> tuple[ScanSummary | None, NewScan]:
    """How often the code was scanned once `scan` is counted, and the scan to record.

    The one way scans are counted, for every view: the stored aggregates, plus
    the scans not yet stored (`pending`), plus this one unless it completes an
    earlier scan of the same client (a location sent after the page loaded).
    A pending scan's client is counted as new unless it is this scan's client or
    was seen in the database: the distinct-client count may run ahead by the few
    clients of the last fraction of a second. No summary for a code that matches
    no label (`stored` is None).
    """
    label_id = scan.label_id
    if stored is None or label_id is None:
        return None, scan
    since = scan.scanned_at - LOCATION_FOLLOW_UP
    completes = scan.place.latitude is not None and (
        stored.client_recently_unlocated
        or any(
            p.client == scan.client and p.place.latitude is None and p.scanned_at >= since
            for p in pending
        )
    )
    scan = replace(scan, completes_since=since if completes else None)
    counted = [p for p in pending if p.completes_since is None]
    count = stored.count + len(counted) + (0 if completes else 1)
    clients = stored.clients + len({p.client for p in counted} | {scan.client})
    clients -= 1 if stored.client_seen else 0
    moments = [
        m
        for m in (stored.first_scanned_at, *(p.scanned_at for p in counted), scan.scanned_at)
        if m is not None
    ]
    unstored = [
        (p.scanned_at, p.place.latitude, p.place.longitude)
        for p in (*pending, scan)
        if p.place.latitude is not None and p.place.longitude is not None
    ]
    located: list[tuple[datetime, float, float]] = []
    if not stored.distant_places and stored.located + len(unstored) >= 2:  # distance check
        located = located_scans(label_id, DISTANCE_CHECK_LIMIT) if stored.located else []
        located += unstored
    summary = ScanSummary(
        scans=count,
        clients=clients,
        first_scanned_at=min(moments, key=to_local),
        flags=_flags(count, clients, located, distant=stored.distant_places),
    )
    return summary, scan


def _flags(
    scans: int,
    clients: int,
    located: list[tuple[datetime, float, float]],
    *,
    distant: bool = False,
) -> tuple[str, ...]:
    flags = []
    if clients > MAX_PLAUSIBLE_CLIENTS:
        flags.append(FLAG_TOO_MANY_CLIENTS)
    if scans > MAX_PLAUSIBLE_SCANS:
        flags.append(FLAG_TOO_MANY_SCANS)
    if distant or has_distant_pair(located):
        flags.append(FLAG_DISTANT_PLACES)
    return tuple(flags)


def has_distant_pair(located: list[tuple[datetime, float, float]]) -> bool:
    """True if two scans lie more than DISTANT_SCANS_KM apart within DISTANT_SCANS_WINDOW."""
    ordered = sorted(located, key=lambda scan: to_local(scan[0]))
    for i, (when, lat, lon) in enumerate(ordered):
        for later, lat2, lon2 in ordered[i + 1 :]:
            if to_local(later) - to_local(when) > DISTANT_SCANS_WINDOW:
                break
            if distance_km(lat, lon, lat2, lon2) > DISTANT_SCANS_KM:
                return True
    return False


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def batch_scan_statistics(
    session: Session,
    batch_id: int,
    today: date,
    *,
    cooperative_id: int | None = None,
    days: int = 30,
) -> BatchScanStatistics:
    """Scans per local day over the last `days` days, first-scan ratio and flagged codes:
    the roll-ups, plus the raw scans since the roll-up.

    `cooperative_id` confines the lookup to one cooperative's batches (NotFound otherwise).
    """
    batch = get_batch(session, batch_id, cooperative_id)
    start = today - timedelta(days=days - 1)
    since = rolled_up_to(session)
    per_day: dict[date, int] = defaultdict(int)
    for day, count in session.execute(
        select(ScanDay.day, ScanDay.scans).where(ScanDay.batch_id == batch.id, ScanDay.day >= start)
    ):
        per_day[day] += count
    # Local days of raw scans are cut in Python: SQLite and PostgreSQL disagree on time
    # zones in SQL (the roll-up's local_day renders each its own way).
    first_moment = datetime.combine(start, datetime.min.time(), LOCAL_TZ).astimezone(UTC)
    raw = (
        select(Scan.scanned_at)
        .join(Label, Label.id == Scan.label_id)
        .where(Label.batch_id == batch.id, not_rolled_up(since))
    )
    for (moment,) in session.execute(raw.where(Scan.scanned_at >= first_moment)):
        per_day[to_local(moment).date()] += 1

    rolled_scans = session.scalar(
        select(func.coalesce(func.sum(BatchScanTotal.scans), 0)).where(
            BatchScanTotal.batch_id == batch.id
        )
    )
    rolled_labels = session.scalar(
        select(func.count()).select_from(LabelScanTotal).where(LabelScanTotal.batch_id == batch.id)
    )
    raw_scans, raw_labels = session.execute(
        select(
            func.count(Scan.id),
            # Labels first counted here: the roll-ups have none of their scans yet.
            func.count(distinct(case((LabelScanTotal.label_id.is_(None), Scan.label_id)))),
        )
        .join(Label, Label.id == Scan.label_id)
        .outerjoin(LabelScanTotal, LabelScanTotal.label_id == Scan.label_id)
        .where(Label.batch_id == batch.id, not_rolled_up(since))
    ).one()
    return BatchScanStatistics(
        batch_id=batch.id,
        lot_code=batch.lot_code,
        days=[
            (start + timedelta(days=n), per_day.get(start + timedelta(days=n), 0))
            for n in range(days)
        ],
        total_scans=(rolled_scans or 0) + raw_scans,
        labels_issued=batch.labels_issued,
        labels_scanned=(rolled_labels or 0) + raw_labels,
        flagged=flagged_codes(session, batch_id=batch.id),
    )


def flagged_codes(
    session: Session, *, batch_id: int | None = None, limit: int = 100
) -> list[FlaggedCode]:
    """Codes that look copied, most scanned first: of one batch, or of every batch
    (the Union's view). Candidates are the codes a roll-up found suspicious and those
    scanned since the roll-up; each is counted as its page counts it (aggregates plus
    raw scans) and judged by the same flags."""
    since = rolled_up_to(session)
    rolled = select(LabelScanTotal.label_id).where(LabelScanTotal.suspicious)
    recent = select(Scan.label_id).where(not_rolled_up(since), Scan.label_id.is_not(None))
    if batch_id is not None:
        rolled = rolled.where(LabelScanTotal.batch_id == batch_id)
        recent = recent.join(Label, Label.id == Scan.label_id).where(Label.batch_id == batch_id)
    candidates = union(rolled, recent).subquery()
    figures = with_label_scans(
        select(Label.id, Label.serial, Label.batch_id, Batch.lot_code)
        .join(Batch, Batch.id == Label.batch_id)
        .where(Label.id.in_(select(candidates.c[0])))
        .group_by(Label.id, Label.serial, Label.batch_id, Batch.lot_code),
        literal(""),
        since,
    )
    flagged = []
    for row in session.execute(figures):
        label_id, serial, in_batch, lot_code = row[:4]
        scans = label_scan_figures(row[4:])
        check_places = scans.located > 1 and scans.raw_located and not scans.distant_places
        places = located_scans(session, label_id, DISTANCE_CHECK_LIMIT) if check_places else []
        flags = _flags(scans.scans, scans.clients, places, distant=scans.distant_places)
        if flags:
            flagged.append(
                FlaggedCode(
                    serial=serial,
                    scans=scans.scans,
                    clients=scans.clients,
                    flags=flags,
                    batch_id=in_batch,
                    lot_code=lot_code,
                )
            )
    flagged.sort(key=lambda code: -code.scans)
    return flagged[:limit]
