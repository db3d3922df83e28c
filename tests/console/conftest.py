"""Console fixtures: one signing key store per test session, and the test world."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.console.world import World, build_world
from traceapp.config import Settings
from traceapp.domain.signing_keys import key_store


@pytest.fixture(scope="session")
def shared_keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("console-keys") / "keys"
    store = key_store(Settings(keys_dir=directory, key_passphrase="test-passphrase"))
    store.generate()
    return directory


@pytest.fixture
def test_settings(test_settings: Settings, shared_keys_dir: Path) -> Settings:
    # Generating and encrypting a key per test is slow; tests share one store.
    return dataclasses.replace(test_settings, keys_dir=shared_keys_dir)


@pytest.fixture
def world(db_session, test_settings) -> World:
    built = build_world(db_session, test_settings)
    # Release the fixture's savepoint so requests' own savepoints nest cleanly after it.
    db_session.commit()
    return built
