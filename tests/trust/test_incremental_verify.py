"""`audit verify` after a checkpoint checks the entries since the last verified
checkpoint (issue 18); `--full` checks the whole log with a progress bar."""

from __future__ import annotations

import json

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from tests.factories import Factory
from traceapp.domain.accounts import create_user
from traceapp.domain.audit_verification import record_verification, verify_records
from traceapp.domain.checkpoints import create_checkpoint
from traceapp.domain.issuance import issue_labels
from traceapp.models import AuditEntry, AuditState, Batch, Label, LabelWrite


def _checkpoint(session, keystore, keyset):
    kid, private_key = keystore.active_private_key()
    return create_checkpoint(session, keyset.issuer, kid, private_key)[0]


def _entries_after(session, entry_id: int) -> int:
    return session.scalar(select(func.count()).where(AuditEntry.id > entry_id))


def _verified_once(db_session, factory, signer, keystore, keyset):
    """A batch with labels, a checkpoint, and a clean verify recorded at it."""
    batch = factory.batch(quantity=100, certified=True)
    issue_labels(db_session, batch.id, 20, signer, "test")
    checkpoint = _checkpoint(db_session, keystore, keyset)
    report = verify_records(db_session, keyset, full=False)
    assert report.clean, report.findings
    assert report.since_checkpoint is None  # nothing verified yet: from the first entry
    assert record_verification(db_session, report, "test")
    return batch, checkpoint


def test_verify_after_a_new_checkpoint_hashes_only_the_entries_since(
    db_session, factory, signer, keystore, keyset
):
    _, checkpoint = _verified_once(db_session, factory, signer, keystore, keyset)
    create_user(db_session, "lan@htx.vn", "Hà Thị Lan", "mật khẩu rất dài", "inspector", "test")
    _checkpoint(db_session, keystore, keyset)

    report = verify_records(db_session, keyset, full=False)

    assert report.clean, report.findings
    assert report.since_checkpoint == checkpoint.id
    assert report.entries == _entries_after(db_session, checkpoint.last_entry_id)
    assert report.entries < _entries_after(db_session, 0) / 3


def test_edits_are_still_named_when_verifying_from_a_checkpoint(
    db_session, factory, signer, keystore, keyset
):
    batch, checkpoint = _verified_once(db_session, factory, signer, keystore, keyset)
    db_session.execute(update(Batch).where(Batch.id == batch.id).values(quantity=9000))

    report = verify_records(db_session, keyset, full=False)

    assert report.since_checkpoint == checkpoint.id
    assert [str(f).split(":")[0] for f in report.findings] == [f"batches row {batch.id} quantity"]


def test_verified_state_edited_to_hide_an_edit_is_named_and_the_whole_log_checked(
    db_session, factory, signer, keystore, keyset
):
    batch, _ = _verified_once(db_session, factory, signer, keystore, keyset)
    db_session.execute(update(Batch).where(Batch.id == batch.id).values(quantity=9000))
    kept = db_session.get(AuditState, ("batches", str(batch.id)))
    facts, entry_id = json.loads(kept.value)
    facts["quantity"] = 9000
    db_session.execute(
        update(AuditState)
        .where(AuditState.subject_type == "batches", AuditState.subject_id == str(batch.id))
        .values(value=json.dumps([facts, entry_id]))
    )

    report = verify_records(db_session, keyset, full=False)

    assert report.since_checkpoint is None
    problems = [str(f) for f in report.findings]
    assert problems[0].startswith("audit_state: altered since audit entry")
    assert any(p.startswith(f"batches row {batch.id} quantity: logged 100") for p in problems)


def test_full_verify_rehashes_entries_the_incremental_one_trusts(
    db_session, factory, signer, keystore, keyset
):
    _verified_once(db_session, factory, signer, keystore, keyset)
    _checkpoint(db_session, keystore, keyset)
    first = db_session.scalar(select(func.min(AuditEntry.id)))
    db_session.execute(update(AuditEntry).where(AuditEntry.id == first).values(actor="x"))

    full = verify_records(db_session, keyset, full=True)

    assert [str(f) for f in full.findings] == [
        f"audit_entries row {first}: altered: its hash no longer matches its contents"
    ]


def test_cli_verify_full_shows_progress_and_time_then_the_next_starts_at_the_checkpoint(
    run_cli, committed_engine, signer
):
    with Session(committed_engine) as session:
        batch = Factory(session).batch(quantity=100, certified=True)
        issue_labels(session, batch.id, 10, signer, "test")
        session.commit()
    first = run_cli("audit", "checkpoint")
    first_id = first.output.split("signed checkpoint ")[1].split(":")[0]

    full = run_cli("audit", "verify", "--full")
    assert run_cli("audit", "checkpoint").exit_code == 0
    since = run_cli("audit", "verify")

    assert full.exit_code == 0, full.output
    assert "verifying the log" in full.output  # the progress bar (stderr is mixed in)
    assert "from the first entry" in full.output
    assert " s\n" in full.output.splitlines(keepends=True)[-1]
    assert since.exit_code == 0, since.output
    assert f"since checkpoint {first_id}" in since.output


def _label_notes(session) -> int:
    return session.scalar(select(func.count()).select_from(LabelWrite))


def test_verify_from_a_checkpoint_reads_only_the_labels_written_since(
    db_session, factory, signer, keystore, keyset
):
    _verified_once(db_session, factory, signer, keystore, keyset)
    assert _label_notes(db_session) == 0  # the recorded verify read them all
    other = factory.batch(quantity=100, certified=True)
    issue_labels(db_session, other.id, 30, signer, "test")
    _checkpoint(db_session, keystore, keyset)

    since = verify_records(db_session, keyset, full=False)
    assert record_verification(db_session, since, "test")
    create_user(db_session, "lan@htx.vn", "Hà Thị Lan", "mật khẩu rất dài", "inspector", "test")
    _checkpoint(db_session, keystore, keyset)
    nothing_written = verify_records(db_session, keyset, full=False)
    full = verify_records(db_session, keyset, full=True)

    assert since.clean, since.findings
    assert (since.noted_batches_only, since.runs, since.labels) == (True, 1, 30)
    assert nothing_written.clean, nothing_written.findings
    assert (nothing_written.runs, nothing_written.labels) == (0, 0)
    assert (full.noted_batches_only, full.runs, full.labels) == (False, 2, 50)


def test_labels_edited_in_the_database_are_named_from_a_checkpoint(
    db_session, factory, signer, keystore, keyset
):
    batch, checkpoint = _verified_once(db_session, factory, signer, keystore, keyset)
    label = db_session.scalars(select(Label).where(Label.batch_id == batch.id)).first()
    # As typed into psql: the triggers note the batch, the service is not involved.
    db_session.execute(
        text("UPDATE labels SET serial = 'FORGED0001' WHERE id = :id"), {"id": label.id}
    )
    db_session.execute(
        text("UPDATE batches SET labels_issued = 5 WHERE id = :id"), {"id": batch.id}
    )

    report = verify_records(db_session, keyset, full=False)

    assert report.since_checkpoint == checkpoint.id
    assert report.noted_batches_only and report.labels == 20
    problems = [str(f) for f in report.findings]
    assert f"labels row {label.id}: altered or forged: serial 'FORGED0001'" in problems[0]
    assert f"batches row {batch.id}: labels_issued is 5 but the batch has 20 labels" in problems


def test_a_missing_note_trigger_is_named_and_every_label_read(
    db_session, factory, signer, keystore, keyset, is_postgres
):
    _verified_once(db_session, factory, signer, keystore, keyset)
    label = db_session.scalars(select(Label)).first()
    drop = "DROP TRIGGER labels_updated" + (" ON labels" if is_postgres else "")
    db_session.execute(text(drop))  # rolled back with the test's transaction
    db_session.execute(text("DELETE FROM label_writes"))
    db_session.execute(
        text("UPDATE labels SET serial = 'FORGED0001' WHERE id = :id"), {"id": label.id}
    )

    report = verify_records(db_session, keyset, full=False)

    problems = [str(f) for f in report.findings]
    assert problems[0] == (
        "labels: trigger(s) labels_updated missing or disabled: label writes are not "
        "noted, so every label was read"
    )
    assert not report.noted_batches_only and report.labels == 20
    assert any(p.startswith(f"labels row {label.id}: altered or forged") for p in problems)
