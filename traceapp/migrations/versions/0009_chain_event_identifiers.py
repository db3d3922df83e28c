"""Value-chain events hold identifiers, not the service's addresses.

Events recorded before this revision named the service's own boxes, product-ref
batches, cooperatives, partners without a GLN and despatch documents by addresses
under TRACEAPP_PUBLIC_BASE_URL (e.g. `http://127.0.0.1:5000/chain/cooperatives/...`).
This rewrites every such address in every stored event document into the identifier
the service now stores (`urn:traceapp:cooperative:...`, see traceapp/epcis/identifiers.py),
whatever host the address named. Nothing else in the documents changes.

Downgrade leaves the documents as they are: the old addresses depended on a base URL
this revision cannot know.

Revision ID: 0009_chain_event_identifiers
Revises: 0006_verification_speed
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from traceapp.epcis.identifiers import identifier_of

revision = "0009_chain_event_identifiers"
down_revision = "0006_verification_speed"
branch_labels = None
depends_on = None

events = sa.table(
    "chain_events", sa.column("id", sa.Integer), sa.column("document", sa.Text)
)


def _rewritten(value: Any) -> Any:
    if isinstance(value, str):
        return identifier_of(value)
    if isinstance(value, list):
        return [_rewritten(item) for item in value]
    if isinstance(value, dict):
        return {key: _rewritten(item) for key, item in value.items()}
    return value


def upgrade() -> None:
    connection = op.get_bind()
    for event_id, text in connection.execute(sa.select(events.c.id, events.c.document)).all():
        document = json.loads(text)
        rewritten = _rewritten(document)
        if rewritten != document:
            connection.execute(
                events.update()
                .where(events.c.id == event_id)
                .values(
                    document=json.dumps(rewritten, ensure_ascii=False, separators=(",", ":"))
                )
            )


def downgrade() -> None:
    pass
