"""Server-side session ends: a session generation per account.

Every console session carries the account's generation; signing out, a password
change or reset, deactivation and a role change raise it, so older cookies stop
opening the console.

Revision ID: 0007_session_generation
Revises: 0006_verification_speed
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_session_generation"
down_revision = "0006_verification_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
