"""Inspectors' app fixtures: the console's test world (its key store and users)."""

from __future__ import annotations

from tests.console.conftest import shared_keys_dir, test_settings, world  # noqa: F401
