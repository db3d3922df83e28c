"""Several processes issuing against one batch at once never exceed its quantity
and never duplicate a serial (PostgreSQL: real concurrent writers)."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.trust.concurrent_issuer import request_labels
from traceapp.models import Batch, Label

WORKERS = 4
REQUESTS_EACH = 5
COUNT = 600
QUANTITY = 10_000


@pytest.mark.slow
def test_concurrent_processes_never_over_issue_or_duplicate(
    committed_engine, is_postgres, keystore, test_settings, run_cli
):
    if not is_postgres:
        pytest.skip(
            "SQLite serialises every writer (BEGIN IMMEDIATE): concurrency is "
            "exercised on PostgreSQL"
        )
    with Session(committed_engine) as session:
        batch_id = Factory(session).batch(quantity=QUANTITY, certified=True).id
        session.commit()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(WORKERS), context.Queue()
    args = (
        test_settings.database_url,
        str(test_settings.keys_dir),
        test_settings.key_passphrase,
        batch_id,
        REQUESTS_EACH,
        COUNT,
        start,
        results,
    )
    workers = [context.Process(target=request_labels, args=args) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=240) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    granted = sum(g for g, _ in outcomes)
    refused = sum(r for _, r in outcomes)
    with Session(committed_engine) as session:
        labels = session.scalar(
            select(func.count()).select_from(Label).where(Label.batch_id == batch_id)
        )
        serials = session.scalar(
            select(func.count(func.distinct(Label.serial))).where(Label.batch_id == batch_id)
        )
        issued = session.get(Batch, batch_id).labels_issued
    figures = (
        f"{WORKERS} processes x {REQUESTS_EACH} requests of {COUNT} against a batch of "
        f"{QUANTITY:,}: requests {granted + refused}, granted {granted}, refused "
        f"{refused}, labels {labels:,}, distinct serials {serials:,}, "
        f"labels_issued {issued:,}"
    )
    print("\n" + figures)

    assert granted + refused == WORKERS * REQUESTS_EACH, figures
    assert labels == serials == issued == granted * COUNT <= QUANTITY, figures
    assert granted == QUANTITY // COUNT, figures
    assert run_cli("audit", "verify").exit_code == 0
