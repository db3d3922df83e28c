"""Labels issued per second (signed and committed) on SQLite and PostgreSQL, next to
the raw Ed25519 signing rate measured in the same run.

Target (issue 4): 100,000 labels in under 10 s, i.e. at least half the raw rate.

    .venv/bin/python benchmarks/bench_issuance.py [--count 100000] [--postgres URL] [--smoke]

--smoke issues 2,000 labels: the size .ci/run uses to keep the script working.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keys.keystore import KeyStore  # noqa: E402
from tests.factories import Factory  # noqa: E402
from traceapp import schema  # noqa: E402
from traceapp.db import make_engine, make_sessionmaker, unit_of_work  # noqa: E402
from traceapp.domain.issuance import issue_labels  # noqa: E402

BASE_URL = "https://trace.caobang.vn"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_issuance"


def raw_signing_rate(count: int) -> float:
    key = Ed25519PrivateKey.generate()
    message = b"1|VN-CB-LMHTX|A1|01|08936001000010|BH-2611-01|7K3QH9M2XW4P"
    started = time.perf_counter()
    for _ in range(count):
        key.sign(message)
    return count / (time.perf_counter() - started)


def issuance_rate(url: str, count: int, signer) -> float:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    schema.upgrade(url)
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as session:
        batch_id = Factory(session).batch(quantity=count, certified=True).id
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        issue_labels(session, batch_id, count, signer, "benchmark")
    elapsed = time.perf_counter() - started
    engine.dispose()
    return count / elapsed


def ensure_database(url: str) -> None:
    admin = make_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--smoke", action="store_true", help="2,000 labels (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.count = 2_000

    with tempfile.TemporaryDirectory() as tmp:
        store = KeyStore(Path(tmp) / "keys", b"benchmark-passphrase")
        store.generate()
        signer = store.active_signer("VN-CB-LMHTX", BASE_URL)

        raw = raw_signing_rate(args.count)
        print(f"raw Ed25519 signing:      {raw:>10,.0f} signatures/s")
        sqlite = issuance_rate(f"sqlite:///{tmp}/bench.db", args.count, signer)
        print(
            f"issuance on SQLite:       {sqlite:>10,.0f} labels/s  "
            f"({args.count / sqlite:.2f} s for {args.count:,}; {sqlite / raw:.0%} of raw)"
        )
        ensure_database(args.postgres)
        postgres = issuance_rate(args.postgres, args.count, signer)
        print(
            f"issuance on PostgreSQL:   {postgres:>10,.0f} labels/s  "
            f"({args.count / postgres:.2f} s for {args.count:,}; {postgres / raw:.0%} of raw)"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory:     {peak_mb:>10,.0f} MB")


if __name__ == "__main__":
    main()
