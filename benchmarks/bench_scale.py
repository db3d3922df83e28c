"""How the costs grow with the province: the same measures at each scale, in one run.

    .venv/bin/python benchmarks/bench_scale.py [--scales 0.01,0.1] [--seconds 10]
        [--no-backup | --backup-up-to S] [--smoke]

For each scale S it builds the province of benchmarks/province.py in
`bench_province_<S>`, or reuses it when a previous run built it complete, then measures:

- the public page under load: gunicorn (sync workers, rate limits off) driven by
  wrk over 300 signed codes drawn across the province; p50, p99 and requests/s,
  each the median of 3 runs of --seconds (non-2xx answers: the sum);
- issuing 10,000 labels for a new certified batch, the median of 3 rounds, against
  the same on an empty database (`bench_province_empty`, measured at the end);
- the Union dashboard: what the console's home page asks for an officer
  (province figures and expiring certifications, codes that may be copied,
  batches waiting), in one session;
- a batch's scan statistics (the console's scans page) for the hot batch, which
  has 1,000,000 scans at S = 1 (these two: the median of 3 calls after a warm-up
  call, stopped after --budget seconds: then the calls done count, or the warm-up);
- `traceapp audit verify --full`, then, after the issuance above and a new
  checkpoint, `traceapp audit verify` (from the last verified checkpoint: the new
  entries, the watched rows, and the labels of the batches written since, which are
  the issuance's), and `traceapp audit verify --skip-labels` (no label read);
- `traceapp backup create` and `traceapp backup restore` (onto the fresh database
  `bench_province_restore`, restore runs its own full verify): time and the peak
  resident memory of the child process (at every scale, or those up to
  --backup-up-to).

Prints one table, a column per scale and the ratio of the largest scale measured to
the smallest. docs/performance.md describes the province and the targets of issue 18.

--smoke: S = 0.0001 only, 2-second load runs (what .ci/run runs).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from benchmarks.bench_issuance import ensure_database, issuance_rate  # noqa: E402
from benchmarks.bench_verification import (  # noqa: E402
    TRIVIAL_PATH,
    free_port,
    run_wrk,
    wait_until_up,
)
from benchmarks.province import SERVER, default_database_url  # noqa: E402
from benchmarks.province_builder import Instance, Plan, build_province  # noqa: E402
from benchmarks.province_builder.build import complete_marker  # noqa: E402
from benchmarks.province_builder.codes import sample_codes  # noqa: E402
from benchmarks.province_builder.instance import ISSUER, MARKER, PUBLIC_BASE_URL  # noqa: E402
from tests.factories import Factory  # noqa: E402
from traceapp import schema  # noqa: E402
from traceapp.clock import today_local  # noqa: E402
from traceapp.db import make_engine, make_sessionmaker, unit_of_work  # noqa: E402
from traceapp.domain.dashboard import union_figures  # noqa: E402
from traceapp.domain.issuance import issue_labels  # noqa: E402
from traceapp.domain.listings import list_batches  # noqa: E402
from traceapp.domain.scans import batch_scan_statistics, flagged_codes  # noqa: E402
from traceapp.models import BatchStatus, Product  # noqa: E402

ISSUED = 10_000
CODES = 300
ROUNDS = 3
TRACEAPP = str(Path(sys.executable).parent / "traceapp")
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
EMPTY_URL = f"{SERVER}/bench_province_empty"
RESTORE_URL = f"{SERVER}/bench_province_restore"


@dataclass
class Figures:
    """Everything measured at one scale: name -> (value, unit)."""

    scale: float
    values: dict[str, tuple[float, str]] = field(default_factory=dict)

    def add(self, name: str, value: float, unit: str) -> None:
        self.values[name] = (value, unit)
        print(f"  {name}: {value:,.2f} {unit}", flush=True)


def province(scale: float, workers: int) -> Instance:
    """The province at `scale`, built unless a previous run left it complete."""
    instance = Instance.for_database(default_database_url(scale))
    if instance.marker() == f"{MARKER} {complete_marker(scale)}" and instance.keys_dir.exists():
        print(f"S = {scale:g}: reusing {instance.name}", flush=True)
        return instance
    print(f"S = {scale:g}: building {instance.name}", flush=True)
    report = build_province(instance, scale, workers=workers, log=lambda line: None)
    for line in report.lines():
        print(f"  {line}", flush=True)
    return instance


def measure(scale: float, args: argparse.Namespace) -> Figures:
    instance = province(scale, args.build_workers)
    plan = Plan.at(scale)
    figures = Figures(scale)
    counts = _counts(instance)
    figures.add("labels", counts[0], "")
    figures.add("scans", counts[1], "")
    figures.add("audit verify --full", _timed_cli(instance, "audit", "verify", "--full")[0], "s")
    _page_under_load(instance, args, figures)
    _issuance(instance, figures)
    _timed_cli(instance, "audit", "checkpoint")
    figures.add("audit verify (since checkpoint)", _timed_cli(instance, "audit", "verify")[0], "s")
    figures.add(
        "audit verify --skip-labels (since checkpoint)",
        _timed_cli(instance, "audit", "verify", "--skip-labels")[0],
        "s",
    )
    _console(instance, plan, args.budget, figures)
    if not args.no_backup and scale <= args.backup_up_to:
        _backup(instance, figures)
    return figures


def _counts(instance: Instance) -> tuple[int, int]:
    engine = make_engine(instance.database_url)
    try:
        with engine.connect() as connection:
            row = connection.exec_driver_sql(
                "SELECT (SELECT count(*) FROM labels), (SELECT count(*) FROM scans)"
            ).one()
    finally:
        engine.dispose()
    return row[0], row[1]


def _page_under_load(instance: Instance, args: argparse.Namespace, figures: Figures) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    paths_file = workdir / "paths.txt"
    codes = sample_codes(instance, CODES)
    paths_file.write_text("\n".join(code[len(PUBLIC_BASE_URL) :] for code in codes) + "\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(
        [
            GUNICORN,
            *("--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)),
            *("--log-level", "warning", "--chdir", str(ROOT)),
            "benchmarks.bench_verification:bench_app()",
        ],
        env={**os.environ, **instance.env()},
        start_new_session=True,
    )
    try:
        wait_until_up(base + TRIVIAL_PATH)
        run_wrk(base, 2, args.connections, paths_file, workdir)  # warm-up
        runs = [
            run_wrk(base, args.seconds, args.connections, paths_file, workdir)
            for _round in range(ROUNDS)
        ]
    finally:
        os.killpg(gunicorn.pid, 15)
        gunicorn.wait(timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)
    # One wrk run's p99 on two shared cores moves by 2x from run to run: the median.
    figures.add("page p50", median(run[1] for run in runs), "ms")
    figures.add("page p99", median(run[2] for run in runs), "ms")
    figures.add("page throughput", median(run[0] for run in runs), "req/s")
    figures.add("page non-2xx", sum(run[3] for run in runs), "")


def _issuance(instance: Instance, figures: Figures) -> None:
    """Median of ROUNDS issuances of 10,000 labels, each for a new certified batch of
    the province's first product (the first round meets a colder cache)."""
    signer = instance.key_store().active_signer(ISSUER, PUBLIC_BASE_URL)
    engine = make_engine(instance.database_url)
    factory = make_sessionmaker(engine)
    rates = []
    try:
        for _round in range(ROUNDS):
            with unit_of_work(factory) as session:
                product = session.scalars(select(Product).order_by(Product.id).limit(1)).one()
                lot = f"BENCH-{uuid.uuid4().hex[:8].upper()}"
                batch = Factory(session).batch(
                    product=product, quantity=ISSUED, certified=True, lot_code=lot
                )
                batch_id = batch.id
            started = time.perf_counter()
            with unit_of_work(factory) as session:
                issue_labels(session, batch_id, ISSUED, signer, "bench_scale")
            rates.append(ISSUED / (time.perf_counter() - started))
    finally:
        engine.dispose()
    figures.add("issuance of 10,000 labels", median(rates), "/s")


def _console(instance: Instance, plan: Plan, budget: float, figures: Figures) -> None:
    """The console's pages as their views ask (web/console/union.py index, scans.py)."""
    hot_batch = plan.batches - 1

    def dashboard(session: Session) -> None:
        union_figures(session)
        flagged_codes(session, limit=20)
        list_batches(session, status=BatchStatus.DRAFT, limit=20)

    def statistics(session: Session) -> None:
        batch_scan_statistics(session, hot_batch, today_local())

    figures.add("Union dashboard", _median_ms(instance, dashboard, budget), "ms")
    figures.add("hot batch scan statistics", _median_ms(instance, statistics, budget), "ms")


def _median_ms(instance: Instance, action: Callable[[Session], None], budget: float) -> float:
    """Median of ROUNDS calls after a warm-up call, in a child process stopped after
    `budget` seconds: then the median of the calls done, or the warm-up's time if
    only it finished, or inf (too slow to wait for)."""
    receiving, sending = multiprocessing.Pipe(duplex=False)

    def calls() -> None:
        engine = make_engine(instance.database_url)
        with make_sessionmaker(engine)() as session:
            for _call in range(1 + ROUNDS):
                started = time.perf_counter()
                action(session)
                sending.send((time.perf_counter() - started) * 1000)

    child = multiprocessing.get_context("fork").Process(target=calls)
    child.start()
    child.join(budget)
    if child.is_alive():
        child.terminate()
        child.join()
    times = []
    while receiving.poll():
        times.append(receiving.recv())
    if not times:
        return math.inf
    return median(times[1:]) if len(times) > 1 else times[0]


def _backup(instance: Instance, figures: Figures) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-scale-backup-"))
    archive = workdir / "province.tar.gz"
    try:
        seconds, peak = _timed_cli(instance, "backup", "create", str(archive))
        figures.add("backup create", seconds, "s")
        figures.add("backup create peak memory", peak, "MB")
        figures.add("backup archive", archive.stat().st_size / 2**20, "MB")
        target = Instance.for_database(RESTORE_URL, workdir / "restored")
        _fresh_database(RESTORE_URL)
        seconds, peak = _timed_cli(target, "backup", "restore", str(archive))
        figures.add("backup restore (with its verify)", seconds, "s")
        figures.add("backup restore peak memory", peak, "MB")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _fresh_database(url: str) -> None:
    """A migrated, empty database under a name only this benchmark uses."""
    name = url.rsplit("/", 1)[1]
    admin = make_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    schema.upgrade(url)


def _timed_cli(instance: Instance, *args: str) -> tuple[float, float]:
    """(seconds, peak resident MB of the child) of one `traceapp` command; exits on failure."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [TRACEAPP, *args],
        env={**os.environ, **instance.env()},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"traceapp {' '.join(args)} failed ({child.returncode}):\n{output}")
    return seconds, usage.ru_maxrss / 1024


def empty_issuance_rate(instance: Instance) -> float:
    """Labels/s issuing 10,000 on a fresh database (the baseline), same key: the
    median of ROUNDS, as at each scale."""
    ensure_database(EMPTY_URL)
    signer = instance.key_store().active_signer(ISSUER, PUBLIC_BASE_URL)
    return median(issuance_rate(EMPTY_URL, ISSUED, signer) for _round in range(ROUNDS))


def print_table(results: list[Figures], empty_rate: float) -> None:
    names = list(dict.fromkeys(name for figures in results for name in figures.values))
    last = results[-1]
    header = f"{'what':38}" + "".join(f"{'S = ' + format(f.scale, 'g'):>16}" for f in results)
    print("\n" + header + f"{'ratio':>10}")
    for name in names:
        cells = "".join(
            f"{_shown(f.values[name]) if name in f.values else 'not run':>16}" for f in results
        )
        measured = [f.values[name][0] for f in results if name in f.values]
        base, top = measured[0], measured[-1]
        ratio = (
            f"{top / base:.2f}x"
            if len(measured) > 1 and base and math.isfinite(top / base)
            else "-"
        )
        print(f"{name:38}{cells}{ratio:>10}")
    rate = last.values["issuance of 10,000 labels"][0]
    print(
        f"\nissuance on an empty database: {empty_rate:,.0f} labels/s; at S = "
        f"{last.scale:g}: {rate / empty_rate:.2f}x that rate"
    )


def _shown(value: tuple[float, str]) -> str:
    number, unit = value
    if math.isinf(number):
        return "too slow"
    text = f"{number:,.0f}" if number >= 100 or not unit else f"{number:,.2f}"
    return f"{text} {unit}".strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="0.01,0.1", help="comma-separated values of S")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 2))
    parser.add_argument("--build-workers", type=int, default=2)
    parser.add_argument(
        "--budget", type=float, default=300, help="seconds a console measure may take"
    )
    parser.add_argument("--no-backup", action="store_true", help="skip backup create/restore")
    parser.add_argument(
        "--backup-up-to",
        type=float,
        default=math.inf,
        metavar="S",
        help="measure backup create/restore only at scales up to S",
    )
    parser.add_argument("--smoke", action="store_true", help="S = 0.0001, 2-second loads (CI)")
    args = parser.parse_args()
    scales = [float(s) for s in args.scales.split(",")]
    if args.smoke:
        scales, args.seconds, args.workers = [0.0001], 2, 2
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    results = [measure(scale, args) for scale in scales]
    empty_rate = empty_issuance_rate(Instance.for_database(default_database_url(scales[0])))
    print_table(results, empty_rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
