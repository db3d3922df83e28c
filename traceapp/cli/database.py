"""Schema commands: `traceapp db upgrade`, `traceapp init-db`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from traceapp import schema
from traceapp.cli.support import CommandError, settings


@click.group("db", help="Manage the database schema (Alembic migrations).")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Migrate the schema up to REVISION (default: newest).")
@click.argument("revision", default="heads")
@with_appcontext
def upgrade(revision: str) -> None:
    _run(lambda url: schema.upgrade(url, revision))
    click.echo(f"database at {revision}")


@db_group.command("downgrade", help="Migrate the schema down to REVISION ('base' empties it).")
@click.argument("revision")
@with_appcontext
def downgrade(revision: str) -> None:
    _run(lambda url: schema.downgrade(url, revision))
    click.echo(f"database at {revision}")


@click.command("init-db", help="Create or update the schema (same as `db upgrade`).")
@with_appcontext
def init_db() -> None:
    _run(schema.upgrade)
    click.echo("database ready")


def _run(action) -> None:
    url = settings().database_url
    if url.startswith("sqlite:///"):
        settings().instance_dir.mkdir(parents=True, exist_ok=True)
    try:
        action(url)
    except OperationalError as exc:
        raise CommandError(f"cannot reach the database: {exc.orig}") from exc
    except Exception as exc:  # Alembic reports bad revisions with its own errors
        if exc.__class__.__module__.startswith("alembic"):
            raise CommandError(str(exc)) from exc
        raise


commands = [db_group, init_db]
