"""`traceapp epcis` (export and import EPCIS 2.0 JSON-LD), `traceapp partners` and
`traceapp chain record` (record a step of a batch's value chain)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from labels import preset_names
from traceapp.cli.support import (
    CommandError,
    Progress,
    actor,
    command_session,
    settings,
    write_json,
)
from traceapp.domain.box_labels import DEFAULT_PRESET, box_sheet_pdf
from traceapp.domain.value_chain import (
    STEPS,
    PartnerDetails,
    StepDetails,
    export_batch,
    import_document,
    list_partners,
    parse_inputs,
    parse_moment,
    record_step,
    register_partner,
)
from traceapp.models.value_chain import PartnerRole


@click.group("epcis", help="Exchange a batch's value-chain events as EPCIS 2.0 JSON-LD.")
def epcis_group() -> None:
    pass


@epcis_group.command("export", help="Write a batch's events as an EPCIS 2.0 document.")
@click.argument("batch_id", type=click.IntRange(1))
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@with_appcontext
def export_command(batch_id: int, out: Path | None) -> None:
    with command_session() as session:
        document = export_batch(session, batch_id)
    write_json(document, out, f"wrote {len(document['epcisBody']['eventList'])} events to {out}")


@epcis_group.command(
    "import",
    help="Store the events of an EPCIS 2.0 document, all or "
    "nothing; each event must name a batch registered here.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CommandError(f"{file} is not JSON: {exc}") from None
    # The bar appears once the document is valid and its events are being checked.
    with Progress(None, "checking events") as progress, command_session() as session:
        result = import_document(session, document, actor(), progress=progress)
    click.echo(
        f"imported {result.stored} events ({result.skipped} already stored) for "
        f"batches {', '.join(map(str, result.batch_ids))}"
    )


@epcis_group.command(
    "box-labels",
    help="Write the labels of the boxes a batch was packed "
    "into as a PDF sheet; each QR code is the box's URI.",
)
@click.argument("batch_id", type=click.IntRange(1))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="PDF file to write.",
)
@click.option(
    "--preset",
    default=DEFAULT_PRESET,
    show_default=True,
    type=click.Choice(preset_names(), case_sensitive=False),
    help="Label stock.",
)
@click.option(
    "--packing",
    type=click.IntRange(1),
    default=None,
    help="Only this packing's boxes, numbered from 1 in time order (default: all).",
)
@click.option(
    "--start-position",
    "start_position",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Position of the first label on the first sheet.",
)
@with_appcontext
def box_labels_command(
    batch_id: int, out: Path, preset: str, packing: int | None, start_position: int
) -> None:
    with command_session() as session:
        pdf, pages = box_sheet_pdf(
            session,
            batch_id,
            settings().public_base_url,
            packing,
            preset,
            start_position,
            base_options=settings().print_options(),
        )
    out.write_bytes(pdf)
    click.echo(f"wrote {pages} page(s) of box labels to {out}")


@click.group("partners", help="Partner companies that buy, process or export batches.")
def partners_group() -> None:
    pass


@partners_group.command("add", help="Register a partner company.")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in PartnerRole]))
@click.option("--gln", default=None, help="The company's 13-digit GS1 Global Location Number.")
@click.option("--address", default=None)
@click.option("--province", default=None)
@with_appcontext
def partners_add(
    name: str, role: str, gln: str | None, address: str | None, province: str | None
) -> None:
    with command_session() as session:
        partner = register_partner(
            session, PartnerDetails(name, role, gln, address, province), actor()
        )
        partner_id = partner.id
    click.echo(f"registered partner {partner_id}: {name} ({role})")


@partners_group.command("list", help="List the partner companies.")
@with_appcontext
def partners_list() -> None:
    with command_session() as session:
        for p in list_partners(session):
            click.echo(f"{p.id}\t{p.role}\t{p.gln or '-'}\t{p.name}")


@click.group("chain", help="Record what happens to a batch along its value chain.")
def chain_group() -> None:
    pass


@chain_group.command("record", help="Record one step (as EPCIS events) for a batch.")
@click.argument("batch_id", type=click.IntRange(1))
@click.option("--step", required=True, type=click.Choice(STEPS))
@click.option(
    "--at",
    "at",
    default=None,
    help="ISO 8601 time; without an offset it is Vietnamese time (default: now).",
)
@click.option("--partner", "partner_id", type=click.IntRange(1), default=None)
@click.option("--boxes", type=click.IntRange(1), default=None)
@click.option("--per-box", "per_box", type=click.IntRange(1), default=None)
@click.option("--non-conformant", is_flag=True, help="The inspection found a problem.")
@click.option("--reference", default=None, help="Despatch or receipt document number.")
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="BATCH_ID:QUANTITY",
    help="A transformation's input batch and the quantity used, e.g. 12:1200 "
    "(repeatable; the console's Inputs field takes the same pairs, comma-separated).",
)
@with_appcontext
def chain_record(
    batch_id: int,
    step: str,
    at: str | None,
    partner_id: int | None,
    boxes: int | None,
    per_box: int | None,
    non_conformant: bool,
    reference: str | None,
    inputs: tuple[str, ...],
) -> None:
    with command_session() as session:
        details = StepDetails(
            step=step,
            at=parse_moment(at),
            partner_id=partner_id,
            boxes=boxes,
            per_box=per_box,
            conformant=not non_conformant,
            reference=reference,
            inputs=parse_inputs(inputs),
        )
        events = record_step(session, batch_id, details, actor())
        count = len(events)
    click.echo(f"recorded {step}: {count} events")


commands = [epcis_group, partners_group, chain_group]
