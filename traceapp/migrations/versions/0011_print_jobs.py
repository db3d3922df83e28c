"""Print jobs: label sheets and rolls rendered in the background, with progress.

Revision ID: 0011_print_jobs
Revises: 0012_label_reports
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_print_jobs"
down_revision = "0012_label_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("labels_total", sa.Integer(), nullable=False),
        sa.Column("labels_done", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(length=80), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("output_name", sa.String(length=200), nullable=True),
        sa.Column("output_size", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'rendering', 'done', 'failed')",
            name=op.f("ck_print_jobs_status"),
        ),
        sa.CheckConstraint("kind IN ('sheet', 'roll', 'zpl')", name=op.f("ck_print_jobs_kind")),
        sa.CheckConstraint(
            "labels_done >= 0 AND labels_done <= labels_total", name=op.f("ck_print_jobs_progress")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["issuance_runs.id"], name=op.f("fk_print_jobs_run_id_issuance_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_jobs")),
    )
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_print_jobs_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_jobs_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_print_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_print_jobs_run_id"))
    op.drop_table("print_jobs")
