"""Direct edits to the database (an insider with SQL access) are caught by
`audit verify`, which names the row."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update

from keys.log_proof import entry_hash
from traceapp.domain.audit_chain import chain_findings
from traceapp.domain.audit_log import GENESIS_HASH, record, timestamp_text
from traceapp.domain.audit_verification import verify_records
from traceapp.domain.batches import recall_batch
from traceapp.domain.checkpoints import create_checkpoint
from traceapp.domain.issuance import issue_labels
from traceapp.domain.voiding import void_label, void_run_range
from traceapp.models import AuditEntry, Batch, Label
from traceapp.models._columns import utcnow


def _issued(db_session, factory, signer, count: int = 20):
    batch = factory.batch(quantity=100, certified=True)
    run = issue_labels(db_session, batch.id, count, signer, "test")
    return batch, run


def _entries(db_session) -> list[AuditEntry]:
    return db_session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()


def _problems(db_session, keyset) -> list[str]:
    return [str(f) for f in verify_records(db_session, keyset).findings]


def test_untouched_records_verify_clean(db_session, factory, signer, keyset):
    batch, run = _issued(db_session, factory, signer)
    label = db_session.scalars(select(Label).where(Label.run_id == run.id)).first()
    void_label(db_session, batch.id, label.serial, "nhãn in hỏng", "test")
    recall_batch(db_session, batch, "kiểm tra lại", "test")

    report = verify_records(db_session, keyset)

    assert report.clean, report.findings
    assert report.labels == 20


def test_edited_log_entry_is_named(db_session, factory, signer, keyset):
    _issued(db_session, factory, signer)
    victim = _entries(db_session)[1]
    db_session.execute(
        update(AuditEntry).where(AuditEntry.id == victim.id).values(actor="someone-else")
    )

    assert _problems(db_session, keyset) == [
        f"audit_entries row {victim.id}: altered: its hash no longer matches its contents"
    ]


def test_deleted_log_entry_is_caught_at_the_next_entry(db_session, factory, signer, keyset):
    _issued(db_session, factory, signer)
    entries = _entries(db_session)
    db_session.execute(delete(AuditEntry).where(AuditEntry.id == entries[1].id))

    problems = _problems(db_session, keyset)

    assert len(problems) == 1
    assert problems[0].startswith(
        f"audit_entries row {entries[2].id}: the entry it chains to "
        f"is missing: entries were deleted between entry "
        f"{entries[0].id} and this one"
    )


def test_log_entry_rewritten_with_recomputed_hashes_is_caught_by_the_checkpoint(
    db_session, factory, signer, keyset, keystore
):
    _issued(db_session, factory, signer)
    kid, private_key = keystore.active_private_key()
    create_checkpoint(db_session, keyset.issuer, kid, private_key)
    # A careful insider rewrites the last entry and recomputes its hash.
    last = _entries(db_session)[-1]
    forged_details = last.details.replace('"count":20', '"count":2')
    forged_hash = entry_hash(
        last.previous_hash,
        timestamp_text(last.occurred_at),
        last.actor,
        last.action,
        last.subject_type,
        last.subject_id,
        forged_details,
    )
    db_session.execute(
        update(AuditEntry)
        .where(AuditEntry.id == last.id)
        .values(details=forged_details, entry_hash=forged_hash)
    )

    problems = _problems(db_session, keyset)

    assert f"audit_entries row {last.id}: rewritten since checkpoint" in " ".join(problems)


def test_log_entry_appended_with_a_backdated_link_is_named(db_session, factory, signer, keyset):
    _issued(db_session, factory, signer)
    entries = _entries(db_session)
    target = entries[-3]
    at = utcnow().replace(microsecond=0)
    forged = {
        "occurred_at": at,
        "actor": "test",
        "action": "user.created",
        "subject_type": "user",
        "subject_id": "1",
        "details": '{"reason":"x"}',
        "previous_hash": target.entry_hash,
    }
    forged["entry_hash"] = entry_hash(
        target.entry_hash, timestamp_text(at), "test", "user.created", "user", "1", '{"reason":"x"}'
    )
    db_session.execute(insert(AuditEntry).values(id=entries[-1].id + 1, **forged))

    assert _problems(db_session, keyset) == [
        f"audit_entries row {entries[-1].id + 1}: inserted out of order: it chains to entry "
        f"{target.id}, not to the entry before it ({entries[-1].id})"
    ]


def test_log_entry_slipped_into_the_middle_is_named():
    def entry(entry_id: int, previous: str, action: str) -> AuditEntry:
        at = utcnow().replace(microsecond=0)
        return AuditEntry(
            id=entry_id,
            occurred_at=at,
            actor="test",
            action=action,
            subject_type="batch",
            subject_id="1",
            details="{}",
            previous_hash=previous,
            entry_hash=entry_hash(previous, timestamp_text(at), "test", action, "batch", "1", "{}"),
        )

    first = entry(1, GENESIS_HASH, "batch.created")
    second = entry(3, first.entry_hash, "batch.certified")
    third = entry(4, second.entry_hash, "labels.issued")
    # Id 2 was free (a rolled-back transaction); the insider fills it, chained correctly.
    slipped = entry(2, first.entry_hash, "batch.recalled")

    findings = chain_findings([first, slipped, second, third])

    assert [(f.row_id, f.problem.split(":")[0]) for f in findings] == [(2, "inserted out of order")]


def test_edited_label_serial_is_named(db_session, factory, signer, keyset):
    _, run = _issued(db_session, factory, signer)
    label = db_session.scalars(
        select(Label).where(Label.run_id == run.id, Label.sequence == 7)
    ).one()
    db_session.execute(update(Label).where(Label.id == label.id).values(serial="ZZZZZZZZZZZZ"))

    problems = _problems(db_session, keyset)

    assert any(p.startswith(f"labels row {label.id}: altered or forged") for p in problems)
    assert any(
        p.startswith(f"issuance_runs row {run.id}: its labels no longer match") for p in problems
    )


def test_deleted_label_is_named_by_run_and_print_position(db_session, factory, signer, keyset):
    batch, run = _issued(db_session, factory, signer)
    db_session.execute(delete(Label).where(Label.run_id == run.id, Label.sequence == 5))

    problems = _problems(db_session, keyset)

    assert (
        f"issuance_runs row {run.id}: 1 label(s) deleted: print position(s) 5 missing" in problems
    )
    assert f"batches row {batch.id}: labels_issued is 20 but the batch has 19 labels" in problems


def test_inserted_label_is_named(db_session, factory, signer, keyset):
    batch, run = _issued(db_session, factory, signer)
    copy = db_session.scalars(select(Label).where(Label.run_id == run.id)).first()
    db_session.execute(
        insert(Label).values(
            batch_id=batch.id,
            run_id=run.id,
            sequence=21,
            serial="FORGED000001",
            key_id=copy.key_id,
            signature=copy.signature,
            status="active",
        )
    )
    inserted = db_session.scalar(select(func.max(Label.id)))

    problems = _problems(db_session, keyset)

    assert any(
        p.startswith(f"labels row {inserted}: inserted: print position 21") for p in problems
    )
    assert any(p.startswith(f"labels row {inserted}: altered or forged") for p in problems)


def test_edited_quota_is_named(db_session, factory, signer, keyset):
    batch, _ = _issued(db_session, factory, signer)
    db_session.execute(update(Batch).where(Batch.id == batch.id).values(labels_issued=0))

    assert _problems(db_session, keyset) == [
        f"batches row {batch.id}: labels_issued is 0 but the batch has 20 labels"
    ]


def test_checkpoint_is_refused_for_a_log_that_does_not_verify(
    db_session, factory, signer, keyset, keystore
):
    import pytest

    from traceapp.errors import Conflict

    _issued(db_session, factory, signer)
    record(db_session, "test", "batch.certified", "batch", 1, {})
    victim = _entries(db_session)[0]
    db_session.execute(update(AuditEntry).where(AuditEntry.id == victim.id).values(actor="x"))
    db_session.expire_all()
    kid, private_key = keystore.active_private_key()

    with pytest.raises(Conflict, match=f"audit_entries row {victim.id}"):
        create_checkpoint(db_session, keyset.issuer, kid, private_key)


def test_label_un_voided_directly_is_named(db_session, factory, signer, keyset):
    batch, run = _issued(db_session, factory, signer)
    label = db_session.scalars(select(Label).where(Label.run_id == run.id)).first()
    void_label(db_session, batch.id, label.serial, "nhãn in hỏng", "test")
    db_session.execute(update(Label).where(Label.id == label.id).values(status="active"))

    problems = _problems(db_session, keyset)

    assert len(problems) == 1
    assert problems[0].startswith(f"labels row {label.id}: not voided, but audit entry")


def test_a_label_un_voided_in_a_range_of_6000_voided_labels_is_named(
    db_session, factory, signer, keyset
):
    # More voided labels than verify puts in one query (CHUNK): the last chunk counts.
    batch = factory.batch(quantity=6000, certified=True)
    run = issue_labels(db_session, batch.id, 6000, signer, "test")
    void_run_range(db_session, run.id, 1, 6000, "cuộn nhãn in hỏng", "test")
    last = db_session.scalar(select(Label).where(Label.run_id == run.id, Label.sequence == 6000))
    db_session.execute(update(Label).where(Label.id == last.id).values(status="active"))

    problems = _problems(db_session, keyset)

    assert len(problems) == 1
    assert problems[0].startswith(f"labels row {last.id}: not voided, but audit entry")


def test_recall_undone_directly_is_named(db_session, factory, signer, keyset):
    batch, _ = _issued(db_session, factory, signer)
    recall_batch(db_session, batch, "kiểm tra lại", "test")
    db_session.execute(update(Batch).where(Batch.id == batch.id).values(status="certified"))

    problems = _problems(db_session, keyset)

    assert len(problems) == 1
    assert problems[0].startswith(
        f"batches row {batch.id} status: logged 'recalled', stored 'certified' (audit entry"
    )
