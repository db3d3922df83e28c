"""Scans partitioned by month on PostgreSQL: partitions ahead, a default partition,
the migration that converts a table holding scans, and pruning by dropping months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from traceapp import schema
from traceapp.db import make_engine
from traceapp.infrastructure.scan_partitions import (
    DEFAULT_PARTITION,
    PARTITIONS_AHEAD,
    add_months,
    ensure_partitions,
    month_name,
    month_start,
    partitions,
    prune_before,
)


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("scans are partitioned on PostgreSQL only")


def _insert(connection, moment: datetime) -> None:
    connection.execute(
        text(
            "INSERT INTO scans (label_id, scanned_at, verdict, client_hash)"
            " VALUES (NULL, :at, 'unknown', 'x')"
        ),
        {"at": moment},
    )


def _where(connection, moment: datetime) -> str:
    return connection.scalar(
        text("SELECT tableoid::regclass::text FROM scans WHERE scanned_at = :at"), {"at": moment}
    )


def test_months_ahead_have_their_partitions(connection):
    this_month = month_start(datetime.now(UTC).date())
    ensure_partitions(connection, this_month.date())
    names = {p.name for p in partitions(connection)}
    ahead = {month_name(add_months(this_month, n)) for n in range(1, PARTITIONS_AHEAD + 1)}
    assert ahead <= names and DEFAULT_PARTITION in names


def test_a_scan_beyond_every_partition_lands_in_the_default_and_moves_out(connection):
    far = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3 * 365)
    _insert(connection, far)
    assert _where(connection, far) == DEFAULT_PARTITION

    ensure_partitions(connection, far.date())

    assert _where(connection, far) == month_name(month_start(far.date()))


def test_prune_drops_whole_months_before_the_cutoff(connection):
    later = month_start(datetime.now(UTC).date() + timedelta(days=5 * 365))
    ensure_partitions(connection, later.date(), ahead=1)
    _insert(connection, later + timedelta(days=2))

    pruned = prune_before(connection, add_months(later, 1))

    assert month_name(later) in pruned.partitions and pruned.rows >= 1
    assert month_name(later) not in {p.name for p in partitions(connection)}


def test_the_migration_converts_a_table_holding_scans(empty_database_url):
    schema.upgrade(empty_database_url, "0011_print_jobs")
    engine = make_engine(empty_database_url)
    old = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
    with engine.begin() as connection:
        _insert(connection, old)

    schema.upgrade(empty_database_url)

    with engine.begin() as connection:
        assert _where(connection, old).startswith("scans_before_y")
        now = datetime.now(UTC).replace(microsecond=0)
        _insert(connection, now + timedelta(days=40))
        ids = connection.execute(text("SELECT id FROM scans ORDER BY id")).scalars().all()
        key = connection.scalar(
            text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = 'scans'::regclass AND contype = 'p'"
            )
        )
        owner = connection.scalar(text("SELECT pg_get_serial_sequence('scans', 'id')"))
    engine.dispose()
    assert ids == [1, 2] and key == "PRIMARY KEY (id, scanned_at)"
    assert owner == "public.scans_id_seq"
