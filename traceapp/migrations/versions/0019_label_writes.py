"""Triggers note the batches whose labels were written, so `audit verify` reads only
theirs (traceapp/infrastructure/label_writes.py, docs/audit-log.md).

Every batch starts noted: the first verify after the upgrade reads every label, as
before, and the next ones only those written since. On PostgreSQL, CREATE TRIGGER
takes a lock on `labels` and `batches` that stops writes to them for a moment and
never reads, under LOCK_TIMEOUT like every lock a migration takes on a hot table.

Revision ID: 0019_label_writes
Revises: 0018_box_label_print_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from traceapp.infrastructure.label_writes import (
    drop_triggers,
    install_triggers,
    note_every_batch,
)
from traceapp.infrastructure.scan_partitions import LOCK_TIMEOUT

revision = "0019_label_writes"
down_revision = "0018_box_label_print_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "label_writes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_writes")),
    )
    op.create_index(op.f("ix_label_writes_batch_id"), "label_writes", ["batch_id"])
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    install_triggers(connection)
    note_every_batch(connection)


def downgrade() -> None:
    drop_triggers(op.get_bind())
    op.drop_index(op.f("ix_label_writes_batch_id"), table_name="label_writes")
    op.drop_table("label_writes")
