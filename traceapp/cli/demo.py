"""`traceapp demo`: everything a first-time user needs to see the product work.

Migrates the schema, loads the Cao Bang demo data, makes a signing key, issues the
Bao Hung cooperative's 1,000 herbal-fed egg labels, writes their A4 label sheet and
(with --serve) serves the app. Every step is idempotent.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from labels import DEFAULT_PRESET, get_preset, render_sheet_pdf
from traceapp import schema
from traceapp.cli.serve import serve
from traceapp.cli.support import CommandError, Progress, command_session, counted, settings
from traceapp.demo.chain import load_demo_chain
from traceapp.demo.data import DEMO_ACTOR, DEMO_PASSWORD, load_demo_data
from traceapp.domain.issuance import issue_labels
from traceapp.domain.printing import run_labels
from traceapp.domain.signing_keys import active_signer, generate_key, key_store
from traceapp.models import IssuanceRun

DEMO_LABELS = 1000
DEMO_PRESET = DEFAULT_PRESET


@click.command(
    "demo",
    help="Create the schema, load the Cao Bang demo data, issue the Bao "
    "Hung cooperative's 1,000 egg labels, write their label sheet, and optionally "
    "serve the app. Safe to run again.",
)
@click.option(
    "--serve/--no-serve", "then_serve", default=False, help="Serve the app on 127.0.0.1 afterwards."
)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
@with_appcontext
def demo(ctx: click.Context, then_serve: bool, port: int) -> None:
    config = settings()
    if config.is_production:
        raise CommandError(
            "traceapp demo is refused in production (TRACEAPP_ENV=production): it creates "
            "accounts whose password is published; use `traceapp users create` instead"
        )
    config.instance_dir.mkdir(parents=True, exist_ok=True)
    click.echo("1/4 migrating the schema")
    schema.upgrade(config.database_url)

    with command_session() as session:
        summary = load_demo_data(session)
        load_demo_chain(session, summary)  # docs/value-chain.md
    click.echo(f"2/4 demo data ready ({summary.created} records created)")

    store = key_store(config)
    if store.active() is None:
        with command_session() as session:
            generate_key(session, config, DEMO_ACTOR)
    click.echo(f"3/4 signing key {store.active().kid} active in {config.keys_dir}")

    sheet_path = config.instance_dir / "demo-labels.pdf"
    with command_session() as session:
        run = session.scalar(
            select(IssuanceRun)
            .where(IssuanceRun.batch_id == summary.bao_hung_batch_id)
            .order_by(IssuanceRun.id)
        )
        if run is None:
            with click.progressbar(length=DEMO_LABELS, label="    signing 1,000 labels") as bar:
                run = issue_labels(
                    session,
                    summary.bao_hung_batch_id,
                    DEMO_LABELS,
                    active_signer(config),
                    DEMO_ACTOR,
                    progress=bar.update,
                )
        labels = run_labels(session, run, config.public_base_url)
        with Progress(run.quantity, "    rendering the label sheet") as progress:
            sheet_path.write_bytes(
                render_sheet_pdf(
                    counted(labels, progress),
                    get_preset(DEMO_PRESET),
                    config.print_options(),
                )
            )
        first_code = next(run_labels(session, run, config.public_base_url)).code
    _explain(sheet_path, first_code, run.id, config.public_base_url)
    if then_serve:
        ctx.invoke(serve, host="127.0.0.1", port=port)


def _explain(sheet_path: Path, first_code: str, run_id: int, base_url: str) -> None:
    click.echo(f"4/4 label sheet for issuance run {run_id}: {sheet_path}")
    click.echo("      print it at 100 % (no 'fit to page') on A4 21-up stock (Avery L7160)")
    click.echo("")
    click.echo(f"  first label's code:  {first_code}")
    click.echo(
        f"  console:             {base_url}/console  (e.g. van.hanh@baohung.vn / {DEMO_PASSWORD})"
    )
    click.echo(f"  public keys:         {base_url}/.well-known/traceapp-keys.json")


commands = [demo]
