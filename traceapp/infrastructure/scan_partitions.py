"""The month partitions of `scans` on PostgreSQL: created ahead, dropped past retention.

Partitions are named for what they hold, and their bounds are read from the name:
`scans_y2025m08` holds August 2025 (UTC); `scans_before_y2025m08` is the table
migration 0016 attached as it stood (everything before August 2025); `scans_default`
catches any row no month partition takes, so an insert never fails. Months are UTC:
the bounds are instants, and UTC months are the same on every server.

Every statement that locks `scans` runs with lock_timeout LOCK_TIMEOUT: a statement
that would queue behind a long query (and make the public page queue behind it)
fails instead, and the maintenance runs again later (docs/migrations.md).

On SQLite (and a PostgreSQL `scans` that is not partitioned) there are no partitions:
pruning deletes rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, delete, text

from traceapp.models import Scan

PARENT = "scans"
DEFAULT_PARTITION = "scans_default"
# Months created beyond the current one, so a month never starts without its partition.
PARTITIONS_AHEAD = 3
LOCK_TIMEOUT = "1s"
PARTITION_LOCK_KEY = 0x7363616E73  # "scans"
# Rows deleted per statement from a partition that straddles the retention cutoff.
DELETE_CHUNK = 50_000

_NAME = re.compile(r"^scans_(?:(before_)?y(\d{4})m(\d{2})|default)$")


@dataclass(frozen=True)
class ScanPartition:
    name: str
    start: datetime | None  # None: from the beginning of time (or the default partition)
    end: datetime | None  # None: the default partition


@dataclass(frozen=True)
class PrunedScans:
    """What a prune removed: whole partitions dropped and rows deleted elsewhere."""

    cutoff: datetime
    partitions: tuple[str, ...]
    rows: int


def is_partition_name(name: str) -> bool:
    """True for the names of scans' partitions (Alembic's comparison skips them)."""
    return _NAME.match(name) is not None


def month_start(day: date) -> datetime:
    """Midnight UTC on the first of `day`'s month."""
    return datetime(day.year, day.month, 1, tzinfo=UTC)


def add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1)


def month_name(start: datetime, *, before: bool = False) -> str:
    return f"scans_{'before_' if before else ''}y{start.year:04d}m{start.month:02d}"


def is_partitioned(connection: Connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.scalar(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": PARENT}
    )
    return kind == "p"


def partitions(connection: Connection) -> list[ScanPartition]:
    """The partitions of scans, oldest first (the default partition last)."""
    names = connection.scalars(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": PARENT},
    )
    found = []
    for name in names:
        match = _NAME.match(name)
        if match is None:
            continue  # attached by hand: not ours to drop
        before, year, month = match.groups()
        if year is None:
            found.append(ScanPartition(name, None, None))
            continue
        start = datetime(int(year), int(month), 1, tzinfo=UTC)
        if before:
            found.append(ScanPartition(name, None, start))
        else:
            found.append(ScanPartition(name, start, add_months(start, 1)))
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda p: (p.end or far, p.name))


def set_lock_timeout(connection: Connection) -> None:
    connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))


def ensure_partitions(
    connection: Connection,
    today: date,
    ahead: int = PARTITIONS_AHEAD,
    *,
    since: date | None = None,
) -> list[str]:
    """Create the month partitions of today's month and `ahead` months on, of every
    month from `since` (a load of past scans) on, and of any later month whose rows
    wait in the default partition; returns the names created.

    A new month is created standalone and attached (ATTACH takes a lock that lets
    reads and writes of scans go on, unlike CREATE TABLE ... PARTITION OF); rows of
    that month found in the default partition are moved into it first. The table
    migration 0016 attached holds every month before its bound; when `since` asks
    for months inside it and it is empty (a new database), it is dropped so those
    months get partitions of their own; holding rows, it keeps them.
    """
    if not is_partitioned(connection):
        return []
    set_lock_timeout(connection)
    # One maintainer at a time (cron on several machines): the others wait, then find
    # the partitions made.
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PARTITION_LOCK_KEY})
    existing = partitions(connection)
    first = month_start(today)
    wanted = {add_months(first, n) for n in range(ahead + 1)}
    if since is not None:
        month = month_start(since)
        while month < first:
            wanted.add(month)
            month = add_months(month, 1)
        existing = _drop_empty_before(connection, existing, month_start(since))
    taken = [p for p in existing if p.end is not None]
    floor = max((p.end for p in taken if p.start is None and p.end is not None), default=None)
    if any(p.name == DEFAULT_PARTITION for p in existing):
        oldest = connection.scalar(text(f"SELECT min(scanned_at) FROM {DEFAULT_PARTITION}"))
        newest = connection.scalar(text(f"SELECT max(scanned_at) FROM {DEFAULT_PARTITION}"))
        if oldest is not None and newest is not None:
            month = month_start(oldest.astimezone(UTC).date())
            while month <= newest:
                wanted.add(month)
                month = add_months(month, 1)
    created = []
    for start in sorted(wanted):
        end = add_months(start, 1)
        if floor is not None and start < floor:
            continue  # inside the partition migration 0016 attached
        if any(p.start == start for p in taken):
            continue
        created.append(_attach_month(connection, start, end))
    return created


def _drop_empty_before(
    connection: Connection, existing: list[ScanPartition], since: datetime
) -> list[ScanPartition]:
    kept = []
    for partition in existing:
        older = partition.start is None and partition.end is not None and since < partition.end
        if older and connection.scalar(text(f"SELECT NOT EXISTS (SELECT FROM {partition.name})")):
            connection.execute(text(f"DROP TABLE {partition.name}"))
            continue
        kept.append(partition)
    return kept


def _attach_month(connection: Connection, start: datetime, end: datetime) -> str:
    name = month_name(start)
    bounds = {"start": start, "end": end}
    connection.execute(
        text(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    )
    # The bound as a constraint, so ATTACH need not scan the new table to check it.
    # DDL takes no parameters; the bounds are datetimes this module made.
    lower, upper = f"'{start.isoformat()}'", f"'{end.isoformat()}'"
    connection.execute(
        text(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_bounds CHECK"
            f" (scanned_at IS NOT NULL AND scanned_at >= {lower} AND scanned_at < {upper})"
        )
    )
    if connection.scalar(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": DEFAULT_PARTITION}):
        where = "scanned_at >= :start AND scanned_at < :end"
        connection.execute(
            text(f"INSERT INTO {name} SELECT * FROM {DEFAULT_PARTITION} WHERE {where}"), bounds
        )
        connection.execute(text(f"DELETE FROM {DEFAULT_PARTITION} WHERE {where}"), bounds)
    connection.execute(
        text(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM ({lower}) TO ({upper})")
    )
    connection.execute(text(f"ALTER TABLE {name} DROP CONSTRAINT {name}_bounds"))
    return name


def prune_before(connection: Connection, cutoff: datetime) -> PrunedScans:
    """Remove every raw scan from before `cutoff` (the first of a month, UTC):
    partitions wholly before it are dropped, other rows before it deleted."""
    if not is_partitioned(connection):
        rows = _delete_before(connection, PARENT, cutoff)
        return PrunedScans(cutoff, (), rows)
    set_lock_timeout(connection)
    dropped: list[str] = []
    rows = 0
    for partition in partitions(connection):
        if partition.end is not None and partition.end <= cutoff:
            rows += connection.scalar(text(f"SELECT count(*) FROM {partition.name}")) or 0
            connection.execute(text(f"DROP TABLE {partition.name}"))
            dropped.append(partition.name)
        elif partition.start is None:  # straddles the cutoff: the old table, or the default
            rows += _delete_before(connection, partition.name, cutoff)
    return PrunedScans(cutoff, tuple(dropped), rows)


def _delete_before(connection: Connection, table: str, cutoff: datetime) -> int:
    if connection.dialect.name != "postgresql":
        return connection.execute(delete(Scan).where(Scan.scanned_at < cutoff)).rowcount
    total = 0
    while True:
        # In chunks: one huge DELETE would hold its row locks and WAL for minutes.
        deleted = connection.execute(
            text(
                f"DELETE FROM {table} WHERE ctid = ANY(ARRAY("
                f"SELECT ctid FROM {table} WHERE scanned_at < :cutoff LIMIT {DELETE_CHUNK}))"
            ),
            {"cutoff": cutoff},
        ).rowcount
        total += deleted
        if deleted < DELETE_CHUNK:
            return total
