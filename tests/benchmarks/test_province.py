"""The synthetic province of benchmarks/province.py is consistent: its counts add up,
its audit log verifies, and the labels it scans are genuine (issue 18)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from benchmarks.province_builder import BuildReport, Instance, build_province
from benchmarks.province_builder.codes import batch_codes
from benchmarks.province_builder.instance import ISSUER, NotOurs
from benchmarks.province_builder.labels import PLACEHOLDER_CHARS
from traceapp.clock import today_local
from traceapp.db import make_engine
from traceapp.domain.scans import FLAG_DISTANT_PLACES, flagged_codes
from traceapp.domain.verification import session_verifier

pytestmark = pytest.mark.postgres_only
SCALE = 0.0001


@pytest.fixture(scope="module")
def province(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Instance, BuildReport]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("the province is built on PostgreSQL (COPY, server-side generation)")
    name = f"traceapp_province_{uuid.uuid4().hex[:8]}"
    url = make_engine(database_url).url.set(database=name).render_as_string(hide_password=False)
    instance = Instance.for_database(url, tmp_path_factory.mktemp("province"))
    report = build_province(instance, SCALE, workers=2, log=lambda _line: None)
    yield instance, report
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _one(instance: Instance, sql: str) -> tuple:
    with psycopg.connect(instance.driver_url()) as connection:
        return connection.execute(sql).fetchone()


def test_labels_add_up_to_the_plan_and_to_each_batch_count(province):
    instance, report = province
    labels, issued, in_runs, mismatched = _one(
        instance,
        "SELECT (SELECT count(*) FROM labels), (SELECT sum(labels_issued) FROM batches),"
        " (SELECT sum(quantity) FROM issuance_runs),"
        " (SELECT count(*) FROM batches b WHERE labels_issued <>"
        "   (SELECT count(*) FROM labels l WHERE l.batch_id = b.id))",
    )
    assert (labels, issued, in_runs, mismatched) == (report.plan.labels,) * 3 + (0,)


def test_scans_are_near_the_plan_and_the_hot_batch_has_its_share(province):
    instance, report = province
    (hot,) = _one(
        instance,
        "SELECT count(*) FROM scans s JOIN labels l ON l.id = s.label_id "
        f"WHERE l.batch_id = {report.hot_batch_id}",
    )
    # Drawn at random, and at this size the floors (1,000 hot-batch scans, 3 copied
    # codes) weigh more than they do at S = 1.
    assert 0.7 * report.plan.scans < report.scans < 1.3 * report.plan.scans
    assert hot == report.plan.hot_batch_scans


def test_every_scan_lies_in_its_month_partition_and_is_rolled_up(province):
    instance, report = province
    outside, rolled_up, behind = _one(
        instance,
        "SELECT count(*) FILTER (WHERE tableoid::regclass::text !~ '^scans_y[0-9]{4}m[0-9]{2}$'),"
        " (SELECT coalesce(sum(scans), 0) FROM batch_scan_totals),"
        " count(*) FILTER (WHERE scanned_at < (SELECT rolled_up_to FROM scan_rollup))"
        " FROM scans",
    )
    assert outside == 0 and rolled_up == behind and behind > 0.9 * report.scans


def test_every_scanned_label_carries_a_real_signature(province):
    instance, _report = province
    (placeholders_scanned,) = _one(
        instance,
        "SELECT count(*) FROM labels l WHERE l.signature LIKE "
        f"'%{PLACEHOLDER_CHARS}' AND EXISTS (SELECT 1 FROM scans s WHERE s.label_id = l.id)",
    )
    assert placeholders_scanned == 0


def test_a_scanned_label_verifies_genuine(province):
    instance, report = province
    keyset = instance.key_store().public_keyset(ISSUER)
    engine = make_engine(instance.database_url)
    try:
        with Session(engine) as session:
            verifier = session_verifier(session)
            verdicts = {
                verifier.verify(uri, keyset, today_local()).verdict
                for uri in batch_codes(instance, report.hot_batch_id, 5)
            }
    finally:
        engine.dispose()
    assert verdicts == {"genuine"}


def test_copied_codes_are_flagged(province):
    instance, _report = province
    engine = make_engine(instance.database_url)
    try:
        with Session(engine) as session:
            flagged = flagged_codes(session)
    finally:
        engine.dispose()
    assert flagged and FLAG_DISTANT_PLACES in flagged[0].flags


def test_the_audit_log_verifies_in_full_and_from_the_checkpoint(province, run_cli):
    instance, _report = province
    settings = instance.settings()
    full = run_cli("audit", "verify", "--full", settings=settings)
    incremental = run_cli("audit", "verify", settings=settings)
    assert (full.exit_code, incremental.exit_code) == (0, 0), full.output + incremental.output


def test_the_builder_refuses_a_database_it_did_not_make(
    province, fresh_database_url: str, tmp_path: Path
):
    other = Instance.for_database(fresh_database_url, tmp_path)
    with pytest.raises(NotOurs):
        other.prepare()
