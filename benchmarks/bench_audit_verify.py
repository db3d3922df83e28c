"""`audit verify` on a long log: a full verify against one after a new checkpoint,
which starts from the last verified checkpoint (issue 18).

Builds a log of ENTRIES entries (sign-ins, as a real log is mostly made of), a few
batches with labels, signs a checkpoint, verifies the whole log and records the
verification; then appends NEW entries, signs another checkpoint and verifies
again. Prints both times and their ratio; the second should grow with NEW, not
with ENTRIES.

    .venv/bin/python benchmarks/bench_audit_verify.py [--entries 200000] [--new 1000]
        [--database URL]   (default: a temporary SQLite file)  [--smoke]

--smoke builds 2,000 entries and adds 100: the size .ci/run uses to keep the script
working.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keys.keystore import KeyStore  # noqa: E402
from keys.log_proof import GENESIS_HASH, entry_hash  # noqa: E402
from tests.factories import Factory  # noqa: E402
from traceapp import schema  # noqa: E402
from traceapp.db import make_engine, make_sessionmaker, unit_of_work  # noqa: E402
from traceapp.domain.audit_log import append_on, timestamp_text  # noqa: E402
from traceapp.domain.audit_verification import record_verification, verify_records  # noqa: E402
from traceapp.domain.checkpoints import create_checkpoint  # noqa: E402
from traceapp.domain.issuance import issue_labels  # noqa: E402
from traceapp.models import AuditEntry  # noqa: E402
from traceapp.models._columns import utcnow  # noqa: E402

ISSUER = "VN-CB-LMHTX"
CHUNK = 10_000


def fresh_database(url: str) -> None:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    schema.upgrade(url)


def sign_ins(session, count: int) -> None:
    """`count` user.signed_in entries, chained, written in bulk with explicit ids."""
    table = AuditEntry.__table__
    head = session.execute(
        select(table.c.id, table.c.entry_hash).order_by(table.c.id.desc()).limit(1)
    ).first()
    next_id, previous = (head.id + 1, head.entry_hash) if head else (1, GENESIS_HASH)
    at = utcnow().replace(microsecond=0)
    at_text = timestamp_text(at)
    rows = []
    for n in range(count):
        actor = f"user{n % 50}@htx.vn"
        digest = entry_hash(previous, at_text, actor, "user.signed_in", "user", "1", "{}")
        rows.append(
            {
                "id": next_id + n,
                "occurred_at": at,
                "actor": actor,
                "action": "user.signed_in",
                "subject_type": "user",
                "subject_id": "1",
                "details": "{}",
                "previous_hash": previous,
                "entry_hash": digest,
            }
        )
        previous = digest
        if len(rows) == CHUNK:
            session.execute(insert(table), rows)
            rows.clear()
    if rows:
        session.execute(insert(table), rows)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('audit_entries', 'id'), :n)"),
            {"n": next_id + count - 1},
        )


def timed_verify(factory, keyset, *, full: bool):
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        report = verify_records(session, keyset, full=full)
        assert report.clean, report.findings[:5]
        record_verification(session, report, "benchmark")
    return report, time.perf_counter() - started


def checkpoint(factory, store: KeyStore) -> None:
    kid, private_key = store.active_private_key()
    with unit_of_work(factory) as session:
        create_checkpoint(session, ISSUER, kid, private_key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--database", help="database URL (default: temporary SQLite)")
    parser.add_argument("--smoke", action="store_true", help="2,000 entries, 100 new (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.entries, args.new = 2_000, 100

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/bench.db"
        fresh_database(url)
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        store = KeyStore(Path(tmp) / "keys", b"benchmark-passphrase")
        store.generate()
        signer = store.active_signer(ISSUER, "https://trace.caobang.vn")
        keyset = store.public_keyset(ISSUER)

        started = time.perf_counter()
        with unit_of_work(factory) as session:
            batches = [Factory(session).batch(quantity=1000, certified=True) for _ in range(5)]
            for batch in batches:
                issue_labels(session, batch.id, 1000, signer, "benchmark")
            sign_ins(session, args.entries)
        checkpoint(factory, store)
        print(f"log of {args.entries:,} entries built in {time.perf_counter() - started:.1f} s")

        full, full_seconds = timed_verify(factory, keyset, full=True)
        print(
            f"full verify:                  {full_seconds:8.2f} s  "
            f"({full.entries:,} entries, {full.labels:,} labels)"
        )
        with unit_of_work(factory) as session:
            append_on(
                session.connection(),
                "benchmark",
                [("user.signed_in", "user", "1", {}) for _ in range(args.new)],
            )
            total = session.scalar(select(func.count()).select_from(AuditEntry))
        checkpoint(factory, store)
        since, since_seconds = timed_verify(factory, keyset, full=False)
        print(
            f"verify after a new checkpoint: {since_seconds:7.2f} s  "
            f"({since.entries:,} entries since checkpoint {since.since_checkpoint}, "
            f"{since.labels:,} labels; log now {total:,} entries)"
        )
        print(f"ratio full / after checkpoint: {full_seconds / since_seconds:6.1f}x")
        engine.dispose()


if __name__ == "__main__":
    main()
