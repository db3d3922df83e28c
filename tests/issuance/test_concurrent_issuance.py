"""Two requests racing for the last labels of a batch, on real separate connections."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import Factory
from traceapp.db import make_sessionmaker
from traceapp.domain.issuance import issue_labels
from traceapp.errors import Conflict
from traceapp.models import Batch, Label


def test_racing_requests_never_exceed_the_certified_quantity(committed_engine, signer):
    with Session(committed_engine) as session:
        batch_id = Factory(session).batch(quantity=1000, certified=True).id
        session.commit()

    factory = make_sessionmaker(committed_engine)
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def request_labels() -> None:
        with factory() as session:
            start.wait()
            try:
                issue_labels(session, batch_id, 400, signer, "test")
                session.commit()
                outcomes.append("granted")
            except Conflict:
                session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=request_labels) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    with Session(committed_engine) as session:
        labels = session.scalar(
            select(func.count()).select_from(Label).where(Label.batch_id == batch_id)
        )
        issued = session.get(Batch, batch_id).labels_issued
    assert sorted(outcomes) == ["granted", "granted", "refused", "refused"]
    assert labels == issued == 800
