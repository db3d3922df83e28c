"""Label reports: what consumers report from a label's page with a negative verdict.

Revision ID: 0012_label_reports
Revises: 0010_offline_inspections
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_label_reports"
down_revision = "0010_offline_inspections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "label_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=2100), nullable=False),
        sa.Column("verdict", sa.String(length=30), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.String(length=200), nullable=True),
    )
    op.create_index(
        "ix_label_reports_handled_at_id", "label_reports", ["handled_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_label_reports_handled_at_id", table_name="label_reports")
    op.drop_table("label_reports")
