"""Two app nodes behind HAProxy, on PostgreSQL through PgBouncer in transaction
mode, sharing Redis: one truth across nodes, and rolling restarts that lose neither
a scan nor a request (issue 18, docs/deploy.md). The fixtures are in conftest.py;
revocation and the replica have files of their own, so that the suite's workers can
share the cluster tests."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from tests.cluster.client import get, issue_codes, post_sign_in, sign_in
from tests.cluster.harness import Cluster, stored_scans

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]


def test_a_code_scanned_through_two_nodes_counts_both_scans(cluster: Cluster) -> None:
    codes = issue_codes(cluster)
    cluster.start()
    node_a, node_b = cluster.nodes

    for node in (node_a, node_b, node_a):
        status, body, _ = get(node.url, codes[0])
        assert status == 200 and "verdict-genuine" in body, cluster.logs()
    for node in cluster.nodes:
        cluster.stop_node(node)  # each writes its buffered scans as it stops

    assert stored_scans(cluster.database_url) == 3


def test_sessions_and_limits_hold_across_nodes(cluster: Cluster) -> None:
    issue_codes(cluster)
    cluster.start()
    node_a, node_b = cluster.nodes
    client = {"X-Forwarded-For": "203.0.113.7"}

    cookie = sign_in(node_a.url, "can.bo@lienminh-caobang.vn", client)
    status, _, _ = get(node_b.url, "/console/", {**client, "Cookie": cookie})
    assert status == 200

    # Sign-in attempts are limited per client across both nodes (counted in Redis).
    statuses = [
        post_sign_in(node.url, "nobody@example.vn", "wrong", {"X-Forwarded-For": "203.0.113.99"})
        for node in [node_a, node_b] * 8
    ]
    assert statuses.count(429) >= 6 and 429 not in statuses[:10]


def test_rolling_restart_under_load_loses_no_scan_and_fails_no_request(
    cluster: Cluster,
) -> None:
    codes = issue_codes(cluster)
    cluster.extra_env["TRACEAPP_RATE_LIMIT_PUBLIC"] = "100000/minute"
    # Four threads cycle 40 codes: far more scans of one code than any shopper makes.
    cluster.extra_env["TRACEAPP_RATE_LIMIT_PUBLIC_PER_CODE"] = "100000/minute"
    cluster.start()
    answers: Counter[int] = Counter()
    stop = threading.Event()
    lock = threading.Lock()

    def phone(offset: int) -> None:
        sent = offset
        while not stop.is_set():
            status, _, _ = get(cluster.url, codes[sent % len(codes)])
            with lock:
                answers[status] += 1
            sent += 1

    phones = [threading.Thread(target=phone, args=(i,)) for i in range(4)]
    for thread in phones:
        thread.start()
    try:
        time.sleep(2)
        for node in cluster.nodes:
            cluster.restart_node(node)
            time.sleep(1)
    finally:
        stop.set()
        for thread in phones:
            thread.join(timeout=60)
    for node in cluster.nodes:
        cluster.stop_node(node)

    sent = sum(answers.values())
    assert answers == Counter({200: sent}), cluster.logs()
    assert stored_scans(cluster.database_url) == sent
    print(f"rolling restart: {sent} scans sent, {sent} stored, 0 failed requests")
