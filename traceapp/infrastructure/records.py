"""Plain records that the storage adapters hand to the domain and take from it.

They hold values only, no rule: the domain decides what a scan completes or how
scans are counted (traceapp/domain/scans.py), the adapters read and write these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ScanPlace:
    """Where a scan came from, as coarse as we keep it; every part optional."""

    latitude: float | None = None
    longitude: float | None = None
    region: str | None = None


@dataclass(frozen=True)
class NewScan:
    """One scan to record. A located scan with `completes_since` fills in the same
    client's latest scan without a location made since then, instead of counting
    as another (the domain decides when a scan completes one)."""

    label_id: int | None
    verdict: str
    client: str
    place: ScanPlace
    scanned_at: datetime
    completes_since: datetime | None = None


@dataclass(frozen=True)
class StoredScans:
    """A code's scans already stored, as read with its label (one query)."""

    count: int
    clients: int
    first_scanned_at: datetime | None
    located: int
    # This view's client scanned the code before; and did so without a location
    # since the follow-up moment the query was given.
    client_seen: bool
    client_recently_unlocated: bool = False
    # A roll-up saw two located scans too far apart too soon (their raw rows may be gone).
    distant_places: bool = False


@dataclass(frozen=True)
class LabelState:
    """A label's fresh state, read on every verification: its status, its batch's
    status and recall, and the code's scans already stored."""

    label_id: int
    signature: str
    label_status: str
    voided_at: datetime | None
    void_reason: str | None
    batch_id: int
    batch_status: str
    recalled_at: datetime | None
    recall_reason: str | None
    stored_scans: StoredScans
