"""The audit log a province would have: every trust fact and issuance, in time order.

Entries are what the app writes (traceapp/domain/audit_log.py): a `row.recorded`
entry with the watched values of each record (audit_facts.row_facts, from the same
dict that was copied into the table), a `labels.issued` entry per run pinning its
labels' digest, a recalled batch recorded again when it is recalled, and the
signing key's `key.generated`. They are hash-chained here and copied in chain
order, so `traceapp audit verify` replays them into exactly the stored state.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import psycopg

from benchmarks.province_builder.labels import RunDigests
from benchmarks.province_builder.plan import Records, Row
from traceapp.domain.audit_facts import RECORDED, WATCHED_BY_NAME, row_facts
from traceapp.domain.audit_log import GENESIS_HASH, canonical_details, entry_hash
from traceapp.models._columns import timestamp_text

OFFICER = "can.bo@lmhtx.example.vn"
COLUMNS = (
    "occurred_at",
    "actor",
    "action",
    "subject_type",
    "subject_id",
    "details",
    "previous_hash",
    "entry_hash",
)
# (when, actor, action, subject type, subject id, details)
Item = tuple[datetime, str, str, str, str, dict[str, Any]]


def write_audit_log(
    connection: psycopg.Connection,
    records: Records,
    key_id: str,
    digests: dict[int, RunDigests],
) -> int:
    """Copy the province's log into audit_entries; returns the number of entries."""
    items = sorted(_items(records, key_id, digests), key=lambda item: item[0])
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY audit_entries ({', '.join(COLUMNS)}) FROM STDIN") as copy,
    ):
        for row in _chained(items):
            copy.write_row(row)
    return len(items)


def _chained(items: list[Item]) -> Iterator[tuple]:
    previous = GENESIS_HASH
    for when, actor, action, subject_type, subject_id, details in items:
        details_text = canonical_details(details)
        digest = entry_hash(
            previous, timestamp_text(when), actor, action, subject_type, subject_id, details_text
        )
        yield (when, actor, action, subject_type, subject_id, details_text, previous, digest)
        previous = digest


def _items(records: Records, key_id: str, digests: dict[int, RunDigests]) -> Iterator[Item]:
    yield (records.unions[0]["created_at"], OFFICER, "key.generated", "signing_key", key_id, {})
    events = {event["id"]: event["recorded_at"] for event in records.chain_events}
    for table, rows in records.tables(key_id):
        if table not in WATCHED_BY_NAME:
            continue
        for row in rows:
            # A link has no time of its own: it is written with its event.
            when = row.get("created_at") or row.get("recorded_at") or events[row["event_id"]]
            yield from _recorded(table, row, when, digests)


def _recorded(
    table: str, row: Row, when: datetime, digests: dict[int, RunDigests]
) -> Iterator[Item]:
    spec = WATCHED_BY_NAME[table]
    if table == "batches" and row["status"] == "recalled":
        certified = {**row, "status": "certified"}
        yield (when, OFFICER, RECORDED, table, str(row["id"]), row_facts(spec, certified))
        yield (row["recalled_at"], OFFICER, RECORDED, table, str(row["id"]), row_facts(spec, row))
        return
    actor = row.get("requested_by", OFFICER)
    yield (when, actor, RECORDED, table, str(row["id"]), row_facts(spec, row))
    if table == "issuance_runs":
        run = digests[row["id"]]
        yield (when, actor, "labels.issued", "issuance_run", str(row["id"]), _issued(row, run))


def _issued(row: Row, digests: RunDigests) -> dict[str, Any]:
    return {
        "batch_id": row["batch_id"],
        "count": row["quantity"],
        "key_id": row["key_id"],
        "serials_sha256": digests.serials_sha256,
        "labels_sha256": digests.labels_sha256,
    }
