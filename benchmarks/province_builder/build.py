"""Building a province: migrate, copy the records, write labels and scans in
parallel, log it all, sign a checkpoint, and measure what it takes on disk."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import psycopg

from benchmarks.province_builder.audit import write_audit_log
from benchmarks.province_builder.instance import (
    ISSUER,
    KEY_PASSPHRASE,
    PUBLIC_BASE_URL,
    Instance,
    NotOurs,
)
from benchmarks.province_builder.labels import RunTask, Signing, placeholder, write_labels
from benchmarks.province_builder.plan import Plan, Records, plan_records
from benchmarks.province_builder.scans import FORGED_SHARE, write_scans
from traceapp import schema
from traceapp.clock import today_local
from traceapp.db import make_engine, make_sessionmaker, unit_of_work
from traceapp.domain.checkpoints import create_checkpoint
from traceapp.domain.scan_rollups import roll_up_scans
from traceapp.infrastructure.label_writes import note_every_batch
from traceapp.infrastructure.scan_partitions import ensure_partitions, partitions

KEYS_MARKER = ".traceapp-province"
Log = Callable[[str], None]
SCANS_SPAN = timedelta(days=1826)
ROLLUP_TABLES = ("label_scan_clients", "label_scan_totals", "scan_days", "batch_scan_totals")


@dataclass(frozen=True)
class BuildReport:
    plan: Plan
    seconds: float
    labels: int
    signed_labels: int
    scans: int
    audit_entries: int
    database_bytes: int
    labels_bytes: int
    scans_bytes: int
    hot_batch_id: int
    reserve_batch_id: int
    rollup_seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"built in {self.seconds:,.1f} s: {self.labels:,} labels ({self.signed_labels:,} "
            f"signed), {self.scans:,} scans, {self.audit_entries:,} audit entries",
            f"roll-up of the scans: {self.rollup_seconds:,.1f} s "
            f"({self.scans / max(self.rollup_seconds, 1e-9):,.0f} scans/s), in the build time",
            f"database {self.database_bytes / 2**20:,.0f} MB in all: "
            f"{self.database_bytes / max(1, self.labels):,.0f} bytes per label, "
            f"{self.database_bytes / max(1, self.scans):,.0f} per scan",
            f"labels table {self.labels_bytes / 2**20:,.0f} MB, "
            f"{self.labels_bytes / max(1, self.labels):,.0f} bytes per label (with its indexes)",
            f"scans table {self.scans_bytes / 2**20:,.0f} MB, "
            f"{self.scans_bytes / max(1, self.scans):,.0f} bytes per scan (with its indexes)",
        ]


def complete_marker(scale: float) -> str:
    """What a finished province says of itself: its scale and its schema's revision
    (a province built before a migration is built again, not reused)."""
    return f"complete scale={scale} schema={schema.head()}"


def build_province(
    instance: Instance, scale: float, *, workers: int = 2, log: Log = print
) -> BuildReport:
    """Build a province of `scale` in the instance's database (see Instance.prepare
    for which databases it may use) and its key directory."""
    plan = Plan.at(scale)
    started = time.perf_counter()
    instance.prepare()
    schema.upgrade(instance.database_url)
    key_id = _fresh_key(instance)
    records = plan_records(plan, today_local())
    months = _partitions(instance, records)
    url = instance.driver_url()
    log(
        f"records: {plan.cooperatives:,} cooperatives, {len(records.batches):,} batches, "
        f"{len(records.runs):,} issuance runs, {months} month partitions of scans "
        f"({_since(started)})"
    )
    with psycopg.connect(url) as connection:
        _copy_records(connection, records, key_id)
    signing = Signing(str(instance.keys_dir), KEY_PASSPHRASE, ISSUER, PUBLIC_BASE_URL)
    digests = {}
    for run in write_labels(url, signing, _run_tasks(records), workers):
        digests[run.run_id] = run
    signed = sum(run.signed for run in digests.values())
    log(f"labels: {plan.labels:,} written, {signed:,} signed ({_since(started)})")
    _note_every_batch(instance)
    with psycopg.connect(url) as connection:
        entries = write_audit_log(connection, records, key_id, digests)
        _reset_sequences(connection, records, key_id)
    log(f"audit log: {entries:,} entries ({_since(started)})")
    _scans(url, records, plan, key_id, workers, log, started)
    _vacuum(url)
    rollup_seconds = _roll_up(instance, log)
    _vacuum(url, ROLLUP_TABLES)
    _checkpoint(instance, key_id)
    report = _report(
        url, plan, records, time.perf_counter() - started, signed, entries, rollup_seconds
    )
    instance.mark(complete_marker(scale))
    return report


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


def _note_every_batch(instance: Instance) -> None:
    # The labels went in with the triggers off (session_replication_role), so
    # nothing noted their batches for `audit verify`: the first verify reads them all.
    engine = make_engine(instance.database_url)
    with engine.begin() as connection:
        note_every_batch(connection)
    engine.dispose()


def _fresh_key(instance: Instance) -> str:
    keys = instance.keys_dir
    if keys.exists() and any(keys.iterdir()):
        if not (instance.instance_dir / KEYS_MARKER).exists():
            raise NotOurs(f"{keys} holds keys this builder did not make; use --instance-dir")
        shutil.rmtree(keys)
    instance.instance_dir.mkdir(parents=True, exist_ok=True)
    (instance.instance_dir / KEYS_MARKER).write_text("made by benchmarks/province.py\n")
    return instance.key_store().generate().kid


def _copy_records(connection: psycopg.Connection, records: Records, key_id: str) -> None:
    for table, rows in records.tables(key_id):
        if not rows:
            continue
        columns = list(rows[0])
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[name] for name in columns])


def _run_tasks(records: Records) -> list[RunTask]:
    batches = {batch["id"]: batch for batch in records.batches}
    products = {product["id"]: product for product in records.products}
    tasks = []
    for run in records.runs:
        batch = batches[run.batch_id]
        product = products[batch["product_id"]]
        tasks.append(
            RunTask(
                run_id=run.id,
                batch_id=run.batch_id,
                first_label_id=run.first_label_id,
                count=run.count,
                gtin=product["gtin"],
                product_ref=None if product["gtin"] else product["ref"],
                lot=batch["lot_code"],
                all_signed=run.batch_id == records.hot_batch_id,
            )
        )
    return tasks


def _reset_sequences(connection: psycopg.Connection, records: Records, key_id: str) -> None:
    """Ids were chosen here: move each sequence past them, as inserts would have."""
    tables = [table for table, rows in records.tables(key_id) if rows and "id" in rows[0]]
    for table in [*tables, "labels"]:
        connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


def _scans(
    url: str, records: Records, plan: Plan, key_id: str, workers: int, log: Log, started: float
) -> None:
    last_label = records.runs[-1].first_label_id + records.runs[-1].count - 1
    first_labels = {run.id: run.first_label_id for run in records.runs}
    hot_labels = sum(run.count for run in records.runs if run.batch_id == records.hot_batch_id)
    write_scans(
        url,
        last_label_id=last_label,
        hot_batch_id=records.hot_batch_id,
        hot_each=max(1, round(plan.hot_batch_scans / hot_labels)),
        copied_label_ids=[first_labels[run_id] for run_id in records.copied_run_ids],
        placeholder=placeholder(key_id),
        forged=round(plan.scans * FORGED_SHARE),
        workers=workers,
        progress=lambda name: log(f"scans: {name} ({_since(started)})"),
    )


def _partitions(instance: Instance, records: Records) -> int:
    """Every month the scans will fill gets its partition before they are written
    (none lands in the default partition); returns how many months there are."""
    # Scans start the day after production, forged ones up to five years back.
    since = min([records.today - SCANS_SPAN, *(b["produced_on"] for b in records.batches)])
    engine = make_engine(instance.database_url)
    try:
        with engine.begin() as connection:
            ensure_partitions(connection, records.today, since=since)
            return sum(1 for p in partitions(connection) if p.start is not None)
    finally:
        engine.dispose()


def _roll_up(instance: Instance, log: Log) -> float:
    """The roll-ups brought up to date as `traceapp scans maintain` does; its seconds."""
    engine = make_engine(instance.database_url)
    started = time.perf_counter()
    try:
        report = roll_up_scans(make_sessionmaker(engine))
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    log(
        f"roll-up: {report.scans:,} scans in {report.windows} windows, {seconds:.1f} s "
        f"({report.scans / max(seconds, 1e-9):,.0f} scans/s)"
    )
    return seconds


def _vacuum(url: str, tables: tuple[str, ...] = ()) -> None:
    # As autovacuum would leave them: statistics for the planner, a visibility map
    # for index-only scans.
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")


def _checkpoint(instance: Instance, key_id: str) -> None:
    engine = make_engine(instance.database_url)
    try:
        _kid, private_key = instance.key_store().active_private_key()
        with unit_of_work(make_sessionmaker(engine)) as session:
            create_checkpoint(session, ISSUER, key_id, private_key)
    finally:
        engine.dispose()


# A partitioned table's size is its partitions'; pg_partition_tree lists none for a plain one.
_TABLE_SIZE = (
    "coalesce((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('{table}')),"
    " pg_total_relation_size('{table}'))"
)


def _report(
    url: str,
    plan: Plan,
    records: Records,
    seconds: float,
    signed: int,
    entries: int,
    rollup_seconds: float,
) -> BuildReport:
    with psycopg.connect(url) as connection:
        labels, scans, database, labels_bytes, scans_bytes = connection.execute(
            "SELECT (SELECT count(*) FROM labels), (SELECT count(*) FROM scans),"
            " pg_database_size(current_database()),"
            f" {_TABLE_SIZE.format(table='labels')}, {_TABLE_SIZE.format(table='scans')}"
        ).fetchone()
    return BuildReport(
        plan=plan,
        seconds=seconds,
        labels=labels,
        signed_labels=signed,
        scans=scans,
        audit_entries=entries,
        database_bytes=database,
        labels_bytes=int(labels_bytes),
        scans_bytes=int(scans_bytes),
        hot_batch_id=records.hot_batch_id,
        reserve_batch_id=records.reserve_batch_id,
        rollup_seconds=rollup_seconds,
    )
