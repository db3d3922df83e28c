"""Offline inspections: a client-made id sent once (unique), and an optional photo.

Revision ID: 0010_offline_inspections
Revises: 0009_chain_event_identifiers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_offline_inspections"
down_revision = "0009_chain_event_identifiers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("photo", sa.LargeBinary(), nullable=True))
        batch_op.create_unique_constraint("uq_inspections_client_id", ["client_id"])


def downgrade() -> None:
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_constraint("uq_inspections_client_id", type_="unique")
        batch_op.drop_column("photo")
        batch_op.drop_column("client_id")
