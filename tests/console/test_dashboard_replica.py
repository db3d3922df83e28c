"""Which database the dashboard and the scan statistics read, and what they say about
it (traceapp/infrastructure/reporting.py). tests/cluster/test_replica.py does the
same against a real streaming standby."""

from __future__ import annotations

import dataclasses
import socket

import pytest
from flask import Flask

from tests.console.world import sign_in_as
from traceapp import close_app, create_app
from traceapp.config import ConfigError, Settings

PRIMARY_WORDING = {
    "vi": "Số liệu đọc từ cơ sở dữ liệu chính: cập nhật tức thời.",
    "en": "Figures read from the primary database: up to date.",
    "fr": "Chiffres lus sur la base de données principale : à jour.",
}
UNREACHABLE_WORDING = {
    "vi": "Không kết nối được bản sao cơ sở dữ liệu",
    "en": "The replica database cannot be reached",
    "fr": "La réplique de la base de données est injoignable",
}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_with_replica(test_settings, session_factory):
    """create_app with TRACEAPP_DATABASE_REPLICA_URL set to `url`."""
    apps: list[Flask] = []

    def build(url: str) -> Flask:
        settings = dataclasses.replace(test_settings, database_replica_url=url)
        app = create_app(
            settings, {"TESTING": True, "WTF_CSRF_ENABLED": False}, session_factory=session_factory
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        close_app(app, write_scans=False)


def _dashboard(app: Flask, world, language: str = "vi") -> str:
    client = app.test_client()
    sign_in_as(client, world.users["union_officer"])
    response = client.get("/console/", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["vi", "en", "fr"])
def test_dashboard_without_replica_says_its_figures_are_from_the_primary(
    client, world, language
) -> None:
    sign_in_as(client, world.users["union_officer"])
    page = client.get("/console/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert 'data-source="primary" data-lag-seconds="0.0"' in page
    assert PRIMARY_WORDING[language] in page


@pytest.mark.parametrize("language", ["vi", "en", "fr"])
def test_dashboard_with_replica_down_reads_the_primary_and_says_so(
    app_with_replica, world, language
) -> None:
    app = app_with_replica(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/traceapp")
    page = _dashboard(app, world, language)
    assert UNREACHABLE_WORDING[language] in page
    assert 'id="fig-cooperatives">2<' in page  # the primary's figures


def test_scan_statistics_with_replica_down_are_the_primarys(app_with_replica, world) -> None:
    app = app_with_replica(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/traceapp")
    client = app.test_client()
    sign_in_as(client, world.users["union_officer"])
    response = client.get(f"/console/batches/{world.batch_a.id}/scans")
    assert response.status_code == 200
    assert UNREACHABLE_WORDING["vi"] in response.get_data(as_text=True)


def test_dashboard_figures_come_from_the_replica_and_sign_in_from_the_primary(
    app_with_replica, world, database_url
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a replica is a PostgreSQL database")
    # The "replica" is the test database seen through another connection: it sees none
    # of this test's uncommitted world, so figures read there cannot be the world's.
    # The officer exists only in that uncommitted world: signing in read the primary.
    page = _dashboard(app_with_replica(database_url), world)
    assert 'data-source="replica" data-lag-seconds="0.0"' in page  # no standby: no lag
    assert 'id="fig-cooperatives">2<' not in page
    assert "Số liệu đọc từ bản sao cơ sở dữ liệu, chậm 0 giây" in page


def test_replica_url_must_be_postgresql() -> None:
    with pytest.raises(ConfigError, match="TRACEAPP_DATABASE_REPLICA_URL"):
        Settings.from_env({"TRACEAPP_DATABASE_REPLICA_URL": "sqlite:///replica.db"})
