"""Scans: every time somebody opens a label's verification page; and their roll-ups.

On PostgreSQL `scans` is partitioned by month of `scanned_at` (migration
0016_scan_partitions, traceapp/infrastructure/scan_partitions.py): its real primary
key there is (id, scanned_at), as a partitioned table's unique keys must hold the
partition key. SQLite keeps one plain table whose `id` alone is the key (it numbers
rows only through a single-column integer key). The mapper identifies a scan by `id`
on both, which the sequence keeps unique; nothing refers to a scan by its id.

Raw scans are kept TRACEAPP_SCAN_RETENTION_MONTHS; the roll-ups below are kept for
ever and are what statistics, dashboards and clone flags read for rolled-up time
(docs/migrations.md, "Scans: partitions, roll-ups and retention").
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from traceapp.db import Base
from traceapp.models._columns import utcnow

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class Scan(Base):
    __tablename__ = "scans"
    __table_args__ = (
        # The verification page counts a code's scans and finds its first one on every
        # view: (label_id, scanned_at) serves both (and every lookup by label alone).
        Index("ix_scans_label_id_scanned_at", "label_id", "scanned_at"),
        # The roll-up reads scans by time window, the raw part of every figure the scans
        # since the watermark. (BRIN was tried: ranges not yet summarised by VACUUM,
        # i.e. the recent ones the roll-up reads, are returned whole.)
        Index("ix_scans_scanned_at", "scanned_at"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    # Null when the code did not match any issued label (forged or mistyped).
    label_id: Mapped[int | None] = mapped_column(_BIG_ID, ForeignKey("labels.id"))
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    verdict: Mapped[str] = mapped_column(String(30))
    # Salted hash of the client address; the raw address is never stored.
    client_hash: Mapped[str] = mapped_column(String(64))
    # Coarse location only (rounded to ~10 km), from the browser or a proxy header.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    region: Mapped[str | None] = mapped_column(String(100))


class ScanRollup(Base):
    """How far the roll-ups reach: every scan with `scanned_at` before `rolled_up_to`
    is counted in the tables below, and only there once its raw row is pruned."""

    __tablename__ = "scan_rollup"

    id: Mapped[int] = mapped_column(primary_key=True)
    rolled_up_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LabelScanClient(Base):
    """A label's rolled-up scans by one client (phone): distinct clients stay exact
    across the roll-up's windows and after the raw scans are gone."""

    __tablename__ = "label_scan_clients"

    label_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("labels.id"), primary_key=True)
    client_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    scans: Mapped[int]
    located: Mapped[int]
    first_scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LabelScanTotal(Base):
    """A label's rolled-up scans in one row: what its page and the clone flags add
    the scans since `ScanRollup.rolled_up_to` to."""

    __tablename__ = "label_scan_totals"
    __table_args__ = (
        # The Union's "may have been copied": the few suspicious codes, most scanned first.
        Index(
            "ix_label_scan_totals_suspicious",
            "scans",
            postgresql_where=text("suspicious"),
            sqlite_where=text("suspicious"),
        ),
    )

    label_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("labels.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    scans: Mapped[int]
    clients: Mapped[int]
    located: Mapped[int]
    first_scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Two located scans too far apart too soon, seen by a roll-up (sticky: the scans
    # that showed it may be pruned later).
    distant_places: Mapped[bool] = mapped_column(Boolean, default=False)
    # Over a threshold of traceapp/domain/scans.py: a candidate for the flagged list.
    suspicious: Mapped[bool] = mapped_column(Boolean, default=False)


class ScanDay(Base):
    """Rolled-up scans per batch and local (Vietnamese) day: a batch's daily series."""

    __tablename__ = "scan_days"

    batch_id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    scans: Mapped[int]


class BatchScanTotal(Base):
    """Rolled-up scans per batch and verdict: the dashboard's and the batch pages'
    counts. Batch 0 holds the scans of codes that matched no label."""

    __tablename__ = "batch_scan_totals"

    batch_id: Mapped[int] = mapped_column(primary_key=True)
    verdict: Mapped[str] = mapped_column(String(30), primary_key=True)
    scans: Mapped[int]
