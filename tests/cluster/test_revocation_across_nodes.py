"""A key revoked through one node is revoked on every node within the key set's
documented lifetime (issue 18, docs/deploy.md)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cluster.client import issue_codes, verdict
from tests.cluster.harness import Cluster
from traceapp.config import Settings
from traceapp.domain.signing_keys import key_store
from traceapp.infrastructure.keysets import KEYSET_TTL_SECONDS

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]


def test_a_key_revoked_through_one_node_is_revoked_on_every_node_within_the_keyset_ttl(
    cluster: Cluster,
) -> None:
    codes = issue_codes(cluster)
    # One code is scanned every half second for half a minute.
    cluster.extra_env["TRACEAPP_RATE_LIMIT_PUBLIC_PER_CODE"] = "100000/minute"
    cluster.start()
    node_a, node_b = cluster.nodes
    # Every worker of both nodes has the key set in memory, as on a busy day.
    for node in cluster.nodes:
        assert {verdict(node.url, codes[0]) for _ in range(4 * cluster.workers)} == {"genuine"}

    # Revoked with the command line on node A's machine (the key store is shared).
    active = key_store(Settings.from_env(cluster.env())).active()
    assert active is not None
    traceapp = str(Path(sys.executable).with_name("traceapp"))
    subprocess.run(
        [traceapp, "keys", "revoke", active.kid, "--reason", "key leaked"],
        env=cluster.env(),
        check=True,
        capture_output=True,
    )
    revoked = time.monotonic()

    first_seen: dict[str, float] = {}
    while time.monotonic() < revoked + KEYSET_TTL_SECONDS:
        for node in cluster.nodes:
            if node.name not in first_seen and verdict(node.url, codes[0]) == "revoked_key":
                first_seen[node.name] = time.monotonic() - revoked
        time.sleep(0.5)
    # The documented bound has passed: every worker of every node has re-read the key set.
    for node in (node_b, node_a):
        verdicts = {verdict(node.url, codes[0]) for _ in range(4 * cluster.workers)}
        assert verdicts == {"revoked_key"}, (node.name, verdicts, cluster.logs())
    print(
        "revocation first seen after "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(first_seen.items()))
        + f"; every worker within {KEYSET_TTL_SECONDS:.0f} s"
    )
