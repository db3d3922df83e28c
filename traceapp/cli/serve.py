"""`traceapp serve`: run the app locally (production uses gunicorn, see README)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from traceapp.cli.support import CommandError, settings
from traceapp.config import ConfigError
from traceapp.domain.signing_keys import check_signing_keys
from traceapp.workers.print_worker import start_processes, stop_processes


@click.command(
    "serve",
    help="Serve the app on HOST:PORT with the built-in threaded server, "
    "and a print worker for label sheets and rolls.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--print-worker/--no-print-worker",
    default=True,
    show_default=True,
    help="Also run a print worker (turn off when `traceapp print-worker` runs elsewhere).",
)
@with_appcontext
def serve(host: str, port: int, print_worker: bool = True) -> None:
    try:
        check_signing_keys(
            current_app.extensions["traceapp.settings"], current_app.extensions["traceapp.sessions"]
        )
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    workers = start_processes(settings(), 1) if print_worker else []
    click.echo(f"serving on http://{host}:{port}/  (Ctrl+C to stop)")
    try:
        # app.run() refuses to start inside the flask CLI; run_simple is what it would call.
        run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]  # the proxy's documented way to the app
    finally:
        stop_processes(workers)


@click.command(
    "print-worker",
    help="Render queued label sheets and rolls (print jobs) until stopped. "
    "Run it beside gunicorn; any number of them may run, on any node sharing "
    "the database and the instance directory.",
)
@click.option(
    "--processes",
    default=None,
    type=click.IntRange(1, 64),
    help="Worker processes [default: TRACEAPP_PRINT_WORKERS, 1].",
)
@click.option("--once", is_flag=True, help="Render the jobs waiting now, then exit.")
@with_appcontext
def print_worker(processes: int | None, once: bool) -> None:
    from traceapp.workers.print_worker import work

    config = settings()
    if once:
        handled = work(config, once=True, factory=current_app.extensions["traceapp.sessions"])
        click.echo(f"{handled} print job(s) rendered")
        return
    count = processes or config.print_workers
    workers = start_processes(config, count)
    click.echo(f"{count} print worker(s) running (Ctrl+C to stop)")
    try:
        for process in workers:
            process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop_processes(workers)


commands = [serve, print_worker]
