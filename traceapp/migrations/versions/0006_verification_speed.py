"""Verification speed: scans indexed by (label_id, scanned_at).

Replaces the single-column index on scans.label_id, which the new one covers.

Revision ID: 0006_verification_speed
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0006_verification_speed"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.create_index("ix_scans_label_id_scanned_at", ["label_id", "scanned_at"],
                              unique=False)
        batch_op.drop_index("ix_scans_label_id")


def downgrade() -> None:
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.create_index("ix_scans_label_id", ["label_id"], unique=False)
        batch_op.drop_index("ix_scans_label_id_scanned_at")
