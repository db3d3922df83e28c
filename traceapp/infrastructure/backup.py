"""Portable backups: every table as JSON rows, the key set, and a manifest of SHA-256s.

Archive layout (a .tar.gz; docs/backup.md):

    manifest.json          format, time, schema revisions, per file: rows and SHA-256
    tables/{table}.jsonl   one JSON object per row, in primary-key order
    keys/keys.json         the key store's index: public keys and their status
    keys/jwks.json         the public key set, for offline verifiers
    keys/{kid}.pem         encrypted private keys, only if asked for

Rows are plain JSON (times as ISO 8601, dates as YYYY-MM-DD), so a backup of a
SQLite instance restores onto PostgreSQL and the other way round.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, DateTime, LargeBinary, Numeric, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import Table

from traceapp.db import Base
from traceapp.models._columns import timestamp_text, utcnow

BACKUP_FORMAT = "traceapp-backup/1"
MANIFEST = "manifest.json"
INSERT_CHUNK = 2_000
COPY_BLOCK = 1 << 20
KEY_INDEX = "keys.json"


def backed_up_tables() -> list[Table]:
    """Every table but those marked `info={"backed_up": False}`: label_writes, which
    the restore's own label inserts fill again."""
    return [table for table in Base.metadata.sorted_tables if table.info.get("backed_up", True)]


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class RestoreSummary:
    tables: dict[str, int]
    keys_restored: list[str]


def create_backup(
    engine: Engine,
    keys_dir: Path,
    issuer: str,
    out: Path,
    *,
    include_private_keys: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Write the archive to `out`; returns its manifest.

    Reads every table in one transaction, so the rows are a consistent snapshot
    (REPEATABLE READ on PostgreSQL). `progress(n)` is called after each of the
    `len(backed_up_tables())` tables is read.
    """
    tables: dict[str, dict[str, Any]] = {}
    digests: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="traceapp-backup-") as scratch:
        # Each table goes to a file of its own as it is read, so memory does not grow
        # with the data; the archive is then written from those files.
        staged: dict[str, Path] = {}
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                revisions = _revisions(connection)
                for table in backed_up_tables():
                    name = f"tables/{table.name}.jsonl"
                    staged[name] = Path(scratch) / f"{len(staged)}.jsonl"
                    rows, digests[name] = _dump_table(connection, table, staged[name])
                    tables[table.name] = {"file": name, "rows": rows}
                    if progress is not None:
                        progress(len(tables))
        key_files = _key_files(keys_dir, issuer, include_private_keys)
        digests.update({name: hashlib.sha256(data).hexdigest() for name, data in key_files.items()})
        manifest = {
            "format": BACKUP_FORMAT,
            "created_at": timestamp_text(utcnow()),
            "issuer": issuer,
            "schema_revisions": revisions,
            "tables": tables,
            "private_keys_included": include_private_keys,
            "files": dict(sorted(digests.items())),
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only from the first byte: the rows hold password hashes and token hashes.
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
        with (
            os.fdopen(descriptor, "wb") as file,
            tarfile.open(fileobj=file, mode="w:gz") as archive,
        ):
            _add(archive, MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
            for name, path in staged.items():
                with path.open("rb") as data:
                    _add(archive, name, data, size=path.stat().st_size)
            for name, content in key_files.items():
                _add(archive, name, content, private=name.endswith(".pem"))
    return manifest


def unpack_backup(path: Path, scratch: Path) -> tuple[dict[str, Any], dict[str, Path]]:
    """The manifest of an archive, and its files unpacked under `scratch` (member by
    member, each checked against its SHA-256 as it is copied: memory does not grow
    with the archive)."""
    manifest: dict[str, Any] | None = None
    located: dict[str, Path] = {}
    digests: dict[str, str] = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                extracted = archive.extractfile(member) if member.isfile() else None
                if extracted is None:
                    continue
                if member.name == MANIFEST:
                    manifest = _manifest(path, extracted.read())
                    continue
                # Stored under a name of our own: a member's name never becomes a path.
                located[member.name] = scratch / str(len(located))
                digests[member.name] = _copy_hashing(extracted, located[member.name])
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {path}: {exc}") from None
    if manifest is None:
        raise BackupError(f"{path} has no readable {MANIFEST}: not a TraceApp backup")
    for name, digest in manifest["files"].items():
        if name not in digests:
            raise BackupError(f"{name} is listed in the manifest but missing from {path}")
        if digests[name] != digest:
            raise BackupError(
                f"{name} does not match its SHA-256 in the manifest: "
                "the archive is damaged or was altered"
            )
    extra = set(digests) - set(manifest["files"])
    if extra:
        raise BackupError(f"{path} holds files the manifest does not list: {sorted(extra)}")
    return manifest, located


def _manifest(path: Path, data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except ValueError:
        raise BackupError(f"{path} has no readable {MANIFEST}: not a TraceApp backup") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{path} is not in format {BACKUP_FORMAT}")
    return manifest


def _copy_hashing(source: IO[bytes], target: Path) -> str:
    digest = hashlib.sha256()
    with target.open("wb") as out:
        while block := source.read(COPY_BLOCK):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def restore_backup(
    engine: Engine, keys_dir: Path, path: Path, progress: Callable[[int], None] | None = None
) -> RestoreSummary:
    """Load the archive into an empty, migrated database (one transaction) and its
    keys into an empty key directory. Refuses anything else. `progress(n)` is
    called after each table is loaded (n tables of `backed_up_tables()`)."""
    with tempfile.TemporaryDirectory(prefix="traceapp-restore-") as scratch:
        manifest, located = unpack_backup(path, Path(scratch))
        return _restore(engine, keys_dir, manifest, located, progress)


def _restore(
    engine: Engine,
    keys_dir: Path,
    manifest: dict[str, Any],
    located: dict[str, Path],
    progress: Callable[[int], None] | None,
) -> RestoreSummary:
    key_files = {
        name.removeprefix("keys/"): file.read_bytes()
        for name, file in located.items()
        if name.startswith("keys/") and name != "keys/jwks.json"
    }
    if (
        key_files
        and (keys_dir / KEY_INDEX).exists()
        and (keys_dir / KEY_INDEX).read_bytes() != key_files.get(KEY_INDEX)
    ):
        raise BackupError(
            f"{keys_dir} already holds other keys: restore into an empty key directory"
        )
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        revisions = _revisions(connection)
        if revisions != manifest["schema_revisions"]:
            raise BackupError(
                f"the database is at schema {revisions or 'none'} but the backup "
                f"is from {manifest['schema_revisions']}: run `traceapp db "
                "upgrade` (to the same version) first"
            )
        for table in backed_up_tables():
            if connection.scalar(select(func.count()).select_from(table)):
                raise BackupError(
                    f"the database is not empty (table {table.name} has rows): "
                    "restore only onto a fresh instance"
                )
        for table in backed_up_tables():
            entry = manifest["tables"].get(table.name)
            if entry is None:
                counts[table.name] = 0
                continue
            counts[table.name] = _load_table(connection, table, located[entry["file"]])
            if counts[table.name] != entry["rows"]:
                raise BackupError(
                    f"{table.name}: {counts[table.name]} rows read, manifest says {entry['rows']}"
                )
            if progress is not None:
                progress(len(counts))
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
    restored = _restore_keys(keys_dir, key_files)
    return RestoreSummary(counts, restored)


def _revisions(connection: Connection) -> list[str]:
    if not inspect(connection).has_table("alembic_version"):
        return []
    return sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))


def _dump_table(connection: Connection, table: Table, target: Path) -> tuple[int, str]:
    """Write the table's rows to `target` as JSON lines; the row count and SHA-256."""
    rows = 0
    digest = hashlib.sha256()
    stmt = select(table).order_by(*table.primary_key.columns)
    with target.open("wb") as out:
        for row in connection.execution_options(yield_per=INSERT_CHUNK).execute(stmt).mappings():
            record = {name: _to_json(value) for name, value in row.items()}
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            digest.update(line)
            out.write(line)
            rows += 1
    return rows, digest.hexdigest()


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        # Naive times come from SQLite, which keeps the UTC the app stored.
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _load_table(connection: Connection, table: Table, data: Path) -> int:
    converters = {column.name: _converter(column.type) for column in table.columns}
    total = 0
    for chunk in _chunks(data):
        rows = [
            {
                name: converters[name](value) if value is not None else None
                for name, value in record.items()
            }
            for record in chunk
        ]
        connection.execute(table.insert(), rows)
        total += len(rows)
    return total


def _chunks(data: Path) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    with data.open("rb") as lines:
        for line in lines:
            if line.strip():
                chunk.append(json.loads(line))
            if len(chunk) >= INSERT_CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _converter(column_type):
    if isinstance(column_type, DateTime):
        return _parse_datetime if column_type.timezone else _parse_naive_datetime
    if isinstance(column_type, Date):
        return date.fromisoformat
    if isinstance(column_type, Numeric):
        return Decimal
    if isinstance(column_type, LargeBinary):
        return base64.b64decode
    return lambda value: value


def _parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _parse_naive_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None)


def _reset_sequences(connection: Connection) -> None:
    # Rows came in with their ids; the sequences must move past them or the next
    # insert collides.
    for table in Base.metadata.sorted_tables:
        for column in table.primary_key.columns:
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            )
            if sequence is None:
                continue
            highest = connection.scalar(select(func.max(column)))
            if highest is None:
                connection.execute(text("SELECT setval(:s, 1, false)"), {"s": sequence})
            else:
                connection.execute(
                    text("SELECT setval(:s, :v, true)"), {"s": sequence, "v": highest}
                )


def _key_files(keys_dir: Path, issuer: str, include_private: bool) -> dict[str, bytes]:
    from keys.keystore import KeyStore

    files: dict[str, bytes] = {}
    index = keys_dir / KEY_INDEX
    if not index.exists():
        return files
    files[f"keys/{KEY_INDEX}"] = index.read_bytes()
    files["keys/jwks.json"] = KeyStore(keys_dir).public_keyset(issuer).to_json().encode("utf-8")
    if include_private:
        for pem in sorted(keys_dir.glob("*.pem")):
            files[f"keys/{pem.name}"] = pem.read_bytes()
    return files


def _restore_keys(keys_dir: Path, key_files: dict[str, bytes]) -> list[str]:
    if not key_files:
        return []
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = []
    for name, data in sorted(key_files.items()):
        target = keys_dir / Path(name).name
        if target.exists():
            continue
        target.write_bytes(data)
        target.chmod(0o600)
        written.append(target.name)
    return written


def _add(
    archive: tarfile.TarFile,
    name: str,
    data: bytes | IO[bytes],
    *,
    size: int | None = None,
    private: bool = False,
) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data) if isinstance(data, bytes) else (size or 0)
    info.mode = 0o600 if private else 0o644
    info.mtime = int(utcnow().timestamp())
    archive.addfile(info, io.BytesIO(data) if isinstance(data, bytes) else data)
