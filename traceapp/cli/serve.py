"""`traceapp serve`: run the app locally (production uses gunicorn, see README)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("serve", help="Serve the app on HOST:PORT with the built-in threaded server.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def serve(host: str, port: int) -> None:
    click.echo(f"serving on http://{host}:{port}/  (Ctrl+C to stop)")
    current_app.run(host=host, port=port, threaded=True, use_reloader=False)


commands = [serve]
