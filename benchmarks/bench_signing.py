"""Signing throughput: raw Ed25519 signatures/s against CodeSigner.sign_many URIs/s,
and checking: cryptography's (OpenSSL) Ed25519 check against PublicKey.verifies (libsodium).

Run from the repository root:  .venv/bin/python benchmarks/bench_signing.py [COUNT | --smoke]
(--smoke: 2,000 codes, the size .ci/run uses)

Both are timed over the same COUNT codes (default 100,000). They are interleaved in
10 rounds, so a load change on the machine affects both alike. The best round of
each is printed as well, as the figure least disturbed by other processes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from keys.keyset import KeyStatus, PublicKey  # noqa: E402
from keys.signing import CodeSigner, new_serials, signing_payload  # noqa: E402

ISSUER = "VN-CB-LMHTX"
BASE_URL = "https://trace.caobang.vn"
GTIN = "09506000134352"
LOT = "BH-2025.03_A"
ROUNDS = 10


def _time_raw(key: Ed25519PrivateKey, payloads: list[bytes]) -> float:
    sign = key.sign
    started = time.perf_counter()
    for payload in payloads:
        sign(payload)
    return time.perf_counter() - started


def _time_codes(signer: CodeSigner, serials: list[str]) -> float:
    started = time.perf_counter()
    for _ in signer.sign_many(gtin=GTIN, lot=LOT, serials=serials):
        pass
    return time.perf_counter() - started


def _time_checks(check, signed: list[tuple[bytes, bytes]]) -> float:
    started = time.perf_counter()
    for payload, signature in signed:
        check(signature, payload)
    return time.perf_counter() - started


def _line(name: str, count: int, total: float, best: float, per_round: int) -> str:
    return (
        f"{name:<22}{count / total:>10,.0f}/s over {total:.2f} s"
        f"   (best round {per_round / best:,.0f}/s)"
    )


def main(count: int = 100_000) -> None:
    """Time `count` raw signatures and `count` full codes, and print both rates."""
    key = Ed25519PrivateKey.generate()
    signer = CodeSigner(key, "7K", ISSUER, BASE_URL)

    started = time.perf_counter()
    serials = new_serials(count)
    serial_seconds = time.perf_counter() - started
    payloads = [signing_payload(ISSUER, gtin=GTIN, lot=LOT, serial=s, key_id="7K") for s in serials]

    per_round = count // ROUNDS
    raw_times, code_times = [], []
    for start in range(0, per_round * ROUNDS, per_round):
        raw_times.append(_time_raw(key, payloads[start : start + per_round]))
        code_times.append(_time_codes(signer, serials[start : start + per_round]))
    done = per_round * ROUNDS
    example = next(signer.sign_many(gtin=GTIN, lot=LOT, serials=serials[:1]))[1]

    print(f"{done:,} codes of {len(example)} characters, {ROUNDS} interleaved rounds")
    print(f"{'new_serials':<22}{count / serial_seconds:>10,.0f}/s over {serial_seconds:.2f} s")
    print(_line("raw Ed25519 sign", done, sum(raw_times), min(raw_times), per_round))
    print(_line("CodeSigner.sign_many", done, sum(code_times), min(code_times), per_round))
    print(
        f"sign_many / raw:      {sum(raw_times) / sum(code_times):.2f} overall, "
        f"{min(raw_times) / min(code_times):.2f} best rounds"
    )

    # The page checks one signature per scan: the library that checks faster serves it.
    signed = [(payload, key.sign(payload)) for payload in payloads[: per_round // 5]]
    public = PublicKey("7K", key.public_key(), KeyStatus.ACTIVE, "2026-01-01")
    openssl_times, sodium_times = [], []
    for _ in range(ROUNDS):
        openssl_times.append(_time_checks(public.public_key.verify, signed))
        sodium_times.append(_time_checks(public.verifies, signed))
    checks = len(signed) * ROUNDS
    print(_line("check, cryptography", checks, sum(openssl_times), min(openssl_times), len(signed)))
    print(_line("check, PyNaCl", checks, sum(sodium_times), min(sodium_times), len(signed)))
    print(f"PyNaCl / cryptography: {sum(openssl_times) / sum(sodium_times):.2f}x the checks/s")


if __name__ == "__main__":
    argument = sys.argv[1] if len(sys.argv) > 1 else "100000"
    main(2_000 if argument == "--smoke" else int(argument))
