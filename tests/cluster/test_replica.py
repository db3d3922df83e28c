"""With a streaming replica configured, the dashboard reads figures that may lag
from it and says by how much, while the verdict always reads the primary; a replica
that stops sends the dashboard back to the primary (issue 18, docs/deploy.md)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from tests.cluster.client import dashboard, get, issue_codes, lag_seconds, sign_in, verdict
from tests.cluster.harness import Cluster, stored_scans
from tests.cluster.standby import Standby
from traceapp.db import make_engine, make_sessionmaker, unit_of_work
from traceapp.domain.voiding import void_run_range
from traceapp.models import IssuanceRun

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]


def test_dashboard_reads_the_replica_while_the_verdict_reads_the_primary(
    replicated_cluster: tuple[Cluster, Standby],
) -> None:
    cluster, standby = replicated_cluster
    codes = issue_codes(cluster)
    standby.wait_until_caught_up()  # the database exists there before a node asks
    cluster.start()
    node_a, node_b = cluster.nodes
    officer = {"X-Forwarded-For": "203.0.113.20"}
    officer["Cookie"] = sign_in(node_b.url, "can.bo@lienminh-caobang.vn", officer)

    assert verdict(node_a.url, codes[0]) == "genuine"
    while stored_scans(cluster.database_url) < 1:  # written within 0.2 s
        time.sleep(0.1)
    standby.wait_until_caught_up()
    assert dashboard(node_b.url, officer) == (1, "replica")

    standby.pause_replay()
    try:
        # Written on the primary only: a scan, and a label voided by the Union.
        assert verdict(node_a.url, codes[0]) == "genuine"
        factory = make_sessionmaker(make_engine(cluster.database_url))
        with unit_of_work(factory) as session:
            run_id = session.scalar(select(func.max(IssuanceRun.id)))
            assert run_id is not None
            void_run_range(session, run_id, 2, 2, "stolen from the shop", "test")  # codes[1]
        assert verdict(node_b.url, codes[1]) == "voided"  # the verdict: fresh, the primary's
        time.sleep(1.0)  # the two scans are stored, and the replica's replay a second old
        assert stored_scans(cluster.database_url) == 3

        page = get(node_b.url, "/console/", officer)[1]
        assert dashboard(node_b.url, officer) == (1, "replica")  # the replica's past
        assert lag_seconds(page) >= 1.0
        assert "chậm" in page  # "... behind the primary" (vi)
    finally:
        standby.resume_replay()
    standby.wait_until_caught_up()
    assert dashboard(node_b.url, officer) == (3, "replica")

    # The replica stops: the dashboard reads the primary and says so, never a 500.
    standby.stop()
    status, page, _ = get(node_b.url, "/console/", officer)
    assert status == 200, cluster.logs()
    assert "Không kết nối được bản sao cơ sở dữ liệu" in page
    assert dashboard(node_b.url, officer) == (3, "primary")
