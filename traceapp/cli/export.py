"""`traceapp export portal`: a batch's record for Vietnam's national traceability portal."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from traceapp.cli.support import CommandError, command_session, settings
from traceapp.clock import today_local
from traceapp.domain.portal_export import portal_csv, portal_export


@click.group("export", help="Export data for other systems.")
def export_group() -> None:
    pass


@export_group.command(
    "portal",
    help="Write a certified batch's data in the field set of Circular 02/2024/TT-BKHCN and "
    "Decree 37/2026/NĐ-CP as JSON and CSV (docs/passport.md lists every field).",
)
@click.option("--batch", "batch_id", type=click.IntRange(1), required=True, help="Batch id.")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory to write portal-batch-N.json and portal-batch-N.csv into.",
)
@with_appcontext
def portal_command(batch_id: int, out_dir: Path) -> None:
    with command_session() as session:
        record = portal_export(session, batch_id, settings().public_base_url, today_local())
    json_path = out_dir / f"portal-batch-{batch_id}.json"
    csv_path = out_dir / f"portal-batch-{batch_id}.csv"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        json_path.write_text(
            json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        csv_path.write_text(portal_csv(record), encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write to {out_dir}: {exc.strerror}") from exc
    click.echo(f"wrote {json_path} and {csv_path} ({len(record['serials'])} serials)")


commands = [export_group]
