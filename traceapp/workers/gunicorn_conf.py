"""gunicorn settings that run the print workers beside the web workers.

    gunicorn -c python:traceapp.workers.gunicorn_conf --workers 4 --bind 127.0.0.1:8000 wsgi:app

The master starts TRACEAPP_PRINT_WORKERS print worker processes (default 1)
when it is ready and stops them when it exits. Running `traceapp print-worker`
as a service of its own (on any node that shares the database and the instance
directory) does the same job; use one or the other.
"""

from __future__ import annotations

from traceapp.config import Settings
from traceapp.workers.print_worker import start_processes, stop_processes

_processes: list = []


def when_ready(server) -> None:
    settings = Settings.from_env()
    _processes.extend(start_processes(settings, settings.print_workers))
    server.log.info("started %d print worker(s)", len(_processes))


def on_exit(server) -> None:
    stop_processes(_processes)
