"""Throughput of the public page through HAProxy with one app node, then two
(PgBouncer in transaction mode, Redis counting limits, a streaming replica for the
figures), in one run; and how far the replica falls behind while the scans pour in.

    .venv/bin/python benchmarks/bench_cluster.py [--seconds 15] [--workers 2]
        [--no-replica] [--smoke]

It creates the database `bench_cluster` on a throwaway PostgreSQL primary with a
hot standby streaming from it (tests/cluster/standby.py; with --no-replica, on the
local PostgreSQL and without a standby), loads the demo data, issues labels, starts
the layout of docs/deploy.md on loopback ports (tests/cluster/harness.py), and
drives it with wrk. Prints requests/s, p50 and p99
for each, the ratio of two nodes to one, and the replica's lag (as the dashboard
shows it) sampled every 0.2 s during each load. On one 2-core machine both nodes
share the same cores, so the ratio shows that the second node costs nothing, not
what a second machine would add (about 2x for this CPU-bound page).

--smoke: 2-second runs (the size .ci/run uses to keep the script working).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from benchmarks.bench_verification import WRK_SCRIPT  # noqa: E402
from tests.cluster.client import issue_codes  # noqa: E402
from tests.cluster.harness import Cluster, missing_tools  # noqa: E402
from tests.cluster.standby import Primary, Standby, replication_refusal  # noqa: E402
from traceapp import schema  # noqa: E402
from traceapp.db import make_engine  # noqa: E402
from traceapp.infrastructure.reporting import LAG_SQL  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
DATABASE = "bench_cluster"
REDIS_URL = "redis://127.0.0.1:6379/11"
LABELS = 200


def fresh_database(server: str) -> str:
    """An empty `bench_cluster` database, migrated, on the server; its URL."""
    admin = make_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    url = f"{server}/{DATABASE}"
    schema.upgrade(url)
    return url


def milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load(url: str, paths_file: Path, seconds: int) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx answers) of one wrk run."""
    script = paths_file.with_suffix(".lua")
    script.write_text(WRK_SCRIPT % paths_file)
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            "8",
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            url + "/",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    p50 = milliseconds(re.search(r"50%\s+([\d.]+\w+)", output)[1])  # type: ignore[index]
    p99 = milliseconds(re.search(r"99%\s+([\d.]+\w+)", output)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, p50, p99, int(errors[1]) if errors else 0


@contextmanager
def lag_samples(standby: Standby | None) -> Iterator[list[float]]:
    """The replica's lag, sampled every 0.2 s while the block runs (none without one)."""
    samples: list[float] = []
    if standby is None:
        yield samples
        return
    done = threading.Event()
    engine = make_engine(standby.url(DATABASE), isolation_level="AUTOCOMMIT")

    def sample() -> None:
        with engine.connect() as connection:
            while not done.is_set():
                samples.append(float(connection.execute(LAG_SQL).scalar_one()))
                time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        yield samples
    finally:
        done.set()
        sampler.join()
        engine.dispose()


def measure(
    args: argparse.Namespace, database_url: str, standby: Standby | None, workdir: Path
) -> tuple[dict[int, tuple[float, float, float, int]], dict[int, list[float]]]:
    """Each layout's wrk figures, and the replica's lag sampled during its load."""
    figures = {}
    lags: dict[int, list[float]] = {}
    codes: list[str] = []
    for nodes in (1, 2):
        replica = {"TRACEAPP_DATABASE_REPLICA_URL": standby.url(DATABASE)} if standby else {}
        cluster = Cluster(
            database_url,
            REDIS_URL,
            workers=args.workers,
            extra_env={
                "TRACEAPP_RATE_LIMIT_PUBLIC": "100000000/minute",
                "TRACEAPP_RATE_LIMIT_PUBLIC_PER_CODE": "100000000/minute",
                **replica,
            },
        )
        try:
            codes = codes or issue_codes(cluster, LABELS, "benchmark")
            if nodes == 2:  # the same key for the second cluster's nodes
                shutil.copytree(workdir / "instance", cluster.workdir / "instance")
            else:
                shutil.copytree(cluster.workdir / "instance", workdir / "instance")
            paths_file = workdir / "paths.txt"
            paths_file.write_text("\n".join(codes) + "\n")
            cluster.start(node_count=nodes)
            load(cluster.url, paths_file, 2)  # warm-up
            with lag_samples(standby) as samples:
                figures[nodes] = load(cluster.url, paths_file, args.seconds)
            lags[nodes] = samples
        finally:
            cluster.stop()
    return figures, lags


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument(
        "--no-replica", action="store_true", help="no streaming replica (primary only)"
    )
    parser.add_argument("--smoke", action="store_true", help="2-second runs (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.seconds = 2
    missing = missing_tools() + ([] if shutil.which("wrk") else ["wrk"])
    if missing:
        raise SystemExit(f"missing: {', '.join(missing)} (apt-get install -y {' '.join(missing)})")
    refusal = None if args.no_replica else replication_refusal()
    if refusal:
        raise SystemExit(f"no streaming replica: {refusal} (or run with --no-replica)")
    primary = None if args.no_replica else Primary()
    standby = None if primary is None else Standby(primary=primary)
    workdir = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    try:
        if primary is not None and standby is not None:
            primary.start()
            database_url = fresh_database(primary.url().rsplit("/", 1)[0])
            standby.start()
        else:
            database_url = fresh_database(SERVER)
        figures, lags = measure(args, database_url, standby, workdir)
    finally:
        for server in (standby, primary):
            if server is not None:
                server.remove()
        shutil.rmtree(workdir, ignore_errors=True)

    for nodes, (rate, p50, p99, errors) in figures.items():
        print(
            f"{nodes} node{'s' if nodes > 1 else ' '} x {args.workers} workers: {rate:8.0f} req/s"
            f"  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  non-2xx {errors}"
        )
    print(f"two nodes / one node: {figures[2][0] / figures[1][0]:.2f}x the requests/s")
    for nodes, samples in lags.items():
        if samples:
            print(
                f"replica lag during the {nodes}-node load:"
                f" median {statistics.median(samples):.2f} s, max {max(samples):.2f} s"
                f" ({len(samples)} samples, every 0.2 s)"
            )
    return 0 if all(errors == 0 for *_, errors in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
