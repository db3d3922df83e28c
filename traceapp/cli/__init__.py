"""The `traceapp` command line: one group, a module per topic."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from traceapp import create_app
from traceapp.cli import database, demo, issuance, serve, users


def _create_app():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             help="TraceApp: certify batches and issue signed QR certification labels.")
def main() -> None:
    pass


for command in (*database.commands, *demo.commands, *issuance.commands, *serve.commands,
                *users.commands):
    main.add_command(command)
