"""Shared fixtures: one migrated database per test session, a rolled-back
transaction per test, an app and client bound to it, and factories.

The database comes from TRACEAPP_TEST_DATABASE_URL (default: a temporary SQLite
file); `.ci/run` runs the suite once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from keys.codes import label_uri
from keys.keystore import KeyStore
from keys.signing import CodeSigner
from tests.browser_support import chromium, phone_page, serve  # noqa: F401 (fixtures)
from tests.factories import Factory
from traceapp import close_app, create_app, schema
from traceapp.cli import main
from traceapp.config import Settings
from traceapp.db import Base, make_engine
from traceapp.domain.issuance import issue_labels
from traceapp.domain.signing_keys import active_signer, key_store
from traceapp.infrastructure.scan_sinks import FLUSH_INTERVAL
from traceapp.models import Batch, Label, LabelWrite

TEST_DATABASE_URL_ENV = "TRACEAPP_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    """The session's database: SQLite in a temporary folder, or TRACEAPP_TEST_DATABASE_URL.

    Under pytest-xdist each worker gets its own PostgreSQL database beside the one
    named (`test_gw0`, `test_gw1`...), created if missing; SQLite's folder is per
    worker already.
    """
    url = os.environ.get(TEST_DATABASE_URL_ENV)
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'traceapp-test.db'}"
    if worker_id == "master":
        return url
    named = make_url(url)
    own = f"{named.database}_{worker_id}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if (
            connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own})
            is None
        ):
            connection.execute(text(f'CREATE DATABASE "{own}"'))
    admin.dispose()
    return named.set(database=own).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The test database, emptied and migrated to head once per session."""
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    schema.upgrade(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@pytest.fixture
def test_settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        env="testing",
        instance_dir=tmp_path,
        database_url=database_url,
        keys_dir=tmp_path / "keys",
        key_passphrase="test-passphrase",
        public_base_url="https://trace.example.vn",
        secret_key="test-secret",
        scan_salt="test-salt",
        # The production configuration, but for the buffer's writer thread (the test's
        # sessions share one connection, so buffered scans are written by flush_scans)
        # and rate limits (one test client stands for many phones).
        scan_flush_seconds=0,
        rate_limits=False,
    )


@pytest.fixture
def connection(engine: Engine):
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture
def session_factory(connection) -> sessionmaker[Session]:
    # Commits inside the code under test only release a savepoint.
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def app(test_settings: Settings, session_factory: sessionmaker[Session]):
    app = create_app(
        test_settings, {"TESTING": True, "WTF_CSRF_ENABLED": False}, session_factory=session_factory
    )
    with app.app_context():
        yield app
    # Scans still buffered would be rolled back with the test's transaction anyway.
    close_app(app, write_scans=False)


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """create_app for a test; each app's buffered scans are dropped and its own pool
    closed when the test ends (nothing is left to write into emptied tables at exit)."""
    apps: list[Flask] = []

    def make(*args: Any, **kwargs: Any) -> Flask:
        app = create_app(*args, **kwargs)
        apps.append(app)
        return app

    yield make
    for app in apps:
        close_app(app, write_scans=False)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(db_session: Session) -> Factory:
    return Factory(db_session)


@pytest.fixture
def committed_engine(engine: Engine) -> Iterator[Engine]:
    """For tests that need real commits seen by other connections or processes:
    every table is emptied afterwards."""
    yield engine
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        # Deleting labels noted their batches (traceapp/infrastructure/label_writes.py).
        connection.execute(LabelWrite.__table__.delete())


@pytest.fixture
def keystore(test_settings: Settings) -> KeyStore:
    """The test instance's key store, with one active signing key."""
    store = key_store(test_settings)
    store.generate()
    return store


@pytest.fixture
def signer(test_settings: Settings, keystore: KeyStore) -> CodeSigner:
    return active_signer(test_settings)


@pytest.fixture
def keyset(test_settings: Settings, keystore: KeyStore):
    return keystore.public_keyset(test_settings.issuer)


@pytest.fixture
def run_cli(test_settings: Settings):
    """Run `traceapp ...` in-process against the test database (it sees committed data)."""

    def run(*args: str, settings: Settings | None = None):
        # As `traceapp` builds it: key commands check the passphrase themselves.
        info = ScriptInfo(
            create_app=lambda: create_app(settings or test_settings, check_keys=False)
        )
        return CliRunner().invoke(main, list(args), obj=info)

    return run


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A brand-new empty database beside the test database (another instance's store)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / f'other-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"traceapp_other_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_engine(database_url).url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def fresh_database_url(empty_database_url: str) -> str:
    """A brand-new database migrated to head: a fresh TraceApp instance."""
    schema.upgrade(empty_database_url)
    return empty_database_url


@pytest.fixture
def redis_url() -> str:
    """Redis at 127.0.0.1:6379; skipped if down, unless TRACEAPP_REQUIRE_REDIS=1."""
    import redis

    url = os.environ.get("TRACEAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("TRACEAPP_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (TRACEAPP_REQUIRE_REDIS=1) but {url} is down: {exc}")
        pytest.skip(f"Redis at {url} is not reachable: {exc}")
    return url


@pytest.fixture
def unique_prefix() -> str:
    return f"traceapp-test-{uuid.uuid4().hex[:8]}"


# The role × route matrices (tests/console/test_authorization.py and
# tests/api/test_authorization.py): path ids and ids in bodies and query strings.
MATRIX_TESTS = ("_answers_each_role[", "_resolve_within_what_the_caller_may_see[")


def pytest_terminal_summary(terminalreporter) -> None:
    counts = {
        outcome: sum(
            1
            for report in terminalreporter.stats.get(outcome, [])
            if getattr(report, "when", "") == "call"
            and any(name in report.nodeid for name in MATRIX_TESTS)
        )
        for outcome in ("passed", "failed")
    }
    if any(counts.values()):
        terminalreporter.write_line(
            f"role x route matrix: {sum(counts.values())} cells checked, "
            f"{counts['failed']} violations"
        )


@dataclass
class IssuedLabels:
    batch: Batch
    labels: list[Label]
    uris: list[str]

    def path(self, index: int = 0) -> str:
        """The code's path and query, as a phone opening it requests them."""
        uri = self.uris[index]
        return uri[uri.index("/", len("https://")) :]


def code_uri(base_url: str, batch: Batch, label: Label) -> str:
    product = batch.product
    return label_uri(
        base_url,
        gtin=product.gtin,
        product_ref=product.code_ref,
        lot=batch.lot_code,
        serial=label.serial,
        signature_field=label.signature,
    )


def lose_the_key_index(keys_dir, what: str) -> None:
    """The key store as a wrong TRACEAPP_KEYS_DIR or an unmounted volume leaves it."""
    if what == "index file":
        (keys_dir / "keys.json").unlink()
    else:
        shutil.rmtree(keys_dir)


@pytest.fixture
def issue(db_session, test_settings, keystore):
    """Issue `n` labels for a new certified batch (or the one given)."""

    def _issue(
        n: int = 3, batch: Batch | None = None, *, factory=None, with_gtin: bool = True
    ) -> IssuedLabels:
        if batch is None:
            product = factory.product(with_gtin=with_gtin)
            # Without a GTIN a batch is certified only if it was before passports (0015).
            batch = (
                factory.batch(product, certified=True)
                if with_gtin
                else factory.legacy_certified_batch(product)
            )
        run = issue_labels(db_session, batch.id, n, active_signer(test_settings), "test")
        labels = list(
            db_session.scalars(select(Label).where(Label.run_id == run.id).order_by(Label.sequence))
        )
        uris = [code_uri(test_settings.public_base_url, batch, label) for label in labels]
        return IssuedLabels(batch=batch, labels=labels, uris=uris)

    return _issue


@pytest.fixture
def issued(issue, factory) -> IssuedLabels:
    return issue(3, factory=factory)


@dataclass
class CommittedLabels:
    batch_id: int
    label_ids: list[int]
    paths: list[str]


@pytest.fixture
def committed_labels(committed_engine, test_settings, keystore) -> CommittedLabels:
    """Two labels of a certified batch, committed so a server's own sessions see them."""
    with Session(committed_engine, expire_on_commit=False) as session:
        factory = Factory(session)
        batch = factory.batch(factory.product(with_gtin=True), certified=True)
        run = issue_labels(session, batch.id, 2, active_signer(test_settings), "test")
        labels = list(
            session.scalars(select(Label).where(Label.run_id == run.id).order_by(Label.sequence))
        )
        uris = [code_uri(test_settings.public_base_url, batch, label) for label in labels]
        session.commit()
        return CommittedLabels(
            batch.id,
            [label.id for label in labels],
            [uri[uri.index("/", len("https://")) :] for uri in uris],
        )


@pytest.fixture
def server_app(test_settings, committed_labels):
    """The app as gunicorn runs it: its own engines, scans written by a background thread."""
    app = create_app(replace(test_settings, scan_flush_seconds=FLUSH_INTERVAL))
    yield app
    close_app(app)
