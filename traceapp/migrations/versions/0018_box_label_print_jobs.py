"""Box labels are print jobs too: a job prints a run's labels or a batch's boxes.

Revision ID: 0018_box_label_print_jobs
Revises: 0017_run_label_language
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_box_label_print_jobs"
down_revision = "0017_run_label_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.alter_column("run_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_print_jobs_batch_id_batches"), "batches", ["batch_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_print_jobs_batch_id"), ["batch_id"], unique=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_print_jobs_source"), "(run_id IS NULL) <> (batch_id IS NULL)"
        )


def downgrade() -> None:
    op.execute("DELETE FROM print_jobs WHERE run_id IS NULL")
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_print_jobs_source"), type_="check")
        batch_op.drop_index(batch_op.f("ix_print_jobs_batch_id"))
        batch_op.drop_constraint(batch_op.f("fk_print_jobs_batch_id_batches"), type_="foreignkey")
        batch_op.alter_column("run_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("batch_id")
