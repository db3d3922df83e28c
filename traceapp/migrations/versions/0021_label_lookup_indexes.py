"""Indexes for a province's size: drop `ix_labels_serial`, index batches by product and lot.

Every lookup of a label names its batch (the code carries the product and the lot),
so `uq_labels_serial_per_batch` (batch_id, serial) serves them all; the index on the
serial alone only cost writes: each new label went to a random page of an index of
20 million serials, and issuing 10,000 labels at S = 1 ran at a third of its rate
on an empty database. `ix_batches_product_lot` lets the page find the batch of a
code without reading every batch.

On PostgreSQL both run CONCURRENTLY, outside a transaction, under LOCK_TIMEOUT
(docs/migrations.md).

Revision ID: 0021_label_lookup_indexes
Revises: 0020_audit_entries_by_subject
"""

from __future__ import annotations

from alembic import op

from traceapp.migrations.online import run_concurrently

revision = "0021_label_lookup_indexes"
down_revision = "0020_audit_entries_by_subject"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index("ix_labels_serial", table_name="labels")
        op.create_index("ix_batches_product_lot", "batches", ["product_id", "lot_code"])
        return
    run_concurrently(
        "DROP INDEX CONCURRENTLY IF EXISTS ix_labels_serial",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_batches_product_lot"
        " ON batches (product_id, lot_code)",
    )


def downgrade() -> None:
    op.drop_index("ix_batches_product_lot", table_name="batches")
    op.create_index("ix_labels_serial", "labels", ["serial"])
