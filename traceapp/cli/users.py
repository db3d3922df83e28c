"""`traceapp users`: create console accounts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from traceapp.cli.support import CommandError, actor, command_session
from traceapp.domain.accounts import create_user
from traceapp.models import Cooperative, Role


@click.group("users", help="Manage console accounts.")
def users_group() -> None:
    pass


@users_group.command("create", help="Create an account; the password is asked for twice.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option(
    "--cooperative",
    "registration_number",
    default=None,
    help="Registration number of the operator's cooperative.",
)
@click.password_option()
@with_appcontext
def create(
    email: str, name: str, role: str, registration_number: str | None, password: str
) -> None:
    with command_session() as session:
        cooperative_id = None
        if registration_number:
            cooperative_id = session.scalar(
                select(Cooperative.id).where(Cooperative.registration_number == registration_number)
            )
            if cooperative_id is None:
                raise CommandError(
                    f"no cooperative with registration number {registration_number!r}"
                )
        user = create_user(session, email, name, password, role, actor(), cooperative_id)
        email = user.email
    click.echo(f"created {role} {email}")


commands = [users_group]
