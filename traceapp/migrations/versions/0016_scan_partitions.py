"""Scans partitioned by month (PostgreSQL), and their roll-ups.

On PostgreSQL the existing `scans` table becomes the first partition of a new
partitioned `scans`, without copying a row and without holding a lock that stops
the public page for more than LOCK_TIMEOUT (docs/migrations.md says how):

1. outside any transaction, build what the swap needs while scans go on being
   written: a unique index on (id, scanned_at) (CREATE INDEX CONCURRENTLY), the
   index on scanned_at, and a CHECK constraint holding the old table's future bound,
   added NOT VALID (a moment's lock) and then validated (a lock that lets reads and
   writes go on);
2. in one short transaction: rename the old table, create the partitioned one with
   the same indexes (instant: it is empty), attach the old table as the partition of
   everything before next month (no scan: the validated CHECK proves the bound, and
   the indexes built in step 1 are adopted), add the default partition and the
   months ahead.

On SQLite `scans` stays one table; it gains the index on scanned_at.

Both gain the roll-up tables (traceapp/models/scans.py). Nothing is rolled up yet
(scan_rollup has no row):
`traceapp scans maintain` catches up, in chunks, while the service runs.

Revision ID: 0016_scan_partitions
Revises: 0011_print_jobs
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from traceapp.infrastructure.scan_partitions import (
    DEFAULT_PARTITION,
    LOCK_TIMEOUT,
    add_months,
    ensure_partitions,
    month_name,
    month_start,
)
from traceapp.migrations.online import run_concurrently

revision = "0016_scan_partitions"
down_revision = "0011_print_jobs"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
BOUND_CHECK = "ck_scans_partition_bound"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _partition_scans()
    else:
        with op.batch_alter_table("scans", schema=None) as batch_op:
            batch_op.create_index("ix_scans_scanned_at", ["scanned_at"], unique=False)
    _create_rollups()


def _partition_scans() -> None:
    now = datetime.now(UTC)
    bound = add_months(month_start(now.date()), 1)
    old = month_name(bound, before=True)
    run_concurrently(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS scans_id_scanned_at_key"
        " ON scans (id, scanned_at)",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_scans_scanned_at ON scans (scanned_at)",
        f"ALTER TABLE scans DROP CONSTRAINT IF EXISTS {BOUND_CHECK}",
        f"ALTER TABLE scans ADD CONSTRAINT {BOUND_CHECK}"
        f" CHECK (scanned_at IS NOT NULL AND scanned_at < '{bound.isoformat()}') NOT VALID",
        f"ALTER TABLE scans VALIDATE CONSTRAINT {BOUND_CHECK}",
    )
    # Alembic's transaction again: the swap, all of it catalogue changes.
    op.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    op.execute(f"ALTER TABLE scans RENAME TO {old}")
    # Its key becomes (id, scanned_at), the index built above (a partition's unique
    # keys must hold the partition key): catalogue only, the columns are NOT NULL.
    op.execute(f"ALTER TABLE {old} DROP CONSTRAINT pk_scans")
    op.execute(
        f"ALTER TABLE {old} ADD CONSTRAINT {old}_pkey PRIMARY KEY USING INDEX"
        " scans_id_scanned_at_key"
    )
    op.execute(f"ALTER INDEX ix_scans_label_id_scanned_at RENAME TO {old}_label_id_scanned_at")
    op.execute(f"ALTER INDEX ix_scans_scanned_at RENAME TO {old}_scanned_at")
    op.execute(
        "CREATE TABLE scans ("
        " id bigint NOT NULL DEFAULT nextval('scans_id_seq'::regclass),"
        " label_id bigint,"
        " scanned_at timestamp with time zone NOT NULL,"
        " verdict varchar(30) NOT NULL,"
        " client_hash varchar(64) NOT NULL,"
        " latitude double precision,"
        " longitude double precision,"
        " region varchar(100),"
        " CONSTRAINT pk_scans PRIMARY KEY (id, scanned_at),"
        " CONSTRAINT fk_scans_label_id_labels FOREIGN KEY (label_id) REFERENCES labels (id)"
        ") PARTITION BY RANGE (scanned_at)"
    )
    op.execute("CREATE INDEX ix_scans_label_id_scanned_at ON scans (label_id, scanned_at)")
    op.execute("CREATE INDEX ix_scans_scanned_at ON scans (scanned_at)")
    # The sequence goes with the new table (a dropped old partition must not take it).
    op.execute("ALTER SEQUENCE scans_id_seq OWNED BY scans.id")
    op.execute(
        f"ALTER TABLE scans ATTACH PARTITION {old}"
        f" FOR VALUES FROM (MINVALUE) TO ('{bound.isoformat()}')"
    )
    op.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF scans DEFAULT")
    ensure_partitions(op.get_bind(), now.date())


def _create_rollups() -> None:
    op.create_table(
        "scan_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rolled_up_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_rollup")),
    )
    op.create_table(
        "label_scan_clients",
        sa.Column("label_id", BIG_ID, nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("located", sa.Integer(), nullable=False),
        sa.Column("first_scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_label_scan_clients_label_id_labels")
        ),
        sa.PrimaryKeyConstraint("label_id", "client_hash", name=op.f("pk_label_scan_clients")),
    )
    op.create_table(
        "label_scan_totals",
        sa.Column("label_id", BIG_ID, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("clients", sa.Integer(), nullable=False),
        sa.Column("located", sa.Integer(), nullable=False),
        sa.Column("first_scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("distant_places", sa.Boolean(), nullable=False),
        sa.Column("suspicious", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_label_scan_totals_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_label_scan_totals_label_id_labels")
        ),
        sa.PrimaryKeyConstraint("label_id", name=op.f("pk_label_scan_totals")),
    )
    with op.batch_alter_table("label_scan_totals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_label_scan_totals_batch_id"), ["batch_id"], unique=False
        )
        batch_op.create_index(
            "ix_label_scan_totals_suspicious",
            ["scans"],
            unique=False,
            postgresql_where=sa.text("suspicious"),
            sqlite_where=sa.text("suspicious"),
        )
    op.create_table(
        "scan_days",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "day", name=op.f("pk_scan_days")),
    )
    op.create_table(
        "batch_scan_totals",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=30), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "verdict", name=op.f("pk_batch_scan_totals")),
    )


def downgrade() -> None:
    op.drop_table("batch_scan_totals")
    op.drop_table("scan_days")
    with op.batch_alter_table("label_scan_totals", schema=None) as batch_op:
        batch_op.drop_index("ix_label_scan_totals_suspicious")
        batch_op.drop_index(batch_op.f("ix_label_scan_totals_batch_id"))
    op.drop_table("label_scan_totals")
    op.drop_table("label_scan_clients")
    op.drop_table("scan_rollup")
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table("scans", schema=None) as batch_op:
            batch_op.drop_index("ix_scans_scanned_at")
        return
    # Back to one plain table: every row is copied (run it in a maintenance window).
    op.execute("CREATE TABLE scans_plain (LIKE scans INCLUDING DEFAULTS)")
    op.execute("INSERT INTO scans_plain SELECT * FROM scans")
    op.execute("ALTER SEQUENCE scans_id_seq OWNED BY NONE")
    op.execute("DROP TABLE scans CASCADE")
    op.execute("ALTER TABLE scans_plain RENAME TO scans")
    op.execute("ALTER SEQUENCE scans_id_seq OWNED BY scans.id")
    op.execute("ALTER TABLE scans ADD CONSTRAINT pk_scans PRIMARY KEY (id)")
    op.execute(
        "ALTER TABLE scans ADD CONSTRAINT fk_scans_label_id_labels"
        " FOREIGN KEY (label_id) REFERENCES labels (id)"
    )
    op.execute("CREATE INDEX ix_scans_label_id_scanned_at ON scans (label_id, scanned_at)")
