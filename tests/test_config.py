"""Configuration comes from the environment, with safe defaults."""

from __future__ import annotations

import pytest

from traceapp import create_app
from traceapp.config import ConfigError, Settings


def test_defaults_use_sqlite_under_instance(tmp_path):
    settings = Settings.from_env({"TRACEAPP_INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'traceapp.db'}"
    assert settings.keys_dir == tmp_path / "keys"


def test_production_refuses_the_default_secret_key():
    settings = Settings.from_env({"TRACEAPP_ENV": "production",
                                  "TRACEAPP_KEY_PASSPHRASE": "long and secret",
                                  "TRACEAPP_PUBLIC_BASE_URL": "https://trace.caobang.vn"})
    with pytest.raises(ConfigError, match="TRACEAPP_SECRET_KEY"):
        create_app(settings)


def test_production_accepts_real_secrets():
    settings = Settings.from_env({"TRACEAPP_ENV": "production",
                                  "TRACEAPP_SECRET_KEY": "s3cret-from-vault",
                                  "TRACEAPP_KEY_PASSPHRASE": "long and secret",
                                  "TRACEAPP_PUBLIC_BASE_URL": "https://trace.caobang.vn/"})
    app = create_app(settings)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert settings.public_base_url == "https://trace.caobang.vn"
