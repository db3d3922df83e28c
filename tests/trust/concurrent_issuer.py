"""A worker process for the concurrency test: its own engine, its own signer, a
series of issuance requests against one batch (importable by multiprocessing)."""

from __future__ import annotations

from pathlib import Path

from traceapp.config import Settings
from traceapp.db import make_engine, make_sessionmaker, unit_of_work
from traceapp.domain.issuance import issue_labels
from traceapp.domain.signing_keys import active_signer
from traceapp.errors import Conflict


def request_labels(
    database_url: str,
    keys_dir: str,
    passphrase: str,
    batch_id: int,
    requests: int,
    count: int,
    start,
    results,
) -> None:
    """Make `requests` requests of `count` labels; puts (granted, refused) on `results`."""
    settings = Settings(
        database_url=database_url,
        keys_dir=Path(keys_dir),
        key_passphrase=passphrase,
        public_base_url="https://trace.example.vn",
    )
    signer = active_signer(settings)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    granted = refused = 0
    start.wait()
    for number in range(requests):
        try:
            with unit_of_work(sessions) as session:
                issue_labels(session, batch_id, count, signer, f"worker-{number}")
            granted += 1
        except Conflict:
            refused += 1
    engine.dispose()
    results.put((granted, refused))
