"""`traceapp verify` answers without Flask or SQLAlchemy (traceapp/launcher.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.keyset import KeyStatus, PublicKey, PublicKeySet
from keys.signing import CodeSigner

REPO_ROOT = Path(__file__).resolve().parents[1]
# The `traceapp` console script, with Flask, SQLAlchemy and the web app unimportable.
LAUNCH = (
    "import sys; sys.argv = ['traceapp'] + sys.argv[1:]; "
    "sys.modules['flask'] = sys.modules['sqlalchemy'] = sys.modules['traceapp.web'] = None; "
    "from traceapp.launcher import main; main()"
)


def _label_and_keys(tmp_path: Path) -> tuple[str, Path]:
    private = Ed25519PrivateKey.generate()
    code = CodeSigner(private, "7K", "VN-CB-LMHTX", "https://trace.caobang.vn").sign(
        gtin="9506000134352", lot="BH-2025.03_A", serial="7Q2MX9KD4RTZ"
    )
    keyset = PublicKeySet(
        "VN-CB-LMHTX",
        [PublicKey("7K", private.public_key(), KeyStatus.ACTIVE, "2026-01-01T00:00:00Z")],
    )
    keys = tmp_path / "keys.json"
    keys.write_text(keyset.to_json())
    return code, keys


def _traceapp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_traceapp_verify_needs_neither_flask_nor_sqlalchemy(tmp_path: Path) -> None:
    code, keys = _label_and_keys(tmp_path)
    completed = _traceapp("verify", code, "--keys", str(keys))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Verdict:  GENUINE")


def test_traceapp_verify_exit_code_names_the_verdict(tmp_path: Path) -> None:
    code, keys = _label_and_keys(tmp_path)
    completed = _traceapp(
        "verify", code.replace("7Q2MX9KD4RTZ", "7Q2MX9KD4RTY"), "--keys", str(keys)
    )
    assert (completed.returncode, completed.stdout.splitlines()[0]) == (
        4,
        "Verdict:  NOT GENUINE: TAMPERED",
    )
