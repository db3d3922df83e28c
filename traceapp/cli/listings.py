"""`traceapp batches list` and `traceapp runs list`: what there is to issue and print."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from traceapp.cli.support import command_session
from traceapp.domain.listings import MAX_PAGE, list_batches, list_runs, runs_of
from traceapp.models import BatchStatus


@click.group("batches", help="Production batches.")
def batches_group() -> None:
    pass


@batches_group.command("list", help="List batches, newest first.")
@click.option("--status", type=click.Choice(list(BatchStatus)), default=None, help="Only these.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, MAX_PAGE))
@with_appcontext
def batches_list(status: str | None, limit: int) -> None:
    with command_session() as session:
        rows = [
            (
                batch.id,
                batch.lot_code,
                batch.status,
                f"{batch.labels_issued:,}/{batch.quantity:,} {batch.unit}",
                batch.cooperative.name,
                batch.product.name,
            )
            for batch in list_batches(session, status=status, limit=limit)
        ]
    if not rows:
        click.echo("no batches" + (f" with status {status}" if status else ""))
        return
    click.echo(
        f"{'ID':>5}  {'LOT':<14} {'STATUS':<10} {'LABELS/QUANTITY':<22} COOPERATIVE · PRODUCT"
    )
    for batch_id, lot, state, amounts, cooperative, product in rows:
        click.echo(f"{batch_id:>5}  {lot:<14} {state:<10} {amounts:<22} {cooperative} · {product}")


@click.group("runs", help="Issuance runs (the labels issued by one request).")
def runs_group() -> None:
    pass


@runs_group.command("list", help="List issuance runs, newest first.")
@click.option("--batch", "batch_id", type=int, default=None, help="Only this batch's runs.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, MAX_PAGE))
@with_appcontext
def runs_list(batch_id: int | None, limit: int) -> None:
    with command_session() as session:
        runs = runs_of(session, batch_id)[::-1][:limit] if batch_id else list_runs(session, limit)
        rows = [
            (run.id, run.batch_id, run.batch.lot_code, run.quantity, run.key_id, run.created_at)
            for run in runs
        ]
    if not rows:
        click.echo("no issuance runs")
        return
    click.echo(f"{'RUN':>5}  {'BATCH':>5}  {'LOT':<14} {'LABELS':>8}  KEY       CREATED (UTC)")
    for run_id, batch, lot, quantity, key_id, created in rows:
        click.echo(
            f"{run_id:>5}  {batch:>5}  {lot:<14} {quantity:>8,}  {key_id:<8}  "
            f"{created:%Y-%m-%d %H:%M}"
        )


commands = [batches_group, runs_group]
