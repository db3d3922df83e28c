"""API fixtures: the same world as the console tests."""

from tests.console.conftest import shared_keys_dir, test_settings, world  # noqa: F401
