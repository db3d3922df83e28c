"""`traceapp verify` against `python -m keys verify`: one offline check, as a new process.

An inspector checks codes one after the other on a laptop; each is a new process, so
start-up is the cost. `traceapp verify` goes straight to keys.cli (traceapp/launcher.py)
without Flask or SQLAlchemy; before, it built the whole app (about 2.4 s against
0.24 s). Prints the median wall time of each, with and without --bundle, and their
ratio to `python -m keys verify` (the baseline, measured in the same run), plus the
full command group (`traceapp --help`) for comparison.

    .venv/bin/python benchmarks/bench_cli_verify.py [--runs 7] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from keys.keyset import KeyStatus, PublicKey, PublicKeySet  # noqa: E402
from keys.signing import CodeSigner  # noqa: E402
from keys.statements import sign_statement  # noqa: E402

ISSUER = "VN-CB-LMHTX"
BIN = Path(sys.executable).parent


def files(directory: Path) -> tuple[str, Path, Path]:
    private = Ed25519PrivateKey.generate()
    signer = CodeSigner(private, "7K", ISSUER, "https://trace.caobang.vn")
    code = signer.sign(gtin="9506000134352", lot="BH-2025.03_A", serial="7Q2MX9KD4RTZ")
    keyset = PublicKeySet(
        ISSUER, [PublicKey("7K", private.public_key(), KeyStatus.ACTIVE, "2026-01-01T00:00:00Z")]
    )
    keys = directory / "keys.json"
    keys.write_text(keyset.to_json())
    bundle = {
        "format": "traceapp-offline-bundle/2",
        "issuer": ISSUER,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "timezone": "Asia/Ho_Chi_Minh",
        "region": {"province": "Cao Bằng", "commune": None},
        "keys": keyset.to_dict(),
        "batches": [
            {
                "gtin": "09506000134352",
                "product_ref": None,
                "lot": "BH-2025.03_A",
                "status": "certified",
                "certifications": [{"valid_from": "2020-01-01", "valid_to": "2099-12-31"}],
                "voided_serials": [],
            }
        ],
    }
    bundle_path = directory / "bundle.json"
    bundle_path.write_text(json.dumps(sign_statement(bundle, private, "7K")))
    return code, keys, bundle_path


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        if completed.returncode not in (0,):
            raise SystemExit(f"{command[:3]} exited {completed.returncode}: {completed.stderr!r}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="2 runs each (CI)")
    args = parser.parse_args()
    runs = 2 if args.smoke else args.runs
    with tempfile.TemporaryDirectory() as tmp:
        code, keys, bundle = files(Path(tmp))
        plain = ["verify", code, "--keys", str(keys)]
        cases = {
            "python -m keys verify": [sys.executable, "-m", "keys", *plain],
            "traceapp verify": [str(BIN / "traceapp"), *plain],
            "traceapp verify --bundle": [str(BIN / "traceapp"), *plain, "--bundle", str(bundle)],
            "traceapp --help (whole app)": [str(BIN / "traceapp"), "--help"],
        }
        results = {name: median_seconds(command, runs) for name, command in cases.items()}
    baseline = results["python -m keys verify"]
    print(f"median of {runs} runs, one new process each")
    for name, seconds in results.items():
        print(f"  {name:<30} {seconds * 1000:7.0f} ms   x{seconds / baseline:.2f} of baseline")


if __name__ == "__main__":
    main()
