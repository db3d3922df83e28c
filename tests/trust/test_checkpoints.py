"""Signed checkpoints published at stable URLs, and inclusion proofs an inspector
checks offline against the issuer's public keys."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.log_proof import verify_inclusion
from keys.statements import verify_statement
from tests.factories import Factory
from traceapp.domain.checkpoints import create_checkpoint
from traceapp.domain.issuance import issue_labels
from traceapp.models import AuditEntry


def _checkpointed_run(db_session, factory, signer, keystore, keyset):
    batch = factory.batch(quantity=50, certified=True)
    run = issue_labels(db_session, batch.id, 10, signer, "test")
    kid, private_key = keystore.active_private_key()
    create_checkpoint(db_session, keyset.issuer, kid, private_key)
    entries = db_session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    # Release the fixture's savepoint before requests open their own (still rolled back).
    db_session.commit()
    return run, entries


def test_latest_checkpoint_is_signed_by_the_issuer_key(
    client, db_session, factory, signer, keystore, keyset
):
    _, entries = _checkpointed_run(db_session, factory, signer, keystore, keyset)
    head = entries[-1]

    document = client.get("/transparency/checkpoints/latest.json").get_json()

    assert (document["last_entry_id"], document["head_hash"]) == (head.id, head.entry_hash)
    assert verify_statement(document, lambda kid: keyset.get(kid).public_key)


def test_no_checkpoint_yet_is_a_404_problem(client):
    response = client.get(
        "/transparency/checkpoints/latest.json", headers={"Accept": "application/json"}
    )

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_checkpoint_list_and_entries_are_published(
    client, db_session, factory, signer, keystore, keyset
):
    _, entries = _checkpointed_run(db_session, factory, signer, keystore, keyset)
    first = entries[0]

    listed = client.get("/transparency/checkpoints.json").get_json()["checkpoints"]
    entries = client.get(f"/transparency/entries?from={first.id}&to={first.id + 1}").get_json()[
        "entries"
    ]

    assert len(listed) == 1
    assert [e["id"] for e in entries] == [first.id, first.id + 1]
    assert entries[0]["entry_hash"] == first.entry_hash


def test_entries_with_a_bad_range_are_a_422(client):
    response = client.get("/transparency/entries?from=abc", headers={"Accept": "application/json"})

    assert response.status_code == 422


def test_issuance_proof_verifies_offline_against_the_key_set(
    client, db_session, factory, signer, keystore, keyset
):
    run, _ = _checkpointed_run(db_session, factory, signer, keystore, keyset)

    proof = client.get(f"/transparency/proof?run={run.id}").get_json()

    assert verify_inclusion(proof, keyset).valid
    assert json.loads(proof["entry"]["details"])["count"] == 10


def test_a_doctored_proof_does_not_verify(client, db_session, factory, signer, keystore, keyset):
    run, _ = _checkpointed_run(db_session, factory, signer, keystore, keyset)
    proof = client.get(f"/transparency/proof?run={run.id}").get_json()
    proof["entry"]["details"] = proof["entry"]["details"].replace('"count":10', '"count":9')

    result = verify_inclusion(proof, keyset)

    assert not result.valid
    assert "does not match its contents" in result.detail


def test_proof_before_any_checkpoint_is_a_409(client, db_session, factory, signer):
    batch = factory.batch(quantity=5, certified=True)
    run = issue_labels(db_session, batch.id, 5, signer, "test")
    db_session.commit()

    response = client.get(
        f"/transparency/proof?run={run.id}", headers={"Accept": "application/json"}
    )

    assert response.status_code == 409


def test_cli_checkpoint_prove_and_check_proof_round_trip(
    run_cli, committed_engine, signer, tmp_path, test_settings
):
    with Session(committed_engine) as session:
        batch = Factory(session).batch(quantity=20, certified=True)
        run_id = issue_labels(session, batch.id, 20, signer, "test").id
        session.commit()

    made = run_cli("audit", "checkpoint")
    again = run_cli("audit", "checkpoint")
    proved = run_cli("audit", "prove", "--run", str(run_id), "--out", str(tmp_path / "p.json"))
    exported = run_cli("keys", "export-jwks", "--out", str(tmp_path / "jwks.json"))
    checked = run_cli(
        "audit", "check-proof", str(tmp_path / "p.json"), "--keys", str(tmp_path / "jwks.json")
    )

    assert made.exit_code == 0 and "signed checkpoint" in made.output, made.output
    assert again.exit_code == 0 and "log unchanged" in again.output
    assert proved.exit_code == 0, proved.output
    assert exported.exit_code == 0, exported.output
    assert checked.exit_code == 0 and checked.output.startswith("VALID"), checked.output


def test_cli_verify_is_clean_then_exits_1_naming_an_edited_row(run_cli, committed_engine, signer):
    with Session(committed_engine) as session:
        batch = Factory(session).batch(quantity=20, certified=True)
        issue_labels(session, batch.id, 20, signer, "test")
        session.commit()
    clean = run_cli("audit", "verify")
    with committed_engine.begin() as connection:
        victim = connection.scalar(select(AuditEntry.id).order_by(AuditEntry.id).limit(1))
        connection.execute(
            AuditEntry.__table__.update().where(AuditEntry.id == victim).values(actor="mallory")
        )

    tampered = run_cli("audit", "verify")

    assert clean.exit_code == 0 and "audit log verified" in clean.output, clean.output
    assert tampered.exit_code == 1
    assert f"FINDING audit_entries row {victim}: altered" in tampered.output


def test_key_rotation_through_the_cli_is_logged(run_cli, committed_engine, keystore):
    rotated = run_cli("keys", "rotate")

    with Session(committed_engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "key.rotated")).one()
    assert rotated.exit_code == 0, rotated.output
    assert entry.subject_id == keystore.active().kid
