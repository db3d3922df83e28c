"""The `traceapp` command line: one group, a module per topic."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from keys.cli import verify_command
from traceapp import create_app
from traceapp.cli import (
    audit,
    backup,
    database,
    demo,
    export,
    issuance,
    labels,
    listings,
    passport,
    scans,
    serve,
    signing_keys,
    users,
    value_chain,
)


def _create_app():
    # Commands that need the key passphrase check it themselves (`serve` included),
    # so that `keys list`, `keys revoke` or `backup create` work without it.
    return create_app(check_keys=False)


class TraceAppGroup(FlaskGroup):
    """Flask's command group, showing only TraceApp's own commands and options.

    Flask's --app/--env-file/--debug options and the commands extensions add to
    the app (Flask-Limiter's `limiter`) are not part of TraceApp's command line.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, click.Option) and param.name in ("app", "env_file", "debug"):
                param.hidden = True

    def get_command(self, ctx, name):
        return click.Group.get_command(self, ctx, name)

    def list_commands(self, ctx):
        return click.Group.list_commands(self, ctx)


@click.group(
    cls=TraceAppGroup,
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    set_debug_flag=False,
    help="TraceApp: certify batches and issue signed QR certification labels.",
)
def main() -> None:
    pass


for command in (
    *database.commands,
    *demo.commands,
    *export.commands,
    *issuance.commands,
    *labels.commands,
    *passport.commands,
    *listings.commands,
    *scans.commands,
    *serve.commands,
    *users.commands,
    verify_command,
    *audit.commands,
    *backup.commands,
    *signing_keys.commands,
    *value_chain.commands,
):
    main.add_command(command)
