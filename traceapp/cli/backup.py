"""`traceapp backup`: portable archives of the database and keys, and restoring them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from traceapp.cli.support import CommandError, Progress, settings
from traceapp.infrastructure.backup import (
    BackupError,
    backed_up_tables,
    create_backup,
    restore_backup,
)


def _engine():
    return current_app.extensions["traceapp.sessions"].kw["bind"]


@click.group("backup", help="Back up this instance to a portable archive, or restore one.")
def backup_group() -> None:
    pass


@backup_group.command(
    "create",
    help="Write the database (JSON rows per table), the public "
    "key set and a SHA-256 manifest to OUT (.tar.gz).",
)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--include-private-keys",
    is_flag=True,
    help="Also store the encrypted private keys (still protected by the "
    "passphrase; keep the archive as safe as the key directory).",
)
@with_appcontext
def create(out: Path, include_private_keys: bool) -> None:
    config = settings()
    try:
        with Progress(len(backed_up_tables()), "reading tables") as progress:
            manifest = create_backup(
                _engine(),
                config.keys_dir,
                config.issuer,
                out,
                include_private_keys=include_private_keys,
                progress=progress,
            )
    except (BackupError, OSError) as exc:
        raise CommandError(str(exc)) from exc
    rows = sum(table["rows"] for table in manifest["tables"].values())
    keys = "with private keys" if include_private_keys else "public keys only"
    click.echo(f"wrote {out}: {rows:,} rows in {len(manifest['tables'])} tables, {keys}")


@backup_group.command(
    "restore",
    help="Restore archive IN onto this fresh instance (migrated "
    "and empty), in one transaction, then run `audit verify`. Exit status: "
    "0 restored and verified, 1 restored with findings, 2 refused.",
)
@click.argument(
    "archive", metavar="IN", type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@with_appcontext
def restore(archive: Path) -> None:
    from traceapp.cli.audit import run_verification

    try:
        with Progress(len(backed_up_tables()), "restoring tables") as progress:
            summary = restore_backup(_engine(), settings().keys_dir, archive, progress=progress)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    rows = sum(summary.tables.values())
    click.echo(
        f"restored {rows:,} rows from {archive}; keys written: "
        f"{', '.join(summary.keys_restored) or 'none'}"
    )
    report = run_verification()
    for finding in report.findings:
        click.echo(f"FINDING {finding}")
    if not report.clean:
        click.echo(f"restored, but audit verify has {len(report.findings)} finding(s)", err=True)
        sys.exit(1)
    click.echo(f"audit log verified: {report.entries:,} entries, {report.labels:,} labels")


commands = [backup_group]
