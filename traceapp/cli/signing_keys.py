"""`traceapp keys`: the key commands of keys/cli.py, with every key event logged.

keys/ knows no database, so generate, rotate and revoke are wrapped here: the key
store changes first, then the event is appended to the audit log.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from keys.cli import export_jwks, list_keys, verify_command
from keys.keystore import KeyStoreError
from traceapp.audit_log import record_key_event
from traceapp.cli.support import CommandError, actor, command_session, settings
from traceapp.signing_keys import key_store


@click.group("keys", help="Manage the issuer's label signing keys (events go to the audit "
             "log). Private keys are encrypted with TRACEAPP_KEY_PASSPHRASE.")
def keys_group() -> None:
    pass


def _store_call(action):
    try:
        return action(key_store(settings()))
    except (KeyStoreError, ValueError) as exc:
        raise CommandError(str(exc)) from exc


@keys_group.command("generate", help="Create the first signing key (refused if one is "
                    "active: use rotate).")
@with_appcontext
def generate() -> None:
    info = _store_call(lambda store: store.generate())
    with command_session() as session:
        record_key_event(session, actor(), "key.generated", info.kid)
    click.echo(f"generated key {info.kid} (active)")


@keys_group.command("rotate", help="Create a new active key; the current one is retired "
                    "(its labels stay valid).")
@with_appcontext
def rotate() -> None:
    previous = _store_call(lambda store: store.active())
    info = _store_call(lambda store: store.rotate())
    with command_session() as session:
        record_key_event(session, actor(), "key.rotated", info.kid,
                         {"retired": previous.kid if previous else None})
    click.echo(f"rotated: key {info.kid} is now active; export the key set again")


@keys_group.command("revoke", help="Revoke key KID: labels it signed verify as "
                    "\"revoked key\".")
@click.argument("kid")
@click.option("--reason", default="", help="Why, for the audit log.")
@with_appcontext
def revoke(kid: str, reason: str) -> None:
    info = _store_call(lambda store: store.revoke(kid))
    with command_session() as session:
        record_key_event(session, actor(), "key.revoked", info.kid, {"reason": reason})
    click.echo(f"revoked key {info.kid}; export the key set again and publish it")
    if _store_call(lambda store: store.active()) is None:
        click.echo("warning: no key is active now; run rotate before issuing labels", err=True)


for _command in (list_keys, export_jwks, verify_command):
    keys_group.add_command(_command)

commands = [keys_group]
