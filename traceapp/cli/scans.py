"""`traceapp scans`: month partitions, roll-ups and retention of scans (run it from cron)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from traceapp.cli.support import CommandError, actor, command_session, settings
from traceapp.domain.scan_rollups import maintain_scans, prune_scans, roll_up_scans
from traceapp.errors import DomainError
from traceapp.infrastructure.scan_partitions import PrunedScans, ensure_partitions
from traceapp.models._columns import timestamp_text


@click.group("scans", help="Partitions, roll-ups and retention of scans.")
def scans_group() -> None:
    pass


def _factory():
    return current_app.extensions["traceapp.sessions"]


def _echo_pruned(pruned: PrunedScans | None) -> None:
    if pruned is None:
        click.echo("retention: off (TRACEAPP_SCAN_RETENTION_MONTHS=0), no scan dropped")
        return
    partitions = ", ".join(pruned.partitions) or "none"
    click.echo(
        f"dropped {pruned.rows} raw scans from before {timestamp_text(pruned.cutoff)}"
        f" (partitions: {partitions}); their roll-ups stay"
    )


def _progress(moment: datetime, scans: int) -> None:
    click.echo(f"  rolled up to {timestamp_text(moment)}: {scans} scans", err=True)


@scans_group.command(
    "maintain",
    help="Create the month partitions ahead (PostgreSQL), roll every scan older than a "
    "quarter of an hour up into the aggregates, and drop raw scans older than "
    "TRACEAPP_SCAN_RETENTION_MONTHS (logged in the audit log). Safe to run from cron "
    "and on several machines at once.",
)
@with_appcontext
def maintain() -> None:
    try:
        report = maintain_scans(_factory(), settings().scan_retention_months, actor())
    except DomainError as exc:
        raise CommandError(exc.detail) from exc
    except OperationalError as exc:
        raise CommandError(f"database error: {exc.orig} (run it again later)") from exc
    click.echo(f"partitions created: {', '.join(report.partitions_created) or 'none'}")
    click.echo(
        f"rolled up {report.rollup.scans} scans; aggregates reach"
        f" {timestamp_text(report.rollup.rolled_up_to)}"
    )
    _echo_pruned(report.pruned)


@scans_group.command(
    "roll-up", help="Roll every scan older than a quarter of an hour up into the aggregates."
)
@click.option("--quiet", is_flag=True, help="No line per window on stderr.")
@with_appcontext
def roll_up(quiet: bool) -> None:
    try:
        report = roll_up_scans(_factory(), progress=None if quiet else _progress)
    except OperationalError as exc:
        raise CommandError(f"database error: {exc.orig} (run it again later)") from exc
    click.echo(
        f"rolled up {report.scans} scans in {report.windows} windows; aggregates reach"
        f" {timestamp_text(report.rolled_up_to)}"
    )


@scans_group.command(
    "prune",
    help="Drop raw scans older than MONTHS whole months before the current one (default "
    "TRACEAPP_SCAN_RETENTION_MONTHS); only what the roll-up has counted. Logged in the "
    "audit log as scans.pruned.",
)
@click.option("--months", type=click.IntRange(min=1), default=None, help="Months kept.")
@with_appcontext
def prune(months: int | None) -> None:
    kept = months if months is not None else settings().scan_retention_months
    if not kept:
        raise CommandError(
            "TRACEAPP_SCAN_RETENTION_MONTHS is 0 (keep every scan): give --months to prune"
        )
    with command_session() as session:
        pruned = prune_scans(session, kept, datetime.now(UTC).date(), actor())
    _echo_pruned(pruned)


@scans_group.command("partitions", help="Create the month partitions ahead (PostgreSQL).")
@with_appcontext
def partitions() -> None:
    with command_session() as session:
        created = ensure_partitions(session.connection(), datetime.now(UTC).date())
    click.echo(f"partitions created: {', '.join(created) or 'none'}")


commands = [scans_group]
