"""`traceapp audit`: signed checkpoints, verification and inclusion proofs of the log."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from keys.keyset import InvalidKeySet, PublicKeySet
from keys.keystore import KeyStoreError
from keys.log_proof import verify_inclusion
from traceapp.cli.support import CommandError, actor, command_session, settings, write_json
from traceapp.domain.audit_verification import AuditReport, record_verification, verify_records
from traceapp.domain.checkpoints import checkpoint_document, create_checkpoint, inclusion_proof
from traceapp.domain.signing_keys import key_store


@click.group("audit", help="Check the tamper-evident audit log and publish checkpoints of it.")
def audit_group() -> None:
    pass


@audit_group.command(
    "checkpoint",
    help="Sign the log's current head with the active key "
    "(safe to run from cron: nothing new is signed if the head has not moved).",
)
@with_appcontext
def checkpoint() -> None:
    config = settings()
    try:
        key_id, private_key = key_store(config).active_private_key()
    except KeyStoreError as exc:
        raise CommandError(str(exc)) from exc
    with command_session() as session:
        made, new = create_checkpoint(session, config.issuer, key_id, private_key)
        document = checkpoint_document(made, config.issuer)
    state = "signed checkpoint" if new else "log unchanged since checkpoint"
    click.echo(
        f"{state} {made.id}: entry {document['last_entry_id']}, head "
        f"{document['head_hash']} (key {key_id})"
    )


@audit_group.command(
    "verify",
    help="Recompute the log's hash chain, check the checkpoints' signatures and heads, "
    "compare every trust fact (batches, certifications, products, runs, accounts, API "
    "tokens, chain events) with what the log says, and check the labels against the log. "
    "Starts from the last checkpoint a verify found clean, unless --full. "
    "Exit status: 0 clean, 1 findings.",
)
@click.option("--skip-labels", is_flag=True, help="Check only the log, checkpoints and facts.")
@click.option(
    "--full",
    is_flag=True,
    help="Verify the whole log from its first entry (with a progress bar), not only "
    "the entries since the last verified checkpoint.",
)
@with_appcontext
def verify(skip_labels: bool, full: bool) -> None:
    started = time.perf_counter()
    report = run_verification(labels=not skip_labels, full=full)
    elapsed = time.perf_counter() - started
    for finding in report.findings:
        click.echo(f"FINDING {finding}")
    scope = (
        f"since checkpoint {report.since_checkpoint}"
        if report.since_checkpoint is not None
        else "from the first entry"
    )
    summary = (
        f"{report.entries:,} log entries {scope}, {report.checkpoints:,} checkpoints, "
        f"{report.runs:,} issuance runs, {report.labels:,} labels checked"
        + (" (of the batches written since the last verify)" if report.noted_batches_only else "")
        + f" in {elapsed:.2f} s"
    )
    if report.clean:
        click.echo(f"audit log verified: {summary}")
        return
    click.echo(f"{len(report.findings):,} finding(s): {summary}", err=True)
    sys.exit(1)


def run_verification(*, labels: bool = True, full: bool = True) -> AuditReport:
    """The `audit verify` checks against this instance's public key set; a clean
    result that reached a new checkpoint is recorded for the next verify."""
    config = settings()
    try:
        keyset = key_store(config).public_keyset(config.issuer)
    except KeyStoreError as exc:
        click.echo(f"warning: {exc}; checkpoint signatures are not checked", err=True)
        keyset = None
    with contextlib.ExitStack() as stack, command_session() as session:
        bar: list = []

        def progress(done: int, total: int) -> None:
            if not full:
                return
            if not bar:
                bar.append(
                    stack.enter_context(
                        click.progressbar(length=total, label="verifying the log", file=sys.stderr)
                    )
                )
            bar[0].update(done)

        report = verify_records(session, keyset, labels=labels, full=full, progress=progress)
        stack.close()
        record_verification(session, report, actor())
        return report


@audit_group.command(
    "prove",
    help="Print the proof that issuance run RUN_ID is in the log "
    "under a published checkpoint (JSON; check it with `audit check-proof`).",
)
@click.option("--run", "run_id", required=True, type=int, help="The issuance run.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the proof to this file instead of standard output.",
)
@with_appcontext
def prove(run_id: int, out: Path | None) -> None:
    with command_session() as session:
        proof = inclusion_proof(session, run_id, settings().issuer)
    write_json(proof, out, f"wrote the proof for run {run_id} to {out}")


@audit_group.command(
    "check-proof",
    help="Check an inclusion proof offline against the "
    "issuer's public key file. Exit status: 0 valid, 1 not valid.",
)
@click.argument("proof_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--keys",
    "keys_file",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The issuer's public key document (JSON from `keys export-jwks`).",
)
def check_proof(proof_file: Path, keys_file: Path) -> None:
    try:
        keyset = PublicKeySet.from_json(keys_file.read_bytes())
        proof = json.loads(proof_file.read_text(encoding="utf-8"))
    except (InvalidKeySet, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    result = verify_inclusion(proof, keyset)
    click.echo(("VALID: " if result.valid else "NOT VALID: ") + result.detail)
    sys.exit(0 if result.valid else 1)


commands = [audit_group]
