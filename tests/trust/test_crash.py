"""A 20,000-label issuance killed with SIGKILL part-way leaves all or none of its
labels, the quota consistent, and the audit log verifying."""

from __future__ import annotations

import os
import pty
import re
import select as io_select
import signal
import subprocess
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.trust.conftest import TRACEAPP
from traceapp.models import Batch, IssuanceRun, Label

COUNT = 20_000
PERCENT = re.compile(rb"(\d+)%")


def _wait_for_progress(process: subprocess.Popen, terminal: int, timeout: float) -> int:
    """Read the progress bar (rendered because stderr is a terminal) until the first
    chunk of labels has been written; returns the percentage seen."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        ready, _, _ = io_select.select([terminal], [], [], 0.05)
        if not ready:
            continue
        try:
            seen += os.read(terminal, 4096)
        except OSError:
            break
        percents = [int(p) for p in PERCENT.findall(seen)]
        if percents and 0 < percents[-1] < 100:
            return percents[-1]
    raise AssertionError(f"no progress before the end: {seen[-300:]!r}")


@pytest.mark.slow
def test_issuance_killed_part_way_leaves_all_or_none(committed_engine, keystore, cli_env, run_cli):
    with Session(committed_engine) as session:
        batch_id = Factory(session).batch(quantity=COUNT, certified=True).id
        session.commit()
    terminal, stderr = pty.openpty()
    process = subprocess.Popen(
        [TRACEAPP, "issue", str(batch_id), "--count", str(COUNT)],
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
    )
    os.close(stderr)
    try:
        percent = _wait_for_progress(process, terminal, timeout=120)
        still_running = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        os.close(terminal)
        if process.poll() is None:
            process.kill()

    with Session(committed_engine) as session:
        labels = session.scalar(
            select(func.count()).select_from(Label).where(Label.batch_id == batch_id)
        )
        runs = session.scalar(
            select(func.count()).select_from(IssuanceRun).where(IssuanceRun.batch_id == batch_id)
        )
        issued = session.get(Batch, batch_id).labels_issued
    verified = run_cli("audit", "verify")
    print(
        f"\nkilled at {percent}% written ({committed_engine.dialect.name}): "
        f"{labels:,} labels, {runs} runs, labels_issued {issued:,} after the crash"
    )

    assert still_running and process.returncode == -signal.SIGKILL
    assert (labels, runs, issued) in {(0, 0, 0), (COUNT, 1, COUNT)}
    assert verified.exit_code == 0, verified.output
