"""The print worker: claims print jobs from the database and renders them.

It runs in its own processes, at a lower CPU priority than the web workers, so
a 100,000-label sheet never holds a request worker nor slows a consumer's scan.
Start it with `traceapp print-worker` (production: a service beside gunicorn,
or gunicorn's `-c python:traceapp.deploy.gunicorn`); `traceapp serve`
starts one by itself. It needs the database and the instance directory only:
SQLite and no Redis work.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from traceapp.config import Settings

log = logging.getLogger(__name__)

#: Seconds between looks for new jobs when there is nothing to do.
POLL_SECONDS = 0.5
#: Seconds to wait before looking again when the database did not answer.
RETRY_SECONDS = 5.0
#: Seconds between looks for finished files old enough to remove.
CLEANUP_SECONDS = 3600
#: Added to the worker's nice value: web workers get the CPU first.
NICENESS = 10


def work(
    settings: Settings,
    *,
    stop: threading.Event | None = None,
    once: bool = False,
    poll_seconds: float = POLL_SECONDS,
    retry_seconds: float = RETRY_SECONDS,
    on_job: Callable[[int], None] | None = None,
    factory=None,
) -> int:
    """Render jobs until ``stop`` is set (or, with ``once``, until none is waiting).

    Returns the number of jobs handled.
    """
    from traceapp import create_app
    from traceapp.domain.print_jobs import claim_next_job, remove_old_files, render_job

    app = create_app(settings, session_factory=factory)
    factory = app.extensions["traceapp.sessions"]
    worker = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"[:80]
    stop = stop or threading.Event()
    handled = 0
    next_cleanup = 0.0
    with app.app_context():
        while not stop.is_set():
            try:
                if time.monotonic() >= next_cleanup:
                    removed = remove_old_files(factory, settings.instance_dir)
                    if removed:
                        log.info("removed %d old print job file(s)", removed)
                    next_cleanup = time.monotonic() + CLEANUP_SECONDS
                job_id = claim_next_job(factory, worker)
                if job_id is None:
                    if once:
                        break
                    stop.wait(poll_seconds)
                    continue
                log.info("print job %s: rendering", job_id)
                render_job(
                    factory,
                    job_id,
                    worker,
                    settings.instance_dir,
                    settings.public_base_url,
                    settings.print_options(),
                )
            except SQLAlchemyError:
                # The database is away (a restart, a failover): wait and look again
                # rather than leave the service with no print worker. A job it held is
                # taken over once its heartbeat is stale.
                log.exception("print worker: the database is unavailable; retrying")
                stop.wait(retry_seconds)
                continue
            handled += 1
            if on_job is not None:
                on_job(job_id)
    return handled


def _process_main(settings: Settings) -> None:
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s print-worker %(message)s")
    work(settings, stop=stop)


def start_processes(settings: Settings, count: int = 1) -> list[subprocess.Popen]:
    """Start ``count`` print worker processes (``python -m traceapp.workers.print_worker``).

    They read the same TRACEAPP_* environment as ``settings`` came from; each
    stops after its current chunk on SIGTERM or SIGINT.
    """
    env = {**os.environ, "TRACEAPP_INSTANCE_DIR": str(settings.instance_dir)}
    env.setdefault("TRACEAPP_DATABASE_URL", settings.database_url)
    return [
        subprocess.Popen([sys.executable, "-m", "traceapp.workers.print_worker"], env=env)
        for _ in range(count)
    ]


def stop_processes(processes: list[subprocess.Popen], timeout: float = 10.0) -> None:
    """Ask the workers to stop (a job in progress is taken over later by another worker)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    _process_main(Settings.from_env())
