"""Value chain in the console: the console's world (two cooperatives, a user per role)."""

from tests.console.conftest import shared_keys_dir, test_settings, world  # noqa: F401
