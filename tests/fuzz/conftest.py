"""Fuzz fixtures: the same world as the console and API tests."""

from tests.console.conftest import shared_keys_dir, test_settings, world  # noqa: F401
