"""Backups as portable JSON rows restore onto a fresh instance, where every code
issued before still verifies and the audit log still verifies."""

from __future__ import annotations

import dataclasses
import io
import json
import stat
import tarfile

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keys.codes import label_uri
from keys.keystore import KeyStore
from keys.verify import Verdict, verify_code
from tests.factories import Factory
from traceapp import schema
from traceapp.db import make_engine
from traceapp.domain.issuance import issue_labels
from traceapp.domain.voiding import void_label
from traceapp.models import AuditEntry, Batch, Label


def _issue_some(committed_engine, signer) -> int:
    with Session(committed_engine) as session:
        batch = Factory(session).batch(quantity=300, certified=True)
        issue_labels(session, batch.id, 200, signer, "test")
        issue_labels(session, batch.id, 50, signer, "test")
        first = session.scalars(select(Label.serial).where(Label.batch_id == batch.id)).first()
        void_label(session, batch.id, first, "rách nhãn", "test")
        session.commit()
        return batch.id


def _codes(engine, base_url: str) -> list[str]:
    with Session(engine) as session:
        labels = session.scalars(select(Label).order_by(Label.id)).all()
        return [
            label_uri(
                base_url,
                gtin=label.batch.product.gtin,
                lot=label.batch.lot_code,
                serial=label.serial,
                signature_field=label.signature,
            )
            for label in labels
        ]


def test_restore_onto_a_fresh_instance_keeps_every_code_verifiable(
    run_cli, committed_engine, signer, test_settings, fresh_database_url, tmp_path
):
    _issue_some(committed_engine, signer)
    assert run_cli("audit", "checkpoint").exit_code == 0
    codes = _codes(committed_engine, test_settings.public_base_url)
    archive = tmp_path / "backup.tar.gz"
    made = run_cli("backup", "create", str(archive))
    restored_settings = dataclasses.replace(
        test_settings, database_url=fresh_database_url, keys_dir=tmp_path / "restored-keys"
    )

    restored = run_cli("backup", "restore", str(archive), settings=restored_settings)

    assert made.exit_code == 0, made.output
    assert restored.exit_code == 0, restored.output
    assert "audit log verified" in restored.output
    keyset = KeyStore(restored_settings.keys_dir).public_keyset(test_settings.issuer)
    verdicts = {verify_code(code, keyset).verdict for code in codes}
    assert len(codes) == 250 and verdicts == {Verdict.GENUINE}
    engine = make_engine(fresh_database_url)
    assert _codes(engine, test_settings.public_base_url) == codes
    engine.dispose()


def test_restored_instance_can_issue_again_without_id_collisions(
    run_cli, committed_engine, signer, test_settings, fresh_database_url, tmp_path
):
    batch_id = _issue_some(committed_engine, signer)
    archive = tmp_path / "backup.tar.gz"
    assert run_cli("backup", "create", "--include-private-keys", str(archive)).exit_code == 0
    restored_settings = dataclasses.replace(
        test_settings, database_url=fresh_database_url, keys_dir=tmp_path / "restored-keys"
    )
    assert run_cli("backup", "restore", str(archive), settings=restored_settings).exit_code == 0

    issued = run_cli("issue", str(batch_id), "--count", "50", settings=restored_settings)
    verified = run_cli("audit", "verify", settings=restored_settings)

    assert issued.exit_code == 0, issued.output
    assert verified.exit_code == 0, verified.output
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        assert session.get(Batch, batch_id).labels_issued == 300
        assert session.scalar(select(func.count()).select_from(AuditEntry)) > 0
    engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(run_cli, committed_engine, signer, tmp_path):
    _issue_some(committed_engine, signer)
    archive = tmp_path / "backup.tar.gz"
    assert run_cli("backup", "create", str(archive)).exit_code == 0

    refused = run_cli("backup", "restore", str(archive))

    assert refused.exit_code == 2
    assert "not empty" in refused.output


def test_backup_holds_no_private_key_unless_asked(run_cli, committed_engine, signer, tmp_path):
    _issue_some(committed_engine, signer)
    public_only, with_keys = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    run_cli("backup", "create", str(public_only))
    run_cli("backup", "create", "--include-private-keys", str(with_keys))

    def pem_files(path):
        with tarfile.open(path) as archive:
            return [name for name in archive.getnames() if name.endswith(".pem")]

    assert pem_files(public_only) == []
    assert len(pem_files(with_keys)) == 1


def test_every_archive_is_written_owner_only(run_cli, committed_engine, signer, tmp_path):
    _issue_some(committed_engine, signer)
    fresh, existing = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    existing.write_bytes(b"")
    existing.chmod(0o644)

    assert run_cli("backup", "create", str(fresh)).exit_code == 0
    assert run_cli("backup", "create", str(existing)).exit_code == 0

    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600


def test_altered_archive_is_refused(
    run_cli, committed_engine, signer, tmp_path, test_settings, fresh_database_url
):
    _issue_some(committed_engine, signer)
    archive, altered = tmp_path / "backup.tar.gz", tmp_path / "altered.tar.gz"
    run_cli("backup", "create", str(archive))
    with tarfile.open(archive) as source, tarfile.open(altered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "tables/batches.jsonl":
                row = json.loads(data.splitlines()[0])
                row["quantity"] += 1000
                data = (json.dumps(row) + "\n").encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    restored_settings = dataclasses.replace(
        test_settings, database_url=fresh_database_url, keys_dir=tmp_path / "restored-keys"
    )

    refused = run_cli("backup", "restore", str(altered), settings=restored_settings)

    assert refused.exit_code == 2
    assert "tables/batches.jsonl does not match its SHA-256" in refused.output


def test_sqlite_backup_restores_onto_postgresql(
    run_cli, is_postgres, signer, test_settings, fresh_database_url, tmp_path
):
    if not is_postgres:
        pytest.skip(
            "needs PostgreSQL as the restore target (run with "
            "TRACEAPP_TEST_DATABASE_URL=postgresql+psycopg://...)"
        )
    sqlite_url = f"sqlite:///{tmp_path / 'source.db'}"
    schema.upgrade(sqlite_url)
    source = make_engine(sqlite_url)
    _issue_some(source, signer)
    codes = _codes(source, test_settings.public_base_url)
    source.dispose()
    archive = tmp_path / "from-sqlite.tar.gz"
    sqlite_settings = dataclasses.replace(test_settings, database_url=sqlite_url)
    assert run_cli("backup", "create", str(archive), settings=sqlite_settings).exit_code == 0
    restored_settings = dataclasses.replace(
        test_settings, database_url=fresh_database_url, keys_dir=tmp_path / "restored-keys"
    )

    restored = run_cli("backup", "restore", str(archive), settings=restored_settings)

    assert restored.exit_code == 0, restored.output
    engine = make_engine(fresh_database_url)
    assert _codes(engine, test_settings.public_base_url) == codes
    engine.dispose()
