"""Fixtures for the trust tests: a key store, the CLI in-process and as a real
subprocess, and a second, fresh database to restore backups onto."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

TRACEAPP = str(Path(sys.executable).with_name("traceapp"))


@pytest.fixture
def cli_env(test_settings) -> dict[str, str]:
    """Environment for `traceapp` in a real subprocess, on the test database and keys."""
    return {
        **os.environ,
        "TRACEAPP_DATABASE_URL": test_settings.database_url,
        "TRACEAPP_KEYS_DIR": str(test_settings.keys_dir),
        "TRACEAPP_KEY_PASSPHRASE": test_settings.key_passphrase,
        "TRACEAPP_PUBLIC_BASE_URL": test_settings.public_base_url,
        "TRACEAPP_INSTANCE_DIR": str(test_settings.instance_dir),
        "TRACEAPP_ENV": "testing",
    }


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
