"""Trust facts: the stored values that decide what is genuine or what may be issued.

Every change to one of these columns is written to the hash-chained audit log as a
`row.recorded` entry (or `row.deleted`) carrying the row's watched values after the
change, by one mechanism: a session listener (`traceapp.domain.audit_log`) that
collects the watched rows each flush touches. `audit verify` replays those entries
into the state the log says the tables hold (`LoggedState`) and compares it with
what they do hold, naming every row that disagrees.

Labels are inserted in bulk (COPY on PostgreSQL) and never pass through the
session's unit of work, so they are pinned differently: each issuance run's
`labels.issued` entry carries `labels_sha256`, a digest over its labels' serial,
batch, key id and signature in print order (`LabelDigest`). Voiding is logged by its
own entries. Scans are statistics, not trust facts: they are not watched.

docs/audit-log.md describes the entries; SECURITY.md the tamper cases.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from traceapp.models import (
    ApiToken,
    Batch,
    BatchStatus,
    Certification,
    ChainEvent,
    ChainEventBatch,
    Cooperative,
    IssuanceRun,
    Product,
    User,
)
from traceapp.models._columns import timestamp_text

RECORDED = "row.recorded"
DELETED = "row.deleted"
FACT_ACTIONS = (RECORDED, DELETED)
LABELS_BASELINE = "labels.baseline"


@dataclass(frozen=True)
class WatchedTable:
    """A table whose `columns` are trust facts; `digested` ones are logged as a
    SHA-256 of the value (secrets, password hashes, long documents): enough to
    show a change without publishing the value in the transparency log."""

    model: type
    columns: tuple[str, ...]
    digested: tuple[str, ...] = ()

    @property
    def table(self) -> Table:
        return self.model.__table__  # type: ignore[attr-defined]

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def fields(self) -> tuple[str, ...]:
        return self.columns + self.digested


WATCHED: tuple[WatchedTable, ...] = (
    WatchedTable(Cooperative, ("union_id", "name", "registration_number")),
    WatchedTable(Product, ("cooperative_id", "gtin", "ref")),
    WatchedTable(Batch, ("cooperative_id", "product_id", "lot_code", "quantity", "status")),
    WatchedTable(
        Certification,
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
    ),
    WatchedTable(IssuanceRun, ("batch_id", "quantity", "key_id")),
    WatchedTable(User, ("role", "cooperative_id", "active"), ("email", "password_hash")),
    WatchedTable(ApiToken, ("user_id", "revoked_at"), ("token_hash",)),
    WatchedTable(
        ChainEvent,
        ("event_id", "event_type", "biz_step", "event_time", "partner_id"),
        ("document",),
    ),
    WatchedTable(ChainEventBatch, ("event_id", "batch_id", "role")),
)
WATCHED_BY_MODEL = {spec.model: spec for spec in WATCHED}
WATCHED_BY_NAME = {spec.name: spec for spec in WATCHED}


def fact_value(value: Any) -> Any:
    """A stored value as the log writes it: JSON scalars; times in UTC to the second."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return timestamp_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def digest_value(value: Any) -> str | None:
    if value is None:
        return None
    return "sha256:" + hashlib.sha256(str(fact_value(value)).encode("utf-8")).hexdigest()


def row_facts(spec: WatchedTable, values: Mapping[Any, Any]) -> dict[str, Any]:
    """The watched values of one row (a model instance's or a selected row's)."""
    facts = {name: fact_value(values[name]) for name in spec.columns}
    facts.update({name: digest_value(values[name]) for name in spec.digested})
    return facts


def stored_facts(
    session: Session, spec: WatchedTable, ids: Iterable[int] | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(row id, watched values) of the table's rows (all, or `ids`) as the database
    holds them now: read back, so that the log holds exactly what is stored (SQLite,
    for one, keeps a time's wall clock and drops its offset)."""
    table = spec.table
    statement = select(table.c.id, *(table.c[name] for name in spec.fields)).order_by(table.c.id)
    if ids is not None:
        statement = statement.where(table.c.id.in_(list(ids)))
    for row in session.connection().execute(statement).mappings():
        yield str(row["id"]), row_facts(spec, row)


class LabelDigest:
    """SHA-256 over a run's labels in print order, one line per label:
    `serial batch_id key_id signature`. Issuance feeds it as it writes the rows;
    verify feeds it from the stored rows."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, serial: str, batch_id: int, key_id: str, signature: str) -> None:
        self._hash.update(f"{serial} {batch_id} {key_id} {signature}\n".encode("ascii"))

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def labels_digest(rows: Iterable[tuple[str, int, str, str]]) -> str:
    digest = LabelDigest()
    for serial, batch_id, key_id, signature in rows:
        digest.add(serial, batch_id, key_id, signature)
    return digest.hexdigest()


@dataclass(frozen=True)
class LoggedRow:
    facts: dict[str, Any] | None  # None: the log says the row was deleted
    entry_id: int


Problem = tuple[str, str, str]  # table, row id, what is wrong


class LoggedState:
    """The trust facts as the audit log says they are, replayed entry by entry.

    `to_rows` / `from_rows` turn it into the rows of `audit_state`, where `audit
    verify` keeps it as of the last verified checkpoint.
    """

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], LoggedRow] = {}
        # run id -> (labels_sha256, count, entry id) of its newest issuance or baseline entry
        self.runs: dict[str, tuple[str, int, int]] = {}
        self.issued: dict[str, int] = {}  # batch id -> labels issued so far, per the log
        self.voided_labels: dict[str, int] = {}  # label id -> the entry that voided it
        self.void_ranges: dict[str, tuple[int, int, int]] = {}  # entry id -> run, first, last

    def apply(self, entry: Any) -> Problem | None:
        """Apply one entry (id, action, subject_type, subject_id, details); returns a
        problem if the entry contradicts the state so far, else None."""
        action, subject_type, subject_id = entry.action, entry.subject_type, entry.subject_id
        if action == RECORDED:
            self.rows[(subject_type, subject_id)] = LoggedRow(json.loads(entry.details), entry.id)
        elif action == DELETED:
            self.rows[(subject_type, subject_id)] = LoggedRow(None, entry.id)
        elif action in ("labels.issued", LABELS_BASELINE) and subject_type == "issuance_run":
            try:
                facts = json.loads(entry.details)
                count = int(facts["count"])
                if "labels_sha256" in facts:
                    self.runs[subject_id] = (facts["labels_sha256"], count, entry.id)
                if action == "labels.issued":
                    return self._check_issuance(entry.id, subject_id, int(facts["batch_id"]), count)
            except (ValueError, KeyError, TypeError):
                return ("audit_entries", str(entry.id), "its details lack the run's labels")
        elif action == "label.voided" and subject_type == "label":
            self.voided_labels.setdefault(subject_id, entry.id)
        elif action == "labels.voided" and subject_type == "issuance_run":
            try:
                facts = json.loads(entry.details)
                span = (int(subject_id), int(facts["first"]), int(facts["last"]))
            except (ValueError, KeyError, TypeError):
                return ("audit_entries", str(entry.id), "its details lack the voided range")
            self.void_ranges[str(entry.id)] = span
        return None

    def _check_issuance(
        self, entry_id: int, run_id: str, batch_id: int, count: int
    ) -> Problem | None:
        key = str(batch_id)
        self.issued[key] = issued = self.issued.get(key, 0) + count
        batch = self.rows.get(("batches", key))
        if batch is None or batch.facts is None:
            return None  # issued before the log recorded batches (see docs/audit-log.md)
        if batch.facts["status"] != BatchStatus.CERTIFIED:
            problem = (
                f"{count:,} labels issued while the log shows batch {batch_id} "
                f"as {batch.facts['status']!r}, not certified"
            )
        elif issued > batch.facts["quantity"]:
            problem = (
                f"{count:,} labels issued beyond batch {batch_id}'s quantity in the log "
                f"({batch.facts['quantity']:,}; {issued:,} issued in all)"
            )
        else:
            return None
        return ("issuance_runs", run_id, f"{problem} (audit entry {entry_id})")

    def table_rows(self, table: str) -> dict[str, LoggedRow]:
        return {row_id: row for (name, row_id), row in self.rows.items() if name == table}

    def to_rows(self) -> dict[tuple[str, str], str]:
        rows = {key: _compact([row.facts, row.entry_id]) for key, row in self.rows.items()}
        rows.update({("pin:labels", run): _compact(list(pin)) for run, pin in self.runs.items()})
        rows.update({("quota", batch): _compact([n]) for batch, n in self.issued.items()})
        rows.update({("void:label", k): _compact([e]) for k, e in self.voided_labels.items()})
        rows.update({("void:range", k): _compact(list(v)) for k, v in self.void_ranges.items()})
        return rows

    @classmethod
    def from_rows(cls, rows: Mapping[tuple[str, str], str]) -> LoggedState:
        state = cls()
        for (kind, key), text in rows.items():
            value = json.loads(text)
            if kind == "pin:labels":
                state.runs[key] = (value[0], value[1], value[2])
            elif kind == "quota":
                state.issued[key] = value[0]
            elif kind == "void:label":
                state.voided_labels[key] = value[0]
            elif kind == "void:range":
                state.void_ranges[key] = (value[0], value[1], value[2])
            else:
                state.rows[(kind, key)] = LoggedRow(value[0], value[1])
        return state


def state_digest(rows: Mapping[tuple[str, str], str]) -> str:
    """SHA-256 of a state's rows, in a fixed order: what `audit.verified` records."""
    digest = hashlib.sha256()
    for (kind, key), value in sorted(rows.items()):
        digest.update(f"{kind}\t{key}\t{value}\n".encode())
    return digest.hexdigest()


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
