"""`traceapp keys`: the key commands of keys/cli.py on this instance's key store
(TRACEAPP_KEYS_DIR, else TRACEAPP_INSTANCE_DIR/keys: the Settings), with every key
event logged.

keys/ knows no database, so generate, rotate and revoke are wrapped here: the
database is checked first, then the key store changes, then the event is
appended to the audit log.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from keys.cli import show_keys, verify_command, write_keyset
from traceapp.cli.support import actor, command_session, settings
from traceapp.domain.signing_keys import generate_key, key_store, revoke_key, rotate_key


@click.group(
    "keys",
    help="Manage the issuer's label signing keys (events go to the audit "
    "log). Private keys are encrypted with TRACEAPP_KEY_PASSPHRASE.",
)
def keys_group() -> None:
    pass


@keys_group.command(
    "generate", help="Create the first signing key (refused if one is active: use rotate)."
)
@with_appcontext
def generate() -> None:
    with command_session() as session:
        info = generate_key(session, settings(), actor())
    click.echo(f"generated key {info.kid} (active)")


@keys_group.command(
    "rotate", help="Create a new active key; the current one is retired (its labels stay valid)."
)
@with_appcontext
def rotate() -> None:
    with command_session() as session:
        info = rotate_key(session, settings(), actor())
    click.echo(f"rotated: key {info.kid} is now active; export the key set again")


@keys_group.command("revoke", help='Revoke key KID: labels it signed verify as "revoked key".')
@click.argument("kid")
@click.option("--reason", default="", help="Why, for the audit log.")
@with_appcontext
def revoke(kid: str, reason: str) -> None:
    with command_session() as session:
        info = revoke_key(session, settings(), kid, reason, actor())
    click.echo(f"revoked key {info.kid}; export the key set again and publish it")
    if key_store(settings()).active() is None:
        click.echo("warning: no key is active now; run rotate before issuing labels", err=True)


@keys_group.command("list", help="List every key with its status and dates (no passphrase needed).")
@with_appcontext
def list_keys() -> None:
    show_keys(key_store(settings()))


@keys_group.command(
    "export-jwks",
    help="Write the public key document (JWKS JSON) that offline verifiers need; "
    "refused (exit 2) if the key store holds no key.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the document to this file instead of standard output.",
)
@with_appcontext
def export_jwks(out: Path | None) -> None:
    config = settings()
    write_keyset(key_store(config), config.issuer, out)


keys_group.add_command(verify_command)

commands = [keys_group]
