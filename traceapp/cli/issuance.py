"""`traceapp issue`: sign N labels for a certified batch."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from keys.keystore import KeyStoreError
from traceapp.cli.support import CommandError, Progress, actor, command_session, settings
from traceapp.domain.issuance import MAX_LABELS_PER_REQUEST, issue_labels
from traceapp.domain.label_wording import DEFAULT_LABEL_LANGUAGE, LABEL_LANGUAGES
from traceapp.domain.signing_keys import active_signer


@click.command("issue", help="Issue COUNT signed labels for batch BATCH_ID (all or nothing).")
@click.argument("batch_id", type=int)
@click.option(
    "--count",
    "-n",
    required=True,
    type=click.IntRange(1, MAX_LABELS_PER_REQUEST),
    help="How many labels.",
)
@click.option(
    "--language",
    default=DEFAULT_LABEL_LANGUAGE,
    show_default=True,
    type=click.Choice(LABEL_LANGUAGES),
    help="The run's label language (en for export); its sheets use it unless told otherwise.",
)
@with_appcontext
def issue(batch_id: int, count: int, language: str) -> None:
    try:
        signer = active_signer(settings())
    except KeyStoreError as exc:
        raise CommandError(str(exc)) from exc
    # The bar appears once the batch and its quota are checked (issue_labels' first report).
    with Progress(count, "signing labels") as progress, command_session() as session:
        run = issue_labels(
            session,
            batch_id,
            count,
            signer,
            actor(),
            progress=progress.step,
            label_language=language,
        )
        run_id, lot = run.id, run.batch.lot_code
    click.echo(f"issued {count:,} labels for lot {lot} as run {run_id} (key {signer.key_id})")


commands = [issue]
