from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from keys.cli import keys_cli, verify_command
from keys.keyset import PublicKeySet
from keys.keystore import PASSPHRASE_ENV, KeyStore
from keys.signing import new_serials
from tests.keys.conftest import BASE_URL, GTIN, ISSUER, LOT, PASSPHRASE

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(
        env={
            PASSPHRASE_ENV: PASSPHRASE.decode(),
            "TRACEAPP_KEYS_DIR": None,
            "TRACEAPP_ISSUER": None,
        }
    )


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


def _run(runner: CliRunner, *args: str, **kwargs: Any) -> Result:
    return runner.invoke(keys_cli, list(args), catch_exceptions=False, **kwargs)


def _label(keys_dir: Path) -> str:
    signer = KeyStore(keys_dir, PASSPHRASE).active_signer(ISSUER, BASE_URL)
    return signer.sign(gtin=GTIN, lot=LOT, serial=new_serials(1)[0])


def _export(runner: CliRunner, keys_dir: Path, out: Path) -> Path:
    result = _run(runner, "export-jwks", "--keys-dir", str(keys_dir), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize(
    "command", [[], ["generate"], ["list"], ["rotate"], ["revoke"], ["export-jwks"], ["verify"]]
)
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    result = _run(runner, *command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_generate_list_rotate_revoke(runner: CliRunner, keys_dir: Path) -> None:
    result = _run(runner, "generate", "--keys-dir", str(keys_dir))
    assert result.exit_code == 0 and "(active)" in result.output
    first = KeyStore(keys_dir).list()[0].kid

    result = _run(runner, "generate", "--keys-dir", str(keys_dir))
    assert result.exit_code == 1 and "rotate" in result.output

    result = _run(runner, "rotate", "--keys-dir", str(keys_dir))
    assert result.exit_code == 0
    second = KeyStore(keys_dir).active().kid
    assert f"key {second} is now active" in result.output

    result = _run(runner, "revoke", first, "--keys-dir", str(keys_dir))
    assert result.exit_code == 0 and f"revoked key {first}" in result.output
    result = _run(runner, "revoke", "QQ", "--keys-dir", str(keys_dir))
    assert result.exit_code == 1 and "no key 'QQ'" in result.output

    result = _run(runner, "list", "--keys-dir", str(keys_dir))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{first}  revoked") and lines[1].startswith(f"{second}  active")


def test_keys_dir_comes_from_the_environment(runner: CliRunner, keys_dir: Path) -> None:
    result = _run(runner, "generate", env={"TRACEAPP_KEYS_DIR": str(keys_dir)})
    assert result.exit_code == 0
    assert len(KeyStore(keys_dir).list()) == 1


def test_keys_dir_defaults_to_the_instance_directory(runner: CliRunner, tmp_path: Path) -> None:
    result = _run(runner, "generate", env={"TRACEAPP_INSTANCE_DIR": str(tmp_path)})
    assert result.exit_code == 0
    assert len(KeyStore(tmp_path / "keys").list()) == 1


def test_export_jwks_of_an_empty_store_exits_2_and_writes_nothing(
    runner: CliRunner, keys_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "jwks.json"
    result = runner.invoke(
        keys_cli, ["export-jwks", "--keys-dir", str(keys_dir), "--out", str(out)]
    )
    assert result.exit_code == 2 and "no keys" in result.output
    assert not out.exists()


def test_revoking_the_active_key_warns(runner: CliRunner, keys_dir: Path) -> None:
    _run(runner, "generate", "--keys-dir", str(keys_dir))
    kid = KeyStore(keys_dir).active().kid
    result = _run(runner, "revoke", kid, "--keys-dir", str(keys_dir))
    assert result.exit_code == 0 and "no key is active now" in result.stderr


def test_list_of_an_empty_directory(runner: CliRunner, keys_dir: Path) -> None:
    result = _run(runner, "list", "--keys-dir", str(keys_dir))
    assert result.exit_code == 0 and "no keys" in result.output


def test_missing_passphrase_is_a_one_line_error_naming_the_variable(keys_dir: Path) -> None:
    runner = CliRunner(env={PASSPHRASE_ENV: None})
    result = runner.invoke(keys_cli, ["generate", "--keys-dir", str(keys_dir)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: no key passphrase: set {PASSPHRASE_ENV} to the "
        "passphrase that encrypts the signing keys"
    )


def test_export_jwks_to_stdout_and_file(runner: CliRunner, keys_dir: Path, tmp_path: Path) -> None:
    _run(runner, "generate", "--keys-dir", str(keys_dir))
    result = _run(runner, "export-jwks", "--keys-dir", str(keys_dir), "--issuer", "VN-HG-LMHTX")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["issuer"] == "VN-HG-LMHTX" and len(document["keys"]) == 1
    assert "PRIVATE" not in result.output and PASSPHRASE.decode() not in result.output

    out = _export(runner, keys_dir, tmp_path / "jwks.json")
    keyset = PublicKeySet.from_json(out.read_text())
    assert keyset.issuer == "VN-CB-LMHTX"  # the default issuer
    assert keyset.get(KeyStore(keys_dir).active().kid) is not None


def test_export_jwks_to_an_unwritable_place(
    runner: CliRunner, keys_dir: Path, tmp_path: Path
) -> None:
    _run(runner, "generate", "--keys-dir", str(keys_dir))
    result = runner.invoke(
        keys_cli,
        [
            "export-jwks",
            "--keys-dir",
            str(keys_dir),
            "--out",
            str(tmp_path / "missing" / "jwks.json"),
        ],
    )
    assert result.exit_code == 1 and "cannot write" in result.output


def test_verify_verdicts_and_exit_codes(runner: CliRunner, keys_dir: Path, tmp_path: Path) -> None:
    _run(runner, "generate", "--keys-dir", str(keys_dir))
    old = _label(keys_dir)
    old_kid = KeyStore(keys_dir).active().kid
    _run(runner, "rotate", "--keys-dir", str(keys_dir))
    current = _label(keys_dir)
    jwks = _export(runner, keys_dir, tmp_path / "before-revocation.json")

    result = runner.invoke(verify_command, [current, "--keys", str(jwks)])
    assert result.exit_code == 0, result.output
    code_line = current.split("/21/")[1][:12]
    for expected in (
        f"GTIN:     {GTIN}",
        f"Lot:      {LOT}",
        f"Serial:   {code_line}",
        "Verdict:  GENUINE",
        f"Issuer:   {ISSUER}",
    ):
        assert expected in result.output
    assert runner.invoke(verify_command, [old, "--keys", str(jwks)]).exit_code == 0

    tampered = current.replace(f"/10/{LOT}/", "/10/BH-2025.03_B/")
    result = runner.invoke(verify_command, [tampered, "--keys", str(jwks)])
    assert result.exit_code == 4 and "Verdict:  NOT GENUINE: TAMPERED" in result.output

    result = runner.invoke(verify_command, ["not a code", "--keys", str(jwks)])
    assert result.exit_code == 3 and "Verdict:  NOT GENUINE: MALFORMED" in result.output

    unknown = current.replace("8030=1" + current.split("8030=1")[1][:2], "8030=1ZZ")
    result = runner.invoke(verify_command, [unknown, "--keys", str(jwks)])
    assert result.exit_code == 5 and "Verdict:  NOT GENUINE: UNKNOWN KEY" in result.output

    _run(runner, "revoke", old_kid, "--keys-dir", str(keys_dir))
    jwks = _export(runner, keys_dir, tmp_path / "after-revocation.json")
    result = runner.invoke(keys_cli, ["verify", old, "--keys", str(jwks)])
    assert result.exit_code == 7 and "Verdict:  REVOKED KEY" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the key file"),
        ("{not json", "not valid JSON"),
        ('{"issuer": "VN-CB-LMHTX", "keys": [{"kid": "AB"}]}', "only kty OKP"),
        (b"\xff\xfe\x00garbage", "not a valid public key file"),
    ],
)
def test_verify_with_a_bad_key_file_is_a_one_line_usage_error(
    tmp_path: Path, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / "keys.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    result = CliRunner().invoke(verify_command, ["https://x.vn/", "--keys", str(path)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert message in result.output


def test_verify_without_keys_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(verify_command, ["https://x.vn/"])
    assert result.exit_code == 2 and "--keys" in result.output


def test_python_m_keys_verify_works_without_the_service(
    runner: CliRunner, keys_dir: Path, tmp_path: Path
) -> None:
    _run(runner, "generate", "--keys-dir", str(keys_dir))
    label = _label(keys_dir)
    jwks = _export(runner, keys_dir, tmp_path / "jwks.json")
    # `python -m keys`, with flask, sqlalchemy and traceapp made unimportable.
    script = (
        "import sys, runpy; sys.argv = ['keys'] + sys.argv[1:]; "
        "sys.modules['flask'] = sys.modules['sqlalchemy'] = sys.modules['traceapp'] = None; "
        "runpy.run_module('keys', run_name='__main__')"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, "verify", label, "--keys", str(jwks)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Verdict:  GENUINE" in completed.stdout


def test_keys_imports_neither_flask_sqlalchemy_nor_traceapp() -> None:
    script = (
        "import sys, keys.cli, keys.codes, keys.gtin, keys.keyset, keys.keystore, "
        "keys.signing, keys.verify, keys.__main__; "
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'traceapp') if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert completed.stdout.strip() == "[]"
