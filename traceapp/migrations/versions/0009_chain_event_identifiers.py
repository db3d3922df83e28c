"""Value-chain events hold identifiers, not the service's addresses.

Events recorded before this revision named the service's own boxes, product-ref
batches, cooperatives, partners without a GLN and despatch documents by addresses
under TRACEAPP_PUBLIC_BASE_URL (e.g. `http://127.0.0.1:5000/chain/cooperatives/...`).
This rewrites every such address in every stored event document into the identifier
the service now stores (`urn:traceapp:cooperative:...`, see traceapp/epcis/identifiers.py),
whatever host the address named. Nothing else in the documents changes.

A chain event is a trust fact (0008): each rewritten row gets a `row.recorded` entry
(actor `migration:0009`) with its watched values after the rewrite, so `traceapp audit
verify` agrees with the new documents. The column lists are frozen as they were at
this revision.

Downgrade leaves the documents as they are: the old addresses depended on a base URL
this revision cannot know.

Revision ID: 0009_chain_event_identifiers
Revises: 0015_passport
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from traceapp.epcis.identifiers import identifier_of

revision = "0009_chain_event_identifiers"
down_revision = "0015_passport"
branch_labels = None
depends_on = None

ACTOR = "migration:0009"
# chain_events' trust facts at this revision: (logged as they are, logged as a SHA-256)
WATCHED_AT_0009 = (("event_id", "event_type", "biz_step", "event_time", "partner_id"), ("document",))


def _rewritten(value: Any) -> Any:
    if isinstance(value, str):
        return identifier_of(value)
    if isinstance(value, list):
        return [_rewritten(item) for item in value]
    if isinstance(value, dict):
        return {key: _rewritten(item) for key, item in value.items()}
    return value


def upgrade() -> None:
    from traceapp.domain.audit_facts import RECORDED, digest_value, fact_value
    from traceapp.domain.audit_log import append_on

    connection = op.get_bind()
    # Reflected, so that times come back typed on SQLite too (as 0008 logged them).
    events = sa.Table("chain_events", sa.MetaData(), autoload_with=connection)
    plain, digested = WATCHED_AT_0009
    changed = []
    for row_id, text in connection.execute(sa.select(events.c.id, events.c.document)).all():
        document = json.loads(text)
        rewritten = _rewritten(document)
        if rewritten != document:
            connection.execute(
                events.update()
                .where(events.c.id == row_id)
                .values(
                    document=json.dumps(rewritten, ensure_ascii=False, separators=(",", ":"))
                )
            )
            changed.append(row_id)
    items = []
    if changed:
        columns = [events.c[c] for c in ("id", *plain, *digested)]
        rows = connection.execute(
            sa.select(*columns).where(events.c.id.in_(changed)).order_by(events.c.id)
        ).mappings()
        for row in rows:
            facts = {c: fact_value(row[c]) for c in plain}
            facts.update({c: digest_value(row[c]) for c in digested})
            items.append((RECORDED, "chain_events", str(row["id"]), facts))
    if items:
        append_on(connection, ACTOR, items)


def downgrade() -> None:
    pass
