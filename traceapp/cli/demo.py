"""`traceapp demo`: migrate, load the demo data and (optionally) serve it."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from traceapp import schema
from traceapp.cli.serve import serve
from traceapp.cli.support import command_session, settings
from traceapp.demo_data import load_demo_data


@click.command("demo", help="Create the schema, load the Cao Bang demo data (idempotent), "
               "and optionally serve the app.")
@click.option("--serve/--no-serve", "then_serve", default=False,
              help="Serve the app on 127.0.0.1 afterwards.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
@with_appcontext
def demo(ctx: click.Context, then_serve: bool, port: int) -> None:
    config = settings()
    config.instance_dir.mkdir(parents=True, exist_ok=True)
    click.echo("migrating the schema...")
    schema.upgrade(config.database_url)
    with command_session() as session:
        summary = load_demo_data(session)
    click.echo(f"demo data ready ({summary.created} records created)")
    if then_serve:
        ctx.invoke(serve, host="127.0.0.1", port=port)


commands = [demo]
