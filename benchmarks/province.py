"""Build a synthetic province on PostgreSQL with the real schema and migrations.

    .venv/bin/python benchmarks/province.py --scale S [--database-url URL] [--workers N]
        [--instance-dir DIR] [--smoke]

At S = 1: 3 unions, 821 cooperatives, 4,000 products, 40,000 batches with their
certifications and passport fields, 20 million labels in issuance runs, 100 million
scans over five years (most labels scanned 0-2 times, a few thousand copied codes
scanned hundreds of times from all over the country, one batch with a million
scans), value-chain events, and the audit log of all of it, which `traceapp audit
verify` finds clean. Labels that are scanned are signed with the instance's key;
the never-scanned others carry a placeholder signature. docs/performance.md says
how the data is shaped and how fast it builds.

The database is `bench_province_<S>` on the local server unless --database-url
names another. Like the other benchmarks, the script drops and recreates a
database it made before (it marks it with a comment); it builds in a database that
does not exist yet or has no tables, and refuses any other. The signing key goes
to --instance-dir (default: a directory per database under the system's temporary
directory), where bench_scale.py and `traceapp` find it again.

Records are written with PostgreSQL COPY, labels by --workers processes, scans by
INSERT ... SELECT inside PostgreSQL over --workers connections. Prints the build
time and the database size per label and per scan.

--smoke: S = 0.001 (what .ci/run builds).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.province_builder import Instance, build_province  # noqa: E402
from benchmarks.province_builder.instance import NotOurs  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SMOKE_SCALE = 0.001


def default_database_url(scale: float) -> str:
    """bench_province_0_01 for S = 0.01: one database per scale, so they can coexist."""
    return f"{SERVER}/bench_province_{format(scale, 'g').replace('.', '_')}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.01, help="S (1 = a whole province)")
    parser.add_argument("--database-url", help="default: bench_province_<S> on the local server")
    parser.add_argument("--workers", type=int, default=2, help="processes writing labels/scans")
    parser.add_argument("--instance-dir", type=Path, help="where the signing key is kept")
    parser.add_argument("--smoke", action="store_true", help=f"S = {SMOKE_SCALE} (CI)")
    args = parser.parse_args()
    scale = SMOKE_SCALE if args.smoke else args.scale
    url = args.database_url or default_database_url(scale)
    if not url.startswith("postgresql"):
        parser.error("the province is built on PostgreSQL (a postgresql+psycopg:// URL)")
    instance = Instance.for_database(url, args.instance_dir)
    print(f"building a province at S = {scale:g} in {instance.name}, key in {instance.keys_dir}")
    try:
        report = build_province(instance, scale, workers=args.workers)
    except (NotOurs, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
