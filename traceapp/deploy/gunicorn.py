"""Gunicorn settings for an app node: `gunicorn -c python:traceapp.deploy.gunicorn wsgi:app`.

A node stops on SIGTERM without losing a scan or failing a request: it stops
accepting connections (the load balancer's health check and retries move new
requests to the other nodes), lets each worker finish its request, and each
worker writes its buffered scans before it exits. The master also runs
TRACEAPP_PRINT_WORKERS print worker processes (default 1; 0 when `traceapp
print-worker` runs elsewhere), which render label sheets and rolls.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

bind = os.environ.get("TRACEAPP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TRACEAPP_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "sync"
# A worker finishing its last request and writing its scans has this long after SIGTERM.
graceful_timeout = 20
timeout = 30
# Behind the load balancer only: it sets X-Forwarded-For (TRACEAPP_PROXY_HOPS=1).
forwarded_allow_ips = "127.0.0.1"


def worker_exit(server: Any, worker: Any) -> None:
    """Write the worker's buffered scans before the process goes (also on a restart)."""
    from traceapp import close_app

    close_app(worker.wsgi)


_print_workers: list[Any] = []


def when_ready(server: Any) -> None:
    """Start the print workers beside the web workers."""
    from traceapp.config import Settings
    from traceapp.workers.print_worker import start_processes

    settings = Settings.from_env()
    _print_workers.extend(start_processes(settings, settings.print_workers))
    server.log.info("started %d print worker(s)", len(_print_workers))


def on_exit(server: Any) -> None:
    """Stop the print workers with the master (a job in progress is taken over later)."""
    from traceapp.workers.print_worker import stop_processes

    stop_processes(_print_workers)
