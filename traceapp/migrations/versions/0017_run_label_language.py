"""The label language of an issuance run (vi by default, en for export).

Revision ID: 0017_run_label_language
Revises: 0016_scan_partitions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_run_label_language"
down_revision = "0016_scan_partitions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Runs issued before the choice existed were printed in Vietnamese.
    op.add_column(
        "issuance_runs",
        sa.Column("label_language", sa.String(length=5), nullable=False, server_default="vi"),
    )


def downgrade() -> None:
    op.drop_column("issuance_runs", "label_language")
