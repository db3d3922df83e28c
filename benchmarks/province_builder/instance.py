"""The TraceApp instance a province belongs to: its database, its key directory,
and the TRACEAPP_* settings under which the app, the CLI and the builder see it."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from keys.keystore import KeyStore
from traceapp.config import Settings
from traceapp.db import make_engine

ISSUER = "VN-CB-LMHTX"
PUBLIC_BASE_URL = "https://trace.example.vn"
KEY_PASSPHRASE = "province-benchmark"
# COMMENT ON DATABASE marks a database this builder created (and so may rebuild).
MARKER = "traceapp-province"


class NotOurs(Exception):
    """The database holds data this builder did not put there."""


@dataclass(frozen=True)
class Instance:
    database_url: str
    instance_dir: Path

    @classmethod
    def for_database(cls, database_url: str, instance_dir: Path | None = None) -> Instance:
        """By default the key directory lives beside other temporary files, one per
        database, so a later run finds the key the province's labels were signed with."""
        name = make_url(database_url).database or "province"
        default = Path(tempfile.gettempdir()) / f"traceapp-province-{name}"
        return cls(database_url, (instance_dir or default).resolve())

    @property
    def name(self) -> str:
        return make_url(self.database_url).database or ""

    @property
    def keys_dir(self) -> Path:
        return self.instance_dir / "keys"

    def env(self) -> dict[str, str]:
        return {
            "TRACEAPP_ENV": "benchmark",
            "TRACEAPP_DATABASE_URL": self.database_url,
            "TRACEAPP_INSTANCE_DIR": str(self.instance_dir),
            "TRACEAPP_KEYS_DIR": str(self.keys_dir),
            "TRACEAPP_KEY_PASSPHRASE": KEY_PASSPHRASE,
            "TRACEAPP_ISSUER": ISSUER,
            "TRACEAPP_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        }

    def settings(self) -> Settings:
        return Settings.from_env(self.env())

    def key_store(self) -> KeyStore:
        return KeyStore(self.keys_dir, KEY_PASSPHRASE.encode())

    def driver_url(self) -> str:
        """The URL as psycopg takes it (no SQLAlchemy driver name)."""
        return make_url(self.database_url).set(drivername="postgresql").render_as_string(False)

    def marker(self) -> str | None:
        """The database's comment if this builder made it, None if it does not exist."""
        with _admin(self.database_url) as admin:
            row = admin.execute(
                text(
                    "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
                    "FROM pg_database WHERE datname = :name"
                ),
                {"name": self.name},
            ).first()
        return None if row is None else row[0]

    def mark(self, comment: str) -> None:
        with _admin(self.database_url) as admin:
            admin.execute(text(f"COMMENT ON DATABASE \"{self.name}\" IS '{MARKER} {comment}'"))

    def prepare(self) -> None:
        """An empty database to build in: created if missing, dropped and created again
        if this builder made it, used as it is if it has no tables; else NotOurs."""
        comment = self.marker()
        with _admin(self.database_url) as admin:
            if comment is not None and comment.startswith(MARKER):
                admin.execute(text(f'DROP DATABASE "{self.name}" WITH (FORCE)'))
                comment = None
            if comment is None:
                admin.execute(text(f'CREATE DATABASE "{self.name}"'))
        if comment is not None and self._has_tables():
            raise NotOurs(
                f"database {self.name} already holds tables this builder did not create; "
                "name an empty or new database with --database-url"
            )
        self.mark("building")

    def _has_tables(self) -> bool:
        engine = make_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return bool(
                    connection.scalar(
                        text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                    )
                )
        finally:
            engine.dispose()


class _admin:
    """An autocommit connection to the server's `postgres` database."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url).set(database="postgres")
        self._engine = make_engine(url.render_as_string(False), isolation_level="AUTOCOMMIT")

    def __enter__(self):
        self._connection = self._engine.connect()
        return self._connection

    def __exit__(self, *_exc: object) -> None:
        self._connection.close()
        self._engine.dispose()
