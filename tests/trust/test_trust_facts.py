"""Direct database edits to trust facts (issue 13, item 2) are named by `audit verify`:
table, row, field, the value the log holds and the value stored.

Each test makes one edit an insider with SQL access could make, exactly as the issue
lists them, and runs on SQLite and PostgreSQL (TRACEAPP_TEST_DATABASE_URL).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from contextlib import contextmanager

import pytest
from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.orm import Session

from tests.factories import Factory
from traceapp import schema
from traceapp.db import make_engine
from traceapp.demo.chain import load_demo_chain
from traceapp.demo.data import load_demo_data
from traceapp.domain.accounts import create_token, create_user
from traceapp.domain.audit_verification import verify_records
from traceapp.domain.issuance import issue_labels
from traceapp.domain.value_chain import StepDetails, record_step
from traceapp.models import (
    ApiToken,
    AuditEntry,
    Batch,
    Certification,
    ChainEvent,
    IssuanceRun,
    Label,
    Product,
    User,
)
from traceapp.schema import MIGRATIONS_DIR


def _problems(session: Session, keyset) -> list[str]:
    return [str(f) for f in verify_records(session, keyset).findings]


def _last_entry_id(session: Session, subject_type: str, subject_id: int) -> int:
    return session.scalar(
        select(func.max(AuditEntry.id)).where(
            AuditEntry.action == "row.recorded",
            AuditEntry.subject_type == subject_type,
            AuditEntry.subject_id == str(subject_id),
        )
    )


@pytest.fixture
def issued(db_session, factory, signer):
    batch = factory.batch(quantity=100, certified=True)
    run = issue_labels(db_session, batch.id, 20, signer, "test")
    return batch, run


def test_records_made_through_the_service_verify_clean(db_session, factory, signer, keyset):
    batch = factory.batch(quantity=100, certified=True)
    issue_labels(db_session, batch.id, 20, signer, "test")
    user = create_user(
        db_session, "hoa@htx.vn", "Lý Thị Hoa", "mật khẩu rất dài", "inspector", "test"
    )
    create_token(db_session, user, "máy tính bảng", "test")
    record_step(db_session, batch.id, StepDetails("commissioning"), "test")

    assert _problems(db_session, keyset) == []


def test_raised_quantity_then_5000_more_labels_is_named(db_session, factory, signer, keyset):
    batch = factory.batch(quantity=100, certified=True)
    issue_labels(db_session, batch.id, 100, signer, "test")
    logged_at = _last_entry_id(db_session, "batches", batch.id)
    db_session.execute(update(Batch).where(Batch.id == batch.id).values(quantity=5100))
    db_session.expire_all()
    run = issue_labels(db_session, batch.id, 5000, signer, "test")

    problems = _problems(db_session, keyset)

    assert (
        f"batches row {batch.id} quantity: logged 100, stored 5100 (audit entry {logged_at})"
        in (problems)
    )
    assert any(
        p.startswith(
            f"issuance_runs row {run.id}: 5,000 labels issued beyond batch {batch.id}'s "
            "quantity in the log (100; 5,100 issued in all)"
        )
        for p in problems
    ), problems


def test_draft_set_certified_with_an_inserted_certification_is_named(db_session, factory, keyset):
    batch = factory.batch(quantity=100)
    logged_at = _last_entry_id(db_session, "batches", batch.id)
    db_session.execute(update(Batch).where(Batch.id == batch.id).values(status="certified"))
    db_session.execute(
        insert(Certification).values(
            batch_id=batch.id,
            scheme="vietgap",
            certificate_number="VG-GIẢ-1",
            issuing_body="Không ai",
            valid_from=batch.produced_on,
            valid_to=batch.best_before,
        )
    )
    forged = db_session.scalar(select(func.max(Certification.id)))

    assert _problems(db_session, keyset) == [
        f"batches row {batch.id} status: logged 'draft', stored 'certified' "
        f"(audit entry {logged_at})",
        f"certifications row {forged}: not in the audit log: written to the database directly",
    ]


def test_certification_validity_stretched_is_named(db_session, factory, keyset):
    batch = factory.batch(quantity=100, certified=True)
    certification = db_session.scalars(
        select(Certification).where(Certification.batch_id == batch.id)
    ).one()
    logged_to = certification.valid_to.isoformat()
    db_session.execute(
        update(Certification)
        .where(Certification.id == certification.id)
        .values(valid_to=certification.valid_to.replace(year=certification.valid_to.year + 5))
    )

    problems = _problems(db_session, keyset)

    assert len(problems) == 1
    assert problems[0].startswith(
        f"certifications row {certification.id} valid_to: logged '{logged_to}', stored"
    )


def test_certification_deleted_is_named(db_session, factory, keyset):
    batch = factory.batch(quantity=100, certified=True)
    certification_id = db_session.scalar(
        select(Certification.id).where(Certification.batch_id == batch.id)
    )
    db_session.execute(delete(Certification).where(Certification.id == certification_id))

    problems = _problems(db_session, keyset)

    assert problems == [
        f"certifications row {certification_id}: deleted from the database directly: "
        f"audit entry {_last_entry_id(db_session, 'certifications', certification_id)} records it"
    ]


def test_labels_moved_to_another_batch_are_named(db_session, factory, signer, keyset, issued):
    batch, run = issued
    other = factory.batch(product=batch.product, quantity=100, certified=True)
    moved = db_session.scalars(
        select(Label.id).where(Label.run_id == run.id, Label.sequence <= 2)
    ).all()
    db_session.execute(update(Label).where(Label.id.in_(moved)).values(batch_id=other.id))

    problems = _problems(db_session, keyset)

    for label_id in moved:
        assert (
            f"labels row {label_id}: moved: it belongs to batch {other.id}, "
            f"its run to batch {batch.id}"
        ) in problems
    assert any(
        p.startswith(f"issuance_runs row {run.id}: its labels no longer match the digest")
        for p in problems
    )


def test_run_moved_to_another_batch_with_its_labels_is_named(
    db_session, factory, signer, keyset, issued
):
    batch, run = issued
    other = factory.batch(product=batch.product, quantity=100, certified=True)
    logged_at = _last_entry_id(db_session, "issuance_runs", run.id)
    db_session.execute(
        update(IssuanceRun).where(IssuanceRun.id == run.id).values(batch_id=other.id)
    )
    db_session.execute(update(Label).where(Label.run_id == run.id).values(batch_id=other.id))
    # The careful insider also moves the quota, so the counts agree.
    db_session.execute(update(Batch).where(Batch.id == batch.id).values(labels_issued=0))
    db_session.execute(update(Batch).where(Batch.id == other.id).values(labels_issued=20))

    problems = _problems(db_session, keyset)

    assert (
        f"issuance_runs row {run.id} batch_id: logged {batch.id}, stored {other.id} "
        f"(audit entry {logged_at})"
    ) in problems
    assert any(
        p.startswith(f"issuance_runs row {run.id}: its labels no longer match the digest")
        for p in problems
    )


def test_signatures_swapped_between_labels_are_named(db_session, signer, keyset, issued):
    _, run = issued
    first, second = db_session.scalars(
        select(Label).where(Label.run_id == run.id).order_by(Label.sequence).limit(2)
    ).all()
    a, b = first.signature, second.signature
    db_session.execute(update(Label).where(Label.id == first.id).values(signature=b))
    db_session.execute(update(Label).where(Label.id == second.id).values(signature=a))

    problems = _problems(db_session, keyset)

    assert [p.split(":")[0] for p in problems if p.startswith("labels")] == [
        f"labels row {first.id}",
        f"labels row {second.id}",
    ]
    assert f"issuance_runs row {run.id}" in " ".join(problems)


def test_label_key_id_swapped_is_named(db_session, signer, keyset, issued, keystore, test_settings):
    _, run = issued
    other_kid = keystore.rotate().kid  # a published key, just not the one that signed
    label = db_session.scalars(select(Label).where(Label.run_id == run.id)).first()
    db_session.execute(update(Label).where(Label.id == label.id).values(key_id=other_kid))

    problems = _problems(db_session, keystore.public_keyset(test_settings.issuer))

    assert any(p.startswith(f"labels row {label.id}: altered or forged") for p in problems)
    assert any(
        p.startswith(f"issuance_runs row {run.id}: its labels no longer match the digest")
        for p in problems
    )


def test_lot_code_edited_is_named(db_session, keyset, issued):
    batch, _ = issued
    logged_at, lot = _last_entry_id(db_session, "batches", batch.id), batch.lot_code
    db_session.execute(update(Batch).where(Batch.id == batch.id).values(lot_code="GIẢ-01"))

    problems = _problems(db_session, keyset)

    assert (
        f"batches row {batch.id} lot_code: logged {lot!r}, stored 'GIẢ-01' "
        f"(audit entry {logged_at})"
    ) in problems


def test_gtin_edited_is_named(db_session, keyset, issued):
    batch, _ = issued
    product = batch.product
    logged_at, gtin = _last_entry_id(db_session, "products", product.id), product.gtin
    db_session.execute(
        update(Product).where(Product.id == product.id).values(gtin="08930000000015")
    )

    assert _problems(db_session, keyset) == [
        f"products row {product.id} gtin: logged {gtin!r}, stored '08930000000015' "
        f"(audit entry {logged_at})"
    ]


def test_chain_event_document_edited_is_named(db_session, factory, keyset):
    batch = factory.batch(quantity=100, certified=True)
    (event,) = record_step(db_session, batch.id, StepDetails("commissioning"), "test")
    document = json.loads(event.document)
    document["readPoint"] = {"id": "urn:traceapp:cooperative:GI%E1%BA%A2"}
    edited = json.dumps(document)
    db_session.execute(update(ChainEvent).where(ChainEvent.id == event.id).values(document=edited))

    problems = _problems(db_session, keyset)

    stored = "sha256:" + hashlib.sha256(edited.encode()).hexdigest()
    assert len(problems) == 1
    assert problems[0].startswith(f"chain_events row {event.id} document: logged 'sha256:")
    assert f"stored {stored!r}" in problems[0]


def test_user_raised_to_union_officer_is_named(db_session, keyset):
    user = create_user(
        db_session, "kiem@htx.vn", "Hoàng Văn Kiểm", "mật khẩu rất dài", "inspector", "test"
    )
    logged_at = _last_entry_id(db_session, "users", user.id)
    db_session.execute(update(User).where(User.id == user.id).values(role="union_officer"))

    assert _problems(db_session, keyset) == [
        f"users row {user.id} role: logged 'inspector', stored 'union_officer' "
        f"(audit entry {logged_at})"
    ]


def test_planted_api_token_is_named(db_session, keyset):
    user = create_user(
        db_session, "so@htx.vn", "Sầm Thị Sơ", "mật khẩu rất dài", "union_officer", "test"
    )
    db_session.execute(
        insert(ApiToken).values(
            user_id=user.id, name="cửa sau", token_hash=hashlib.sha256(b"tat_planted").hexdigest()
        )
    )
    planted = db_session.scalar(select(func.max(ApiToken.id)))

    assert _problems(db_session, keyset) == [
        f"api_tokens row {planted}: not in the audit log: written to the database directly"
    ]


def test_revoked_api_token_revived_is_named(db_session, keyset):
    from traceapp.domain.accounts import revoke_token

    user = create_user(
        db_session, "vi@htx.vn", "Đàm Văn Vị", "mật khẩu rất dài", "union_officer", "test"
    )
    token, _ = create_token(db_session, user, "cũ", "test")
    revoke_token(db_session, token.id, user, "test")
    db_session.execute(update(ApiToken).where(ApiToken.id == token.id).values(revoked_at=None))

    problems = _problems(db_session, keyset)

    assert len(problems) == 1
    assert problems[0].startswith(f"api_tokens row {token.id} revoked_at: logged '20")
    assert problems[0].endswith(
        f"stored null (audit entry {_last_entry_id(db_session, 'api_tokens', token.id)})"
    )


def test_changes_are_logged_once_per_transaction_under_the_callers_name(db_session, factory):
    batch = factory.batch(quantity=100)

    entries = db_session.execute(
        select(AuditEntry.actor, AuditEntry.details).where(
            AuditEntry.action == "row.recorded",
            AuditEntry.subject_type == "batches",
            AuditEntry.subject_id == str(batch.id),
        )
    ).all()

    assert [(actor, json.loads(details)["quantity"]) for actor, details in entries] == [
        (Factory.ACTOR, 100)
    ]


def test_secrets_are_logged_as_digests_only(db_session):
    user = create_user(
        db_session, "bi@htx.vn", "Bế Thị Bí", "mật khẩu rất dài", "inspector", "test"
    )
    token, secret = create_token(db_session, user, "máy", "test")
    logged = " ".join(
        db_session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "row.recorded")
        ).all()
    )
    assert user.password_hash not in logged
    assert token.token_hash not in logged
    assert secret not in logged


MIGRATIONS = MIGRATIONS_DIR / "versions"


def _migration_0008():
    path = next(MIGRATIONS.glob("0008_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def _facts_not_recorded():
    """The code as it was before trust facts were logged (revision 0006)."""
    from traceapp.domain import audit_log

    event.remove(Session, "after_flush", audit_log._collect_facts)
    try:
        yield
    finally:
        event.listen(Session, "after_flush", audit_log._collect_facts)


def test_existing_demo_database_gets_a_baseline_then_edits_are_named(
    empty_database_url, signer, keyset
):
    # The records are made with today's models (the schema at head) by code that
    # logs no trust facts; then migration 0008 writes its baseline, as it does when
    # it upgrades such a database.
    schema.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with _facts_not_recorded(), Session(engine) as session:
            summary = load_demo_data(session)
            run = issue_labels(session, summary.bao_hung_batch_id, 50, signer, "demo")
            load_demo_chain(session, summary)
            session.commit()
            run_id = run.id
        with Session(engine) as session:
            assert (
                session.scalar(select(func.count()).where(AuditEntry.action == "row.recorded")) == 0
            )
        with engine.begin() as connection:
            _migration_0008()._write_baseline(connection)

        with Session(engine) as session:
            baseline = session.scalars(
                select(AuditEntry).where(AuditEntry.actor == "migration:0008")
            ).all()
            assert {e.subject_type for e in baseline} >= {
                "batches",
                "products",
                "certifications",
                "users",
                "chain_events",
                "issuance_run",
            }
            assert verify_records(session, keyset).clean
            session.execute(
                update(Label).where(Label.run_id == run_id, Label.sequence == 3).values(key_id="ZZ")
            )
            session.execute(
                update(Batch).where(Batch.id == summary.bao_hung_batch_id).values(quantity=999_999)
            )
            problems = _problems(session, keyset)
            session.rollback()
    finally:
        engine.dispose()

    assert any(
        p.startswith(f"batches row {summary.bao_hung_batch_id} quantity: logged ")
        and "stored 999999" in p
        for p in problems
    ), problems
    assert any(
        p.startswith(f"issuance_runs row {run_id}: its labels no longer match") for p in problems
    ), problems


def test_the_demo_through_the_cli_verifies_clean_then_a_role_edit_is_named(
    run_cli, committed_engine
):
    assert run_cli("demo").exit_code == 0
    clean = run_cli("audit", "verify")
    with committed_engine.begin() as connection:
        inspector = connection.scalar(select(User.id).where(User.role == "inspector").limit(1))
        connection.execute(update(User).where(User.id == inspector).values(role="union_officer"))
    tampered = run_cli("audit", "verify")

    assert clean.exit_code == 0, clean.output
    assert tampered.exit_code == 1
    assert (
        f"FINDING users row {inspector} role: logged 'inspector', stored 'union_officer'"
        in tampered.output
    )


def test_a_fact_changed_through_a_relationship_is_logged(db_session, factory, keyset):
    from traceapp.domain.audit_log import record

    batch = factory.batch(quantity=100, certified=True)
    other = factory.batch(quantity=100)
    certification = db_session.scalars(
        select(Certification).where(Certification.batch_id == batch.id)
    ).one()
    certification.batch = other
    record(db_session, "test", "certification.moved", "certification", certification.id, {})

    assert _problems(db_session, keyset) == []
    logged = db_session.scalar(
        select(AuditEntry.details).where(
            AuditEntry.id == _last_entry_id(db_session, "certifications", certification.id)
        )
    )
    assert json.loads(logged)["batch_id"] == other.id
