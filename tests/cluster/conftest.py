"""The cluster tests' fixtures: two app nodes behind HAProxy on PgBouncer
(tests/cluster/harness.py), and a throwaway primary with its streaming replica
(tests/cluster/standby.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.cluster.harness import Cluster, missing_tools
from tests.cluster.standby import Primary, Standby, replication_refusal


def skip_unless_possible(message: str | None) -> None:
    if message:
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def cluster(fresh_database_url: str, redis_url: str) -> Iterator[Cluster]:
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("the cluster runs on PostgreSQL (PgBouncer in front of it)")
    missing = missing_tools()
    skip_unless_possible(
        f"the cluster test needs {', '.join(missing)} (apt-get install -y {' '.join(missing)})"
        if missing
        else None
    )
    cluster = Cluster(fresh_database_url, redis_url)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def replication(database_url: str) -> Iterator[tuple[Primary, Standby]]:
    """A throwaway primary and its streaming replica (tests/cluster/standby.py)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the cluster runs on PostgreSQL (run once, with the PostgreSQL suite)")
    skip_unless_possible(replication_refusal())
    primary = Primary()
    standby = Standby(primary=primary)
    try:
        primary.start()
        standby.start()
        yield primary, standby
    finally:
        standby.remove()
        primary.remove()


@pytest.fixture
def replicated_cluster(
    replication: tuple[Primary, Standby], redis_url: str
) -> Iterator[tuple[Cluster, Standby]]:
    """App nodes on the throwaway primary, reading their figures from its replica."""
    missing = missing_tools()
    skip_unless_possible(f"the cluster test needs {', '.join(missing)}" if missing else None)
    primary, standby = replication
    name = f"traceapp_{uuid.uuid4().hex[:8]}"
    cluster = Cluster(
        primary.create_database(name),
        redis_url,
        extra_env={"TRACEAPP_DATABASE_REPLICA_URL": standby.url(name)},
    )
    try:
        yield cluster, standby
    finally:
        cluster.stop()
