"""Fixtures for the trust tests: a key store, the CLI in-process and as a real
subprocess, and a second, fresh database to restore backups onto."""

from __future__ import annotations

import os
import sys
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
