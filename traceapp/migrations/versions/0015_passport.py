"""Digital product passport: safety warnings, product images, where-to-buy links.

Revision ID: 0015_passport
Revises: 0008_trust_facts_in_the_log
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_passport"
down_revision = "0008_trust_facts_in_the_log"
branch_labels = None
depends_on = None

KINDS = ("online_market", "supermarket_chain", "hotel_or_restaurant", "cooperative_shop",
         "partner_company")


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("safety_warnings", sa.Text(), nullable=True))
    op.create_table(
        "product_images",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=30), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"],
                                name=op.f("fk_product_images_product_id_products")),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_images")),
    )
    op.create_table(
        "where_to_buy_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("languages", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")",
                           name=op.f("ck_where_to_buy_links_kind")),
        sa.CheckConstraint("url IS NOT NULL OR address IS NOT NULL",
                           name=op.f("ck_where_to_buy_links_url_or_address")),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"],
                                name=op.f("fk_where_to_buy_links_product_id_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_where_to_buy_links")),
    )
    with op.batch_alter_table("where_to_buy_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_where_to_buy_links_product_id"), ["product_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("where_to_buy_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_where_to_buy_links_product_id"))
    op.drop_table("where_to_buy_links")
    op.drop_table("product_images")
    # A plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35 has it): recreating products
    # would break the foreign keys of batches that point at it.
    op.drop_column("products", "safety_warnings")
