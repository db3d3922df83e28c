"""Configuration comes from the environment, with safe defaults."""

from __future__ import annotations

import pytest
from flask import request

from traceapp.config import ConfigError, Settings


def test_defaults_use_sqlite_under_instance(tmp_path):
    settings = Settings.from_env({"TRACEAPP_INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'traceapp.db'}"
    assert settings.keys_dir == tmp_path / "keys"


def test_production_refuses_the_default_secret_key(make_app):
    settings = Settings.from_env(
        {
            "TRACEAPP_ENV": "production",
            "TRACEAPP_KEY_PASSPHRASE": "long and secret",
            "TRACEAPP_PUBLIC_BASE_URL": "https://trace.caobang.vn",
        }
    )
    with pytest.raises(ConfigError, match="TRACEAPP_SECRET_KEY"):
        make_app(settings)


def test_production_accepts_real_secrets(make_app):
    settings = Settings.from_env(
        {
            "TRACEAPP_ENV": "production",
            "TRACEAPP_SECRET_KEY": "s3cret-from-vault",
            "TRACEAPP_KEY_PASSPHRASE": "long and secret",
            "TRACEAPP_PUBLIC_BASE_URL": "https://trace.caobang.vn/",
        }
    )
    app = make_app(settings)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert settings.public_base_url == "https://trace.caobang.vn"


def test_behind_one_proxy_the_client_address_comes_from_x_forwarded_for(make_app, tmp_path):
    settings = Settings.from_env(
        {"TRACEAPP_INSTANCE_DIR": str(tmp_path), "TRACEAPP_PROXY_HOPS": "1"}
    )
    app = make_app(settings)
    app.add_url_rule("/whoami", "whoami", lambda: request.remote_addr)
    response = app.test_client().get(
        "/whoami",
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.get_data(as_text=True) == "203.0.113.7"


def test_proxy_hops_must_be_a_whole_number():
    with pytest.raises(ConfigError, match="TRACEAPP_PROXY_HOPS"):
        Settings.from_env({"TRACEAPP_PROXY_HOPS": "one"})


def test_rate_limits_and_verification_knobs_come_from_the_environment(make_app, tmp_path):
    settings = Settings.from_env(
        {
            "TRACEAPP_INSTANCE_DIR": str(tmp_path),
            "TRACEAPP_RATE_LIMIT_PUBLIC": "10/second;2000/hour",
            "TRACEAPP_RATE_LIMITS": "on",
            "TRACEAPP_SCAN_FLUSH_SECONDS": "1",
            "TRACEAPP_RATE_LIMIT_PUBLIC_PER_CODE": "20/minute",
            "TRACEAPP_VERIFICATION_CACHE_SECONDS": "0",
        }
    )
    app = make_app(settings)

    assert settings.rate_limit_public == "10/second;2000/hour"
    assert settings.scan_flush_seconds == 1 and settings.verification_cache_seconds == 0
    assert settings.rate_limit_public_per_code == "20/minute"
    assert app.config["RATELIMIT_ENABLED"] is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRACEAPP_RATE_LIMIT_PUBLIC", "lots"),
        ("TRACEAPP_SCAN_FLUSH_SECONDS", "soon"),
        ("TRACEAPP_RATE_LIMIT_PUBLIC_PER_CODE", "many"),
        ("TRACEAPP_VERIFICATION_CACHE_SECONDS", "-1"),
    ],
)
def test_a_knob_that_cannot_be_read_stops_the_app_naming_it(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"TRACEAPP_INSTANCE_DIR": str(tmp_path), name: value})
