"""`traceapp passport check --batch N`: which mandatory passport fields a batch lacks."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from traceapp.cli.support import CommandError, command_session
from traceapp.clock import today_local
from traceapp.domain.batches import get_batch
from traceapp.domain.passport import FIELD_HOME, missing_passport_fields


@click.group("passport", help="Vietnam's digital product passport (docs/passport.md).")
def passport_group() -> None:
    pass


@passport_group.command(
    "check",
    help="List the mandatory passport fields a batch lacks (the rule certification applies); "
    "exit code 2 if any is missing.",
)
@click.option("--batch", "batch_id", type=click.IntRange(1), required=True, help="Batch id.")
@with_appcontext
def check_command(batch_id: int) -> None:
    with command_session() as session:
        batch = get_batch(session, batch_id)
        missing = missing_passport_fields(session, batch, today_local())
        lot = batch.lot_code
    if missing:
        lines = [f"  {field.value} (kept on the {FIELD_HOME[field]})" for field in missing]
        raise CommandError(f"lot {lot}: the passport lacks\n" + "\n".join(lines))
    click.echo(f"lot {lot}: every mandatory passport field is filled in")


commands = [passport_group]
