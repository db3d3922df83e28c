"""Checking the stored records against the audit log, as `traceapp audit verify` does.

Four things are checked, each finding naming the row it is about:
- the hash chain of audit_entries, in id order (traceapp/domain/audit_chain.py);
- the stored checkpoints: each signature under the issuer's key set, and that the
  entry each names still carries the head hash it signed;
- the trust facts (audit_facts.WATCHED): the log is replayed into the state it
  says the tables hold, and every stored row that disagrees is named with the
  field, the logged and the stored value; a row the log never recorded was
  written directly, a row the log has that is gone was deleted directly; an
  issuance the replayed state did not allow (batch not certified, quantity
  exceeded) is named too;
- the labels: each issuance run's labels, in print order, still hash to the
  labels digest (serial, batch, key id, signature) the log pinned, each batch's
  labels_issued equals its number of labels, and voided labels match the void
  entries. Where a run no longer matches, each of its labels' signatures is
  checked to find the rows that were changed. From a verified checkpoint, only the
  labels of the batches that database triggers noted in label_writes are read
  (traceapp/infrastructure/label_writes.py); from the first entry, all of them.

A verify that finds everything clean up to a checkpoint newer than the last
verified one records that (`record_verification`): the replayed state goes into
`audit_state` and an `audit.verified` entry in the log holds its digest. The next
verify starts from there: it hashes and replays only the entries after that
checkpoint. `full=True` starts from the first entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import ColumnElement, delete, func, insert, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from keys.codes import MalformedCode, decode_signature_field
from keys.keyset import PublicKeySet
from keys.log_proof import checkpoint_signed
from keys.signing import signing_payload
from traceapp.domain import audit_log
from traceapp.domain.audit_chain import LOG_START, Finding, link_findings
from traceapp.domain.audit_facts import (
    WATCHED,
    LoggedState,
    labels_digest,
    state_digest,
    stored_facts,
)
from traceapp.domain.audit_log import GENESIS_HASH, hash_of_entry
from traceapp.domain.checkpoints import checkpoint_document
from traceapp.infrastructure.label_writes import missing_triggers
from traceapp.models import (
    AuditCheckpoint,
    AuditEntry,
    AuditState,
    Batch,
    IssuanceRun,
    Label,
    LabelStatus,
    LabelWrite,
)

__all__ = ["AuditReport", "Finding", "record_verification", "verify_records"]

VERIFIED = "audit.verified"
CHUNK = 5_000

# Called with (entries just checked, entries to check in all).
Progress = Callable[[int, int], None]


class _Link(NamedTuple):
    id: int
    previous_hash: str
    entry_hash: str


@dataclass(frozen=True)
class _Base:
    """Where an incremental verify starts: a checkpoint a verify found clean."""

    checkpoint_id: int
    last_entry_id: int
    head_hash: str
    state: LoggedState


@dataclass
class AuditReport:
    """What `verify_records` found and how much it looked at."""

    entries: int = 0
    checkpoints: int = 0
    runs: int = 0
    labels: int = 0
    findings: list[Finding] = field(default_factory=list)
    # Incremental: the checkpoint the entries were checked from (None: from the start).
    since_checkpoint: int | None = None
    # The label_writes rows read: once the verify is recorded, their batches are done.
    label_notes: list[int] = field(default_factory=list)
    # True when only the noted batches' labels were read, not every label.
    noted_batches_only: bool = False
    # The state as of the newest checkpoint, for record_verification.
    snapshot: tuple[AuditCheckpoint, dict[tuple[str, str], str]] | None = None

    @property
    def clean(self) -> bool:
        return not self.findings


def verify_records(
    session: Session,
    keyset: PublicKeySet | None,
    *,
    labels: bool = True,
    full: bool = True,
    progress: Progress | None = None,
) -> AuditReport:
    """Check the chain, the checkpoints (needs `keyset`), the trust facts and, unless
    told not to, the labels. `full=False` starts after the last verified checkpoint
    (when there is one and it still holds); `progress` hears how far the log is."""
    report = AuditReport()
    latest = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    base = None if full else _verified_base(session, keyset, report)
    state = base.state if base is not None else LoggedState()
    after_id = base.last_entry_id if base is not None else 0
    if base is not None:
        report.since_checkpoint = base.checkpoint_id
        start_hash, start = (
            base.head_hash,
            f"checkpoint {base.checkpoint_id}'s head (entry {after_id})",
        )
    else:
        start_hash, start = GENESIS_HASH, LOG_START
    snapshot_at = None
    if latest is not None and (base is None or latest.id != base.checkpoint_id):
        snapshot_at = latest.last_entry_id
    snapshot = None

    table = AuditEntry.__table__
    report.entries = total = (
        session.scalar(select(func.count()).select_from(table).where(table.c.id > after_id)) or 0
    )
    links: list[_Link] = []
    statement = select(table).where(table.c.id > after_id).order_by(table.c.id)
    for chunk in session.execute(statement.execution_options(yield_per=CHUNK)).partitions():
        for entry in chunk:
            if hash_of_entry(entry) != entry.entry_hash:
                report.findings.append(
                    Finding(
                        "audit_entries",
                        entry.id,
                        "altered: its hash no longer matches its contents",
                    )
                )
            problem = state.apply(entry)
            if problem is not None:
                report.findings.append(Finding(*problem))
            links.append(_Link(entry.id, entry.previous_hash, entry.entry_hash))
            if entry.id == snapshot_at:
                snapshot = state.to_rows()
        if progress is not None:
            progress(len(chunk), total)
    report.findings += link_findings(links, start_hash, start)
    report.findings += _checkpoint_findings(
        session, keyset, report, base.checkpoint_id if base is not None else None
    )
    report.findings += fact_findings(session, state)
    if labels:
        report.noted_batches_only = _read_label_notes(session, report, incremental=base is not None)
        report.findings += _label_findings(session, keyset, state, report)
    if snapshot is not None and latest is not None:
        report.snapshot = (latest, snapshot)
    return report


def record_verification(session: Session, report: AuditReport, actor: str) -> bool:
    """After a clean verify that reached a checkpoint newer than the last verified
    one: keep the replayed state in audit_state and log its digest (`audit.verified`),
    so the next verify starts from that checkpoint. True if recorded."""
    if not report.clean or report.snapshot is None:
        return False
    checkpoint, rows = report.snapshot
    stored = {
        (kind, key): value
        for kind, key, value in session.execute(
            select(AuditState.subject_type, AuditState.subject_id, AuditState.value)
        )
    }
    for kind, key in [k for k, v in stored.items() if rows.get(k) != v]:
        session.execute(
            delete(AuditState).where(AuditState.subject_type == kind, AuditState.subject_id == key)
        )
    fresh = [
        {"subject_type": kind, "subject_id": key, "value": value}
        for (kind, key), value in rows.items()
        if stored.get((kind, key)) != value
    ]
    for start in range(0, len(fresh), CHUNK):
        session.execute(insert(AuditState), fresh[start : start + CHUNK])
    for start in range(0, len(report.label_notes), CHUNK):
        done = report.label_notes[start : start + CHUNK]
        session.execute(delete(LabelWrite).where(LabelWrite.id.in_(done)))
    audit_log.append(
        session,
        actor,
        [
            (
                VERIFIED,
                "audit_checkpoint",
                str(checkpoint.id),
                {
                    "checkpoint_id": checkpoint.id,
                    "last_entry_id": checkpoint.last_entry_id,
                    "head_hash": checkpoint.head_hash,
                    "state_sha256": state_digest(rows),
                    "full": report.since_checkpoint is None,
                },
            )
        ],
    )
    return True


def _verified_base(
    session: Session, keyset: PublicKeySet | None, report: AuditReport
) -> _Base | None:
    """The last verified checkpoint and the state then, if both still hold; else None
    (the whole log is verified), with a finding when something was altered."""
    entry = session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == VERIFIED)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if entry is None:
        return None
    try:
        details = json.loads(entry.details)
        checkpoint_id, last_entry_id = int(details["checkpoint_id"]), int(details["last_entry_id"])
        head_hash, recorded = str(details["head_hash"]), str(details["state_sha256"])
    except (ValueError, KeyError, TypeError):
        report.findings.append(
            Finding("audit_entries", entry.id, "its details lack the verified state")
        )
        return None
    checkpoint = session.get(AuditCheckpoint, checkpoint_id)
    head = session.get(AuditEntry, last_entry_id)
    if (
        checkpoint is None
        or head is None
        or checkpoint.last_entry_id != last_entry_id
        or checkpoint.head_hash != head_hash
        or head.entry_hash != head_hash
    ):
        # The checkpoint findings of the full verify that follows name what changed.
        return None
    if (
        keyset is not None
        and not checkpoint_signed(checkpoint_document(checkpoint, keyset.issuer), keyset).valid
    ):
        return None
    rows = {
        (kind, key): value
        for kind, key, value in session.execute(
            select(AuditState.subject_type, AuditState.subject_id, AuditState.value)
        )
    }
    if state_digest(rows) != recorded:
        report.findings.append(
            Finding(
                "audit_state",
                None,
                f"altered since audit entry {entry.id} recorded its digest "
                "(the whole log was verified instead)",
            )
        )
        return None
    return _Base(checkpoint_id, last_entry_id, head_hash, LoggedState.from_rows(rows))


def fact_findings(session: Session, state: LoggedState) -> Iterator[Finding]:
    """Every watched row whose stored values differ from what the log says."""
    for spec in WATCHED:
        logged = state.table_rows(spec.name)
        for row_id, stored in stored_facts(session, spec):
            record = logged.pop(row_id, None)
            if record is None:
                yield Finding(
                    spec.name, row_id, "not in the audit log: written to the database directly"
                )
                continue
            if record.facts is None:
                yield Finding(
                    spec.name,
                    row_id,
                    f"present, but audit entry {record.entry_id} deleted it",
                )
                continue
            for name in spec.fields:
                if record.facts.get(name) != stored[name]:
                    yield Finding(
                        spec.name,
                        row_id,
                        f"logged {_shown(record.facts.get(name))}, stored {_shown(stored[name])} "
                        f"(audit entry {record.entry_id})",
                        field=name,
                    )
        for row_id, record in sorted(logged.items(), key=lambda item: _row_order(item[0])):
            if record.facts is not None:
                yield Finding(
                    spec.name,
                    row_id,
                    f"deleted from the database directly: audit entry {record.entry_id} records it",
                )


def _shown(value: object) -> str:
    return "null" if value is None else repr(value)


def _row_order(row_id: str) -> tuple[int, str]:
    return (int(row_id), row_id) if row_id.isdigit() else (0, row_id)


def _checkpoint_findings(
    session: Session, keyset: PublicKeySet | None, report: AuditReport, since: int | None
) -> Iterator[Finding]:
    """Every checkpoint, or those from checkpoint `since` on (incremental)."""
    statement = select(AuditCheckpoint).order_by(AuditCheckpoint.id)
    if since is not None:
        statement = statement.where(AuditCheckpoint.id >= since)
    checkpoints = session.scalars(statement.execution_options(populate_existing=True)).all()
    report.checkpoints = len(checkpoints)
    for checkpoint in checkpoints:
        if keyset is None:
            yield Finding(
                "audit_checkpoints",
                checkpoint.id,
                "signature not checked: no public key set is available",
            )
        else:
            signed = checkpoint_signed(checkpoint_document(checkpoint, keyset.issuer), keyset)
            if not signed.valid:
                yield Finding("audit_checkpoints", checkpoint.id, signed.detail)
        entry = session.get(AuditEntry, checkpoint.last_entry_id, populate_existing=True)
        if entry is None:
            yield Finding(
                "audit_entries",
                checkpoint.last_entry_id,
                f"deleted: checkpoint {checkpoint.id} signed it as the log's head",
            )
        elif entry.entry_hash != checkpoint.head_hash:
            yield Finding(
                "audit_entries",
                entry.id,
                f"rewritten since checkpoint {checkpoint.id}: its hash differs from "
                "the head hash the checkpoint signed",
            )


def _read_label_notes(session: Session, report: AuditReport, *, incremental: bool) -> bool:
    """Read the batches noted in label_writes; True if only their labels are to be
    checked (incremental, with every note-taking trigger in place)."""
    report.label_notes = list(session.scalars(select(LabelWrite.id)))
    missing = missing_triggers(session.connection())
    if missing:
        report.findings.append(
            Finding(
                "labels",
                None,
                f"trigger(s) {', '.join(missing)} missing or disabled: label writes are "
                "not noted, so every label was read",
            )
        )
        return False
    return incremental


def _label_findings(
    session: Session, keyset: PublicKeySet | None, state: LoggedState, report: AuditReport
) -> Iterator[Finding]:
    def in_scope(batch_id: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        if not report.noted_batches_only:
            return true()
        return batch_id.in_(select(LabelWrite.batch_id))

    runs = session.scalars(
        select(IssuanceRun)
        .where(in_scope(IssuanceRun.batch_id))
        .order_by(IssuanceRun.id)
        .execution_options(populate_existing=True)
    ).all()
    report.runs = len(runs)
    for run in runs:
        yield from _run_findings(session, keyset, run, state.runs.get(str(run.id)))
    orphans = session.execute(
        select(Label.id, Label.run_id)
        .outerjoin(IssuanceRun, Label.run_id == IssuanceRun.id)
        .where(IssuanceRun.id.is_(None), in_scope(Label.batch_id))
    ).all()
    for label_id, run_id in orphans:
        yield Finding("labels", label_id, f"belongs to issuance run {run_id}, which is not there")
    yield from _void_findings(session, state, {run.id for run in runs}, in_scope(Label.batch_id))
    counts = dict(
        session.execute(
            select(Label.batch_id, func.count())
            .where(in_scope(Label.batch_id))
            .group_by(Label.batch_id)
        ).all()
    )
    report.labels = sum(counts.values())
    for batch_id, labels_issued in session.execute(
        select(Batch.id, Batch.labels_issued).where(in_scope(Batch.id))
    ):
        stored = counts.get(batch_id, 0)
        if stored != labels_issued:
            yield Finding(
                "batches",
                batch_id,
                f"labels_issued is {labels_issued:,} but the batch has {stored:,} labels",
            )


def _run_findings(
    session: Session,
    keyset: PublicKeySet | None,
    run: IssuanceRun,
    pinned: tuple[str, int, int] | None,
) -> Iterator[Finding]:
    """`pinned`: (labels digest, count, entry id) from the run's newest labels.issued
    or labels.baseline entry."""
    if pinned is None:
        yield Finding("issuance_runs", run.id, "no labels.issued audit entry records this run")
        return
    rows = session.execute(
        select(
            Label.id, Label.sequence, Label.serial, Label.batch_id, Label.key_id, Label.signature
        )
        .where(Label.run_id == run.id)
        .order_by(Label.sequence)
    ).all()
    recorded_digest, recorded_count, entry_id = pinned
    digest = labels_digest((row.serial, row.batch_id, row.key_id, row.signature) for row in rows)
    if run.quantity != recorded_count:
        yield Finding(
            "issuance_runs",
            run.id,
            f"quantity is {run.quantity:,} but audit entry {entry_id} recorded {recorded_count:,}",
        )
    if digest == recorded_digest and len(rows) == recorded_count:
        return
    sequences = {row.sequence for row in rows}
    missing = [n for n in range(1, recorded_count + 1) if n not in sequences]
    if missing:
        shown = ", ".join(str(n) for n in missing[:10]) + (" ..." if len(missing) > 10 else "")
        yield Finding(
            "issuance_runs",
            run.id,
            f"{len(missing):,} label(s) deleted: print position(s) {shown} missing",
        )
    for row in rows:
        if not 1 <= row.sequence <= recorded_count:
            yield Finding(
                "labels",
                row.id,
                f"inserted: print position {row.sequence} is "
                f"outside run {run.id}'s {recorded_count:,} labels",
            )
        elif row.batch_id != run.batch_id:
            yield Finding(
                "labels",
                row.id,
                f"moved: it belongs to batch {row.batch_id}, its run to batch {run.batch_id}",
            )
    yield from _bad_signatures(session, keyset, run)
    if not missing:
        yield Finding(
            "issuance_runs",
            run.id,
            f"its labels no longer match the digest recorded in audit entry {entry_id}",
        )


def _bad_signatures(
    session: Session, keyset: PublicKeySet | None, run: IssuanceRun
) -> Iterator[Finding]:
    """Labels of `run` whose signature does not cover their stored fields."""
    if keyset is None:
        return
    batch = run.batch
    product = batch.product
    labels = session.scalars(
        select(Label)
        .where(Label.run_id == run.id)
        .order_by(Label.sequence)
        .execution_options(populate_existing=True)
    )
    for label in labels:
        try:
            kid, signature = decode_signature_field(label.signature)
            key = keyset.get(kid)
            if key is None or kid != label.key_id:
                raise MalformedCode(f"key {kid} is not the label's key or not published")
            if not key.verifies(
                signature,
                signing_payload(
                    keyset.issuer,
                    gtin=product.gtin,
                    product_ref=product.code_ref,
                    lot=batch.lot_code,
                    serial=label.serial,
                    key_id=kid,
                ),
            ):
                raise MalformedCode("the signature does not cover the stored fields")
        except ValueError:
            yield Finding(
                "labels",
                label.id,
                f"altered or forged: serial {label.serial!r} at "
                f"print position {label.sequence} of run {run.id} "
                "does not match its signature",
            )


def _void_findings(
    session: Session, state: LoggedState, run_ids: set[int], in_scope: ColumnElement[bool]
) -> Iterator[Finding]:
    """Voided labels of the runs checked (in `run_ids`, whose labels are `in_scope`)
    must match the void entries of the log, both ways."""
    expected = {int(label_id): entry_id for label_id, entry_id in state.voided_labels.items()}
    for entry_id, (run_id, first, last) in sorted(
        state.void_ranges.items(), key=lambda item: int(item[0])
    ):
        if run_id not in run_ids:
            continue
        label_ids = session.scalars(
            select(Label.id).where(Label.run_id == run_id, Label.sequence.between(first, last))
        )
        for label_id in label_ids:
            expected.setdefault(label_id, int(entry_id))
    voided = set(
        session.scalars(select(Label.id).where(Label.status == LabelStatus.VOIDED, in_scope))
    )
    for label_id in sorted(voided - expected.keys()):
        yield Finding("labels", label_id, "voided, but no audit entry voids it")
    # In chunks: a province may hold more voided labels than a query takes parameters.
    logged = sorted(expected)
    active: set[int] = set()
    for start in range(0, len(logged), CHUNK):
        active.update(
            session.scalars(
                select(Label.id).where(
                    Label.id.in_(logged[start : start + CHUNK]),
                    Label.status != LabelStatus.VOIDED,
                    in_scope,
                )
            )
        )
    for label_id in sorted(active):
        yield Finding(
            "labels", label_id, f"not voided, but audit entry {expected[label_id]} voided it"
        )
