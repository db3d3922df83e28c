"""The key passphrase checked before anything depends on it, key commands on the
configured key store, and the PBKDF2 work factor of private keys."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess

import pytest
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
)

from keys.keystore import KeyStore
from keys.pkcs8 import PBKDF2_ROUNDS
from tests.conftest import lose_the_key_index
from tests.trust.conftest import TRACEAPP
from traceapp.config import ConfigError
from traceapp.domain.accounts import create_user
from traceapp.domain.signing_keys import key_store

TEST_CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": False}
WRONG = "not-the-passphrase-at-all"


def key_files(keys_dir) -> list[str]:
    return sorted(p.name for p in keys_dir.glob("*.pem"))


def pbkdf2_rounds(pem_path) -> int:
    """The iteration count as OpenSSL itself reads it from the file."""
    parsed = subprocess.run(
        ["openssl", "asn1parse", "-in", str(pem_path)], capture_output=True, text=True, check=True
    ).stdout
    lines = parsed.splitlines()
    at = next(i for i, line in enumerate(lines) if line.endswith(":PBKDF2"))
    integer = next(line for line in lines[at:] if "prim: INTEGER" in line)
    return int(integer.rsplit(":", 1)[1], 16)


# --- item 15: the PBKDF2 work factor ---------------------------------------------------------


def test_new_private_keys_use_600000_pbkdf2_rounds(keystore, test_settings):
    pem = test_settings.keys_dir / f"{keystore.active().kid}.pem"

    assert PBKDF2_ROUNDS == 600_000
    assert pbkdf2_rounds(pem) == 600_000


def test_new_private_keys_open_with_openssl_and_the_passphrase(keystore, test_settings):
    pem = test_settings.keys_dir / f"{keystore.active().kid}.pem"

    opened = subprocess.run(
        ["openssl", "pkey", "-in", str(pem), "-passin", "env:PASS", "-noout"],
        env={**os.environ, "PASS": test_settings.key_passphrase},
        capture_output=True,
    )

    assert opened.returncode == 0, opened.stderr


def test_keys_written_with_the_old_2048_rounds_stay_readable(keystore, test_settings):
    kid, private_key = keystore.active_private_key()
    pem = test_settings.keys_dir / f"{kid}.pem"
    old = private_key.private_bytes(
        Encoding.PEM,
        PrivateFormat.PKCS8,
        BestAvailableEncryption(test_settings.key_passphrase.encode()),
    )
    pem.write_bytes(old)
    assert pbkdf2_rounds(pem) == 2048

    again = KeyStore(test_settings.keys_dir, test_settings.key_passphrase.encode())

    assert again.active_private_key()[0] == kid


# --- item 7: a wrong passphrase -------------------------------------------------------------


def test_app_refuses_to_start_when_the_passphrase_does_not_open_the_active_key(
    make_app, keystore, test_settings, session_factory
):
    wrong = dataclasses.replace(test_settings, key_passphrase=WRONG)

    with pytest.raises(ConfigError, match="TRACEAPP_KEY_PASSPHRASE"):
        make_app(wrong, TEST_CONFIG, session_factory=session_factory)


def test_app_starts_without_keys_and_with_the_right_passphrase(
    make_app, keystore, test_settings, session_factory
):
    make_app(test_settings, TEST_CONFIG, session_factory=session_factory)
    no_keys = dataclasses.replace(test_settings, keys_dir=test_settings.instance_dir / "none")
    make_app(no_keys, TEST_CONFIG, session_factory=session_factory)


@pytest.mark.parametrize("what", ["index file", "key directory"])
def test_app_refuses_to_start_in_production_when_labels_exist_but_the_key_store_is_missing(
    make_app, issued, test_settings, session_factory, what
):
    lose_the_key_index(test_settings.keys_dir, what)
    production = dataclasses.replace(test_settings, env="production")

    with pytest.raises(ConfigError, match="TRACEAPP_KEYS_DIR"):
        make_app(production, TEST_CONFIG, session_factory=session_factory)


def test_app_starts_in_production_with_no_key_store_while_no_label_is_issued(
    make_app, test_settings, session_factory
):
    production = dataclasses.replace(test_settings, env="production")

    client = make_app(production, TEST_CONFIG, session_factory=session_factory).test_client()

    assert client.get("/keys.json").get_json()["keys"] == []


def test_serve_refuses_to_start_with_a_wrong_passphrase(keystore, cli_env):
    result = subprocess.run(
        [TRACEAPP, "serve", "--port", "5999"],
        env={**cli_env, "TRACEAPP_KEY_PASSPHRASE": WRONG},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "TRACEAPP_KEY_PASSPHRASE" in result.stderr
    assert "Traceback" not in result.stderr


def test_rotate_with_a_wrong_passphrase_keeps_the_good_key(keystore, test_settings):
    before = (keystore.list(), key_files(test_settings.keys_dir))
    wrong = KeyStore(test_settings.keys_dir, WRONG.encode())

    with pytest.raises(Exception, match="cannot decrypt key"):
        wrong.rotate()

    assert (keystore.list(), key_files(test_settings.keys_dir)) == before


def test_console_rotate_with_a_wrong_passphrase_is_refused_and_keeps_the_good_key(
    make_app, keystore, test_settings, session_factory, db_session
):
    create_user(
        db_session,
        "can.bo@lienminh-caobang.vn",
        "Hoàng Thị Mai",
        "can-bo-lien-minh-2026",
        "union_officer",
        "test",
    )
    db_session.commit()
    before = (keystore.list(), key_files(test_settings.keys_dir))
    wrong = dataclasses.replace(test_settings, key_passphrase=WRONG)
    # As if the start check had been skipped: every key operation must still refuse.
    client = make_app(
        wrong, TEST_CONFIG, session_factory=session_factory, check_keys=False
    ).test_client()
    client.post(
        "/console/sign-in",
        data={"email": "can.bo@lienminh-caobang.vn", "password": "can-bo-lien-minh-2026"},
    )

    response = client.post("/console/keys/rotate")

    assert response.status_code == 409
    assert "TRACEAPP_KEY_PASSPHRASE" in response.get_data(as_text=True)  # named in any language
    assert (keystore.list(), key_files(test_settings.keys_dir)) == before


def test_cli_rotate_with_a_wrong_passphrase_exits_2_and_keeps_the_good_key(
    run_cli, keystore, test_settings, committed_engine
):
    before = (keystore.list(), key_files(test_settings.keys_dir))
    wrong = dataclasses.replace(test_settings, key_passphrase=WRONG)

    result = run_cli("keys", "rotate", settings=wrong)

    assert result.exit_code == 2
    assert "cannot decrypt key" in result.output
    assert (keystore.list(), key_files(test_settings.keys_dir)) == before


# --- item 8: the configured key store -------------------------------------------------------


def test_key_commands_use_the_instance_directory(keystore, cli_env, tmp_path):
    env = {k: v for k, v in cli_env.items() if k != "TRACEAPP_KEYS_DIR"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    listed = subprocess.run(
        [TRACEAPP, "keys", "list"], env=env, cwd=elsewhere, capture_output=True, text=True
    )
    exported = subprocess.run(
        [TRACEAPP, "keys", "export-jwks"], env=env, cwd=elsewhere, capture_output=True, text=True
    )

    kid = keystore.active().kid
    assert listed.returncode == 0 and kid in listed.stdout, listed.stderr
    assert exported.returncode == 0, exported.stderr
    assert [key["kid"] for key in json.loads(exported.stdout)["keys"]] == [kid]


def test_export_jwks_with_no_key_exits_2_and_writes_nothing(run_cli, test_settings, tmp_path):
    out = tmp_path / "jwks.json"

    result = run_cli("keys", "export-jwks", "--out", str(out))

    assert result.exit_code == 2
    assert "no keys" in result.output
    assert not out.exists()


def test_generate_on_an_unmigrated_database_writes_no_key(
    run_cli, test_settings, empty_database_url
):
    unmigrated = dataclasses.replace(test_settings, database_url=empty_database_url)

    result = run_cli("keys", "generate", settings=unmigrated)

    assert result.exit_code == 2
    assert "traceapp db upgrade" in result.output
    assert key_store(unmigrated).list() == []
    assert key_files(test_settings.keys_dir) == []
