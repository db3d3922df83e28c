"""Checking the stored records against the audit log, as `traceapp audit verify` does.

Three things are checked, each finding naming the row it is about:
- the hash chain of audit_entries, in id order: an entry whose hash no longer
  matches its fields was altered; a link to an entry that is not there means
  entries were deleted; an entry that the chain skips was inserted out of order;
- every stored checkpoint: its signature under the issuer's key set, and that the
  entry it names still carries the head hash it signed;
- the labels: each issuance run's labels, in print order, still hash to the
  serial digest its "labels.issued" entry recorded, and each batch's
  labels_issued equals its number of labels. Where a run no longer matches, each
  of its labels' signatures is checked to find the rows that were changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keys.codes import MalformedCode, decode_signature_field
from keys.keyset import PublicKeySet
from keys.log_proof import checkpoint_signed
from keys.signing import signing_payload
from traceapp.domain.audit_log import GENESIS_HASH, hash_of_entry
from traceapp.domain.checkpoints import checkpoint_document
from traceapp.domain.issuance import serials_digest
from traceapp.models import (
    AuditCheckpoint,
    AuditEntry,
    Batch,
    BatchStatus,
    IssuanceRun,
    Label,
    LabelStatus,
)


@dataclass(frozen=True)
class Finding:
    """One discrepancy: which table and row, and what is wrong with it."""

    table: str
    row_id: int | str | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.table} row {self.row_id}" if self.row_id is not None else self.table
        return f"{where}: {self.problem}"


@dataclass
class AuditReport:
    """What `verify_records` found and how much it looked at."""

    entries: int = 0
    checkpoints: int = 0
    runs: int = 0
    labels: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings


def verify_records(
    session: Session, keyset: PublicKeySet | None, *, labels: bool = True
) -> AuditReport:
    """Check the chain, the checkpoints (needs `keyset`) and, unless told not to, the labels."""
    report = AuditReport()
    # populate_existing: the point is what the database holds now, not what this
    # session remembers.
    entries = session.scalars(
        select(AuditEntry).order_by(AuditEntry.id).execution_options(populate_existing=True)
    ).all()
    report.entries = len(entries)
    report.findings += chain_findings(entries)
    report.findings += _checkpoint_findings(session, keyset, report)
    if labels:
        report.findings += _label_findings(session, keyset, entries, report)
    return report


def chain_findings(entries: list[AuditEntry]) -> list[Finding]:
    """Findings about the hash chain of `entries` (all of them, in id order)."""
    findings = [
        Finding("audit_entries", e.id, "altered: its hash no longer matches its contents")
        for e in entries
        if hash_of_entry(e) != e.entry_hash
    ]
    by_hash = {e.entry_hash: e for e in entries}
    previous: AuditEntry | None = None
    for index, entry in enumerate(entries):
        expected = previous.entry_hash if previous else GENESIS_HASH
        if entry.previous_hash == expected:
            previous = entry
            continue
        following = entries[index + 1] if index + 1 < len(entries) else None
        linked = by_hash.get(entry.previous_hash)
        after = f"entry {previous.id}" if previous else "the start of the log"
        if following is not None and following.previous_hash == expected:
            # The chain goes on around this entry: it was slipped in.
            findings.append(
                Finding(
                    "audit_entries",
                    entry.id,
                    f"inserted out of order: the chain continues from {after} "
                    f"to entry {following.id} without it",
                )
            )
            continue
        if (
            following is None
            and (linked is not None or entry.previous_hash == GENESIS_HASH)
            and previous is not None
        ):
            target = f"entry {linked.id}" if linked else "the start of the log"
            # The newest entry skips back: either it was appended with a backdated link
            # or the entries it skips were slipped in; a checkpoint over it would say which.
            findings.append(
                Finding(
                    "audit_entries",
                    entry.id,
                    f"inserted out of order: it chains to {target}, "
                    f"not to the entry before it ({previous.id})",
                )
            )
            continue
        if linked is not None and previous is not None and linked.id < previous.id:
            skipped = [e.id for e in entries if linked.id < e.id <= previous.id]
            findings += [
                Finding(
                    "audit_entries",
                    skipped_id,
                    f"inserted out of order: entry {entry.id} chains to entry {linked.id}, past it",
                )
                for skipped_id in skipped
            ]
        else:
            findings.append(
                Finding(
                    "audit_entries",
                    entry.id,
                    f"the entry it chains to is missing: entries were deleted "
                    f"between {after} and this one (or {after} was rewritten)",
                )
            )
        previous = entry
    return findings


def _checkpoint_findings(
    session: Session, keyset: PublicKeySet | None, report: AuditReport
) -> Iterator[Finding]:
    checkpoints = session.scalars(
        select(AuditCheckpoint)
        .order_by(AuditCheckpoint.id)
        .execution_options(populate_existing=True)
    ).all()
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


def _label_findings(
    session: Session, keyset: PublicKeySet | None, entries: list[AuditEntry], report: AuditReport
) -> Iterator[Finding]:
    issued = {
        e.subject_id: e
        for e in entries
        if e.action == "labels.issued" and e.subject_type == "issuance_run"
    }
    runs = session.scalars(
        select(IssuanceRun).order_by(IssuanceRun.id).execution_options(populate_existing=True)
    ).all()
    report.runs = len(runs)
    run_ids = {str(run.id) for run in runs}
    for run in runs:
        yield from _run_findings(session, keyset, run, issued.get(str(run.id)))
    for run_id, entry in issued.items():
        if run_id not in run_ids:
            yield Finding(
                "issuance_runs", run_id, f"deleted: audit entry {entry.id} records its issuance"
            )
    orphans = session.execute(
        select(Label.id, Label.run_id)
        .outerjoin(IssuanceRun, Label.run_id == IssuanceRun.id)
        .where(IssuanceRun.id.is_(None))
    ).all()
    for label_id, run_id in orphans:
        yield Finding("labels", label_id, f"belongs to issuance run {run_id}, which is not there")
    yield from _void_findings(session, entries)
    yield from _recall_findings(session, entries)
    counts = dict(
        session.execute(select(Label.batch_id, func.count()).group_by(Label.batch_id)).all()
    )
    report.labels = sum(counts.values())
    for batch_id, labels_issued in session.execute(select(Batch.id, Batch.labels_issued)):
        stored = counts.get(batch_id, 0)
        if stored != labels_issued:
            yield Finding(
                "batches",
                batch_id,
                f"labels_issued is {labels_issued:,} but the batch has {stored:,} labels",
            )


def _run_findings(
    session: Session, keyset: PublicKeySet | None, run: IssuanceRun, entry: AuditEntry | None
) -> Iterator[Finding]:
    if entry is None:
        yield Finding("issuance_runs", run.id, "no labels.issued audit entry records this run")
        return
    try:
        details = json.loads(entry.details)
        recorded_digest, recorded_count = details["serials_sha256"], int(details["count"])
    except (ValueError, KeyError, TypeError):
        yield Finding("audit_entries", entry.id, "its details lack the run's serial digest")
        return
    rows = session.execute(
        select(Label.id, Label.sequence, Label.serial, Label.batch_id)
        .where(Label.run_id == run.id)
        .order_by(Label.sequence)
    ).all()
    if run.quantity != recorded_count:
        yield Finding(
            "issuance_runs",
            run.id,
            f"quantity is {run.quantity:,} but audit entry {entry.id} recorded {recorded_count:,}",
        )
    if (
        serials_digest([row.serial for row in rows]) == recorded_digest
        and len(rows) == recorded_count
    ):
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
            f"its labels no longer match the serial digest recorded in audit entry {entry.id}",
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
                    product_ref=None if product.gtin else product.ref,
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


def _void_findings(session: Session, entries: list[AuditEntry]) -> Iterator[Finding]:
    """Voided labels must match the void entries of the log, both ways."""
    expected: dict[int, int] = {}  # label id -> the entry that voided it
    for entry in entries:
        if entry.action == "label.voided" and entry.subject_id.isdigit():
            expected.setdefault(int(entry.subject_id), entry.id)
        elif entry.action == "labels.voided" and entry.subject_id.isdigit():
            try:
                details = json.loads(entry.details)
                first, last = int(details["first"]), int(details["last"])
            except (ValueError, KeyError, TypeError):
                yield Finding("audit_entries", entry.id, "its details lack the voided range")
                continue
            label_ids = session.scalars(
                select(Label.id).where(
                    Label.run_id == int(entry.subject_id), Label.sequence.between(first, last)
                )
            )
            for label_id in label_ids:
                expected.setdefault(label_id, entry.id)
    voided = set(session.scalars(select(Label.id).where(Label.status == LabelStatus.VOIDED)))
    for label_id in sorted(voided - expected.keys()):
        yield Finding("labels", label_id, "voided, but no audit entry voids it")
    active = (
        set(
            session.scalars(
                select(Label.id).where(
                    Label.id.in_(list(expected)), Label.status != LabelStatus.VOIDED
                )
            )
        )
        if expected
        else set()
    )
    for label_id in sorted(active):
        yield Finding(
            "labels", label_id, f"not voided, but audit entry {expected[label_id]} voided it"
        )


def _recall_findings(session: Session, entries: list[AuditEntry]) -> Iterator[Finding]:
    """A recall is final: recalled batches and batch.recalled entries must agree."""
    logged = {
        int(e.subject_id): e.id
        for e in entries
        if e.action == "batch.recalled" and e.subject_id.isdigit()
    }
    recalled = set(session.scalars(select(Batch.id).where(Batch.status == BatchStatus.RECALLED)))
    for batch_id in sorted(recalled - logged.keys()):
        yield Finding("batches", batch_id, "recalled, but no audit entry recalls it")
    for batch_id, status in session.execute(
        select(Batch.id, Batch.status).where(Batch.id.in_(list(logged)))
    ):
        if status != BatchStatus.RECALLED:
            yield Finding(
                "batches",
                batch_id,
                f"status is {status.value!r}, but audit entry {logged[batch_id]} recalled it",
            )
