"""Fixtures for the trust tests: a key store, the CLI in-process and as a real
subprocess, and a second, fresh database to restore backups onto."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from traceapp import schema
from traceapp.db import make_engine

TRACEAPP = str(Path(sys.executable).with_name("traceapp"))


@pytest.fixture
def cli_env(test_settings) -> dict[str, str]:
    """Environment for `traceapp` in a real subprocess, on the test database and keys."""
    return {**os.environ, "TRACEAPP_DATABASE_URL": test_settings.database_url,
            "TRACEAPP_KEYS_DIR": str(test_settings.keys_dir),
            "TRACEAPP_KEY_PASSPHRASE": test_settings.key_passphrase,
            "TRACEAPP_PUBLIC_BASE_URL": test_settings.public_base_url,
            "TRACEAPP_INSTANCE_DIR": str(test_settings.instance_dir),
            "TRACEAPP_ENV": "testing"}


@pytest.fixture
def fresh_database_url(database_url, tmp_path) -> str:
    """A second database, migrated and empty: SQLite in tmp_path, or <test db>_restore
    on the same PostgreSQL server."""
    if not database_url.startswith("postgresql"):
        url = f"sqlite:///{tmp_path / 'restored.db'}"
        schema.upgrade(url)
        return url
    source = make_url(database_url)
    name = f"{source.database}_restore"
    admin = make_engine(source.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                   {"n": name})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = source.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    schema.upgrade(url)
    return url


@pytest.fixture
def redis_url() -> str:
    """Redis at 127.0.0.1:6379; skipped if down, unless TRACEAPP_REQUIRE_REDIS=1."""
    import redis

    url = os.environ.get("TRACEAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("TRACEAPP_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (TRACEAPP_REQUIRE_REDIS=1) but {url} is down: {exc}")
        pytest.skip(f"Redis at {url} is not reachable: {exc}")
    return url


@pytest.fixture
def unique_prefix() -> str:
    return f"traceapp-test-{uuid.uuid4().hex[:8]}"
