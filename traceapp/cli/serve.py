"""`traceapp serve`: run the app locally (production uses gunicorn, see README)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from traceapp.cli.support import CommandError
from traceapp.config import ConfigError
from traceapp.domain.signing_keys import check_key_passphrase


@click.command("serve", help="Serve the app on HOST:PORT with the built-in threaded server.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def serve(host: str, port: int) -> None:
    try:
        check_key_passphrase(current_app.extensions["traceapp.settings"])
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    click.echo(f"serving on http://{host}:{port}/  (Ctrl+C to stop)")
    # app.run() refuses to start inside the flask CLI; run_simple is what it would call.
    run_simple(host, port, current_app._get_current_object(), threaded=True)


commands = [serve]
