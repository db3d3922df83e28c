"""The page's fresh query as a server runs it on PostgreSQL: a prepared statement on
the driver, the same answers as the session's query, surviving a dropped connection."""

from __future__ import annotations

import pytest

from traceapp.infrastructure.labels import PreparedLabelSource, SessionLabelSource, label_source

JSON = {"Accept": "application/json"}


@pytest.fixture
def postgres_only(committed_engine):
    if committed_engine.dialect.name != "postgresql":
        pytest.skip("the prepared query runs on PostgreSQL only")


def test_postgresql_runs_the_prepared_query(postgres_only, committed_engine):
    assert isinstance(label_source(committed_engine, None), PreparedLabelSource)


def test_elsewhere_the_sessions_query_runs(committed_engine):
    if committed_engine.dialect.name == "postgresql":
        pytest.skip("SQLite only")
    source = label_source(committed_engine, None)
    assert type(source) is SessionLabelSource


def test_prepared_query_finds_the_label_and_counts_its_scans(server_app, committed_labels):
    client = server_app.test_client()
    for _ in range(3):
        document = client.get(committed_labels.paths[0], headers=JSON).get_json()
    assert (document["verdict"], document["scans"]["count"]) == ("genuine", 3)


def test_voided_label_shows_at_once(server_app, committed_labels, committed_engine):
    client = server_app.test_client()
    client.get(committed_labels.paths[0])
    with committed_engine.begin() as connection:
        connection.exec_driver_sql(
            f"UPDATE labels SET status = 'voided' WHERE id = {committed_labels.label_ids[0]}"
        )
    document = client.get(committed_labels.paths[0], headers=JSON).get_json()
    assert document["verdict"] == "voided"


def test_dropped_connection_is_replaced(
    postgres_only, server_app, committed_labels, committed_engine
):
    client = server_app.test_client()
    client.get(committed_labels.paths[0])
    with committed_engine.begin() as connection:
        connection.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    response = client.get(committed_labels.paths[1], headers=JSON)
    assert response.get_json()["verdict"] == "genuine"


def test_a_view_leaves_no_transaction_open(
    postgres_only, server_app, committed_labels, committed_engine
):
    # An idle transaction would hold its locks on labels and scans for ever: partition
    # upkeep, pruning and migrations would wait on every web worker.
    server_app.test_client().get(committed_labels.paths[0], headers=JSON)
    with committed_engine.connect() as connection:
        idle = connection.exec_driver_sql(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
        ).all()
    assert idle == []
