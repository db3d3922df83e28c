"""Trust facts in the audit log: a baseline of the facts already stored, and the
table `audit verify` keeps the verified state in.

From this revision on, every change to a watched column is logged by the session
listener (traceapp/domain/audit_facts.py). Rows that exist when the feature arrives
get one `row.recorded` entry each (actor `migration:0008`), and each issuance run one
`labels.baseline` entry pinning its labels (serial, batch, key id, signature). The
column lists below are frozen as they were at this revision.

Revision ID: 0008_trust_facts_in_the_log
Revises: 0007_session_generation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_trust_facts_in_the_log"
down_revision = "0007_session_generation"
branch_labels = None
depends_on = None

BASELINE_ACTOR = "migration:0008"
# table: (columns logged as they are, columns logged as a SHA-256)
WATCHED_AT_0008 = {
    "cooperatives": (("union_id", "name", "registration_number"), ()),
    "products": (("cooperative_id", "gtin", "ref"), ()),
    "batches": (("cooperative_id", "product_id", "lot_code", "quantity", "status"), ()),
    "certifications": (
        (
            "batch_id",
            "cooperative_id",
            "scheme",
            "ocop_stars",
            "certificate_number",
            "issuing_body",
            "valid_from",
            "valid_to",
            "claim",
        ),
        (),
    ),
    "issuance_runs": (("batch_id", "quantity", "key_id"), ()),
    "users": (("role", "cooperative_id", "active"), ("email", "password_hash")),
    "api_tokens": (("user_id", "revoked_at"), ("token_hash",)),
    "chain_events": (
        ("event_id", "event_type", "biz_step", "event_time", "partner_id"),
        ("document",),
    ),
    "chain_event_batches": (("event_id", "batch_id", "role"), ()),
}
CHUNK = 1000


def upgrade() -> None:
    op.create_table(
        "audit_state",
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id", name=op.f("pk_audit_state")),
    )
    _write_baseline(op.get_bind())


def downgrade() -> None:
    # The baseline entries stay: they are part of the hash chain.
    op.drop_table("audit_state")


def _write_baseline(connection: sa.Connection) -> None:
    from traceapp.domain.audit_log import append_on
    from traceapp.domain.audit_facts import (
        LABELS_BASELINE,
        RECORDED,
        LabelDigest,
        digest_value,
        fact_value,
    )

    items: list[tuple[str, str, str, dict]] = []

    def flush() -> None:
        append_on(connection, BASELINE_ACTOR, items)
        items.clear()

    for name, (plain, digested) in WATCHED_AT_0008.items():
        # Reflected, so that dates and times come back typed on SQLite too.
        table = sa.Table(name, sa.MetaData(), autoload_with=connection)
        columns = [table.c[c] for c in ("id", *plain, *digested)]
        rows = connection.execute(sa.select(*columns).order_by(table.c.id)).mappings().all()
        for row in rows:
            facts = {c: fact_value(row[c]) for c in plain}
            facts.update({c: digest_value(row[c]) for c in digested})
            items.append((RECORDED, name, str(row["id"]), facts))
            if len(items) >= CHUNK:
                flush()
    flush()

    labels = sa.table(
        "labels",
        sa.column("run_id"),
        sa.column("sequence"),
        sa.column("serial"),
        sa.column("batch_id"),
        sa.column("key_id"),
        sa.column("signature"),
    )
    statement = sa.select(
        labels.c.run_id, labels.c.serial, labels.c.batch_id, labels.c.key_id, labels.c.signature
    ).order_by(labels.c.run_id, labels.c.sequence)
    run_id, digest, count = None, LabelDigest(), 0
    result = connection.execute(statement.execution_options(yield_per=10_000))
    for row in result:
        if row.run_id != run_id:
            if run_id is not None:
                items.append(_pin(LABELS_BASELINE, run_id, digest, count))
            run_id, digest, count = row.run_id, LabelDigest(), 0
        digest.add(row.serial, row.batch_id, row.key_id, row.signature)
        count += 1
    if run_id is not None:
        items.append(_pin(LABELS_BASELINE, run_id, digest, count))
    flush()


def _pin(action: str, run_id: int, digest, count: int) -> tuple[str, str, str, dict]:
    return (action, "issuance_run", str(run_id), {"count": count, "labels_sha256": digest.hexdigest()})
