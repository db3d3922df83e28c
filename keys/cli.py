"""Command line: key management (`traceapp keys ...`) and the offline `verify` command.

`keys_cli` is the group the service mounts as `traceapp keys`; `verify_command` is
also usable on its own, and `python -m keys` runs the whole group without the
service installed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from keys.bundle import DEFAULT_MAX_AGE_DAYS, InvalidBundle, OfflineBundle
from keys.codes import LabelCode
from keys.keyset import InvalidKeySet, PublicKeySet
from keys.keystore import PASSPHRASE_ENV, KeyInfo, KeyStore, KeyStoreError
from keys.verdicts import EXIT_CODES, SIGNATURE_ONLY, LabelVerdict, decide_verdict
from keys.verify import verify_code

KEYS_DIR_ENV = "TRACEAPP_KEYS_DIR"
ISSUER_ENV = "TRACEAPP_ISSUER"
DEFAULT_KEYS_DIR = "instance/keys"
DEFAULT_ISSUER = "VN-CB-LMHTX"
USAGE_ERROR = 2

INSTANCE_DIR_ENV = "TRACEAPP_INSTANCE_DIR"


def _default_keys_dir() -> Path:
    # As the service finds it: TRACEAPP_KEYS_DIR, else the instance directory's keys/.
    instance = os.environ.get(INSTANCE_DIR_ENV)
    return Path(instance) / "keys" if instance else Path(DEFAULT_KEYS_DIR)


keys_dir_option = click.option(
    "--keys-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=KEYS_DIR_ENV,
    default=_default_keys_dir,
    show_default=f"${INSTANCE_DIR_ENV}/keys, else {DEFAULT_KEYS_DIR}",
    show_envvar=True,
    help="Directory holding the encrypted private keys and their index.",
)
issuer_option = click.option(
    "--issuer",
    envvar=ISSUER_ENV,
    default=DEFAULT_ISSUER,
    show_default=True,
    show_envvar=True,
    help="Issuer id written into the public key document.",
)


def _store(keys_dir: Path) -> KeyStore:
    passphrase = os.environ.get(PASSPHRASE_ENV)
    return KeyStore(keys_dir, passphrase.encode("utf-8") if passphrase else None)


def _run(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except (KeyStoreError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


def _describe(info: KeyInfo) -> str:
    dates = f"created {info.created_at}"
    if info.retired_at:
        dates += f", retired {info.retired_at}"
    if info.revoked_at:
        dates += f", revoked {info.revoked_at}"
    return f"{info.kid}  {info.status.value:<8} {dates}"


@click.group(name="keys")
def keys_cli() -> None:
    """Manage the issuer's label signing keys and verify label codes.

    Private keys are encrypted with the passphrase in TRACEAPP_KEY_PASSPHRASE.
    """


@keys_cli.command()
@keys_dir_option
def generate(keys_dir: Path) -> None:
    """Create the first signing key (refused if one is active: use rotate)."""
    info = _run(_store(keys_dir).generate)
    click.echo(f"generated key {info.kid} (active) in {keys_dir}")


def show_keys(store: KeyStore) -> None:
    """Print every key of `store` with its status and dates."""
    infos = _run(store.list)
    if not infos:
        click.echo(f"no keys in {store.directory}")
    for info in infos:
        click.echo(_describe(info))


def write_keyset(store: KeyStore, issuer: str, out: Path | None) -> None:
    """Write the public key document of `store`; exit 2 if it would hold no key
    (a verifier handed an empty document would call every genuine label fake)."""
    keyset = _run(lambda: store.public_keyset(issuer))
    if not keyset.keys:
        _usage_error(
            f"no keys in {store.directory}: nothing to export (is the key directory "
            f"right? set {KEYS_DIR_ENV} or TRACEAPP_INSTANCE_DIR)"
        )
    text = keyset.to_json()
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from None
    click.echo(f"wrote the public key set of {issuer} to {out}", err=True)


@keys_cli.command(name="list")
@keys_dir_option
def list_keys(keys_dir: Path) -> None:
    """List every key with its status and dates (no passphrase needed)."""
    show_keys(_store(keys_dir))


@keys_cli.command()
@keys_dir_option
def rotate(keys_dir: Path) -> None:
    """Create a new active key; the current one is retired (its labels stay valid)."""
    info = _run(_store(keys_dir).rotate)
    click.echo(f"rotated: key {info.kid} is now active; export the key set again")


@keys_cli.command()
@click.argument("kid")
@keys_dir_option
def revoke(kid: str, keys_dir: Path) -> None:
    """Revoke key KID: labels it signed will verify as "revoked key"."""
    store = _store(keys_dir)
    info = _run(lambda: store.revoke(kid))
    click.echo(f"revoked key {info.kid}; export the key set again and publish it")
    if store.active() is None:
        click.echo("warning: no key is active now; run rotate before issuing labels", err=True)


@keys_cli.command(name="export-jwks")
@keys_dir_option
@issuer_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the document to this file instead of standard output.",
)
def export_jwks(keys_dir: Path, issuer: str, out: Path | None) -> None:
    """Write the public key document (JWKS JSON) that offline verifiers need."""
    write_keyset(_store(keys_dir), issuer, out)


def _usage_error(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(USAGE_ERROR)


def _load_keyset(path: Path) -> PublicKeySet:
    try:
        return PublicKeySet.from_json(path.read_bytes())
    except OSError as exc:
        _usage_error(f"cannot read the key file {path}: {exc.strerror or exc}")
    except InvalidKeySet as exc:
        _usage_error(f"{path} is not a valid public key file: {exc}")


def _code_lines(code: LabelCode) -> list[str]:
    item = (
        f"GTIN:     {code.gtin}"
        if code.gtin is not None
        else f"Product:  {code.product_ref} (no GTIN)"
    )
    return [item, f"Lot:      {code.lot}", f"Serial:   {code.serial}", f"Key id:   {code.key_id}"]


def _verdict_words(verdict: str, reason: str) -> str:
    words = verdict.replace("_", " ").upper()
    if verdict == LabelVerdict.NOT_GENUINE:
        words += f": {reason.replace('_', ' ').upper()}"
    return words


@click.command(name="verify")
@click.argument("code")
@click.option(
    "--keys",
    "keys_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The issuer's public key document (JSON from export-jwks, or /keys.json).",
)
@click.option(
    "--bundle",
    "bundle_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An offline bundle of a province or commune (console or /inspect/): the verdict then "
    "says whether the label is voided, its batch recalled or its certification expired.",
)
@click.option(
    "--max-age-days",
    type=click.FloatRange(min=0),
    default=DEFAULT_MAX_AGE_DAYS,
    show_default=True,
    help="Warn when the bundle's data is older than this.",
)
def verify_command(
    code: str,
    keys_file: Path,
    bundle_file: Path | None = None,
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
) -> None:
    """Verify label CODE offline against the issuer's public keys.

    The first line is the verdict. Exit status, one per verdict: 0 GENUINE,
    3 NOT GENUINE: MALFORMED, 4 NOT GENUINE: TAMPERED, 5 NOT GENUINE: UNKNOWN KEY,
    7 REVOKED KEY, 8 NOT IN BUNDLE, 9 VOIDED, 10 RECALLED, 11 EXPIRED; 2 usage
    error such as an unreadable key or bundle file. Without --bundle only the
    signature is checked (0, 3, 4, 5 or 7).
    """
    keyset = _load_keyset(keys_file)
    lines: list[str] = []
    if bundle_file is None:
        result = verify_code(code, keyset)
        verdict, reason = decide_verdict(result.verdict, SIGNATURE_ONLY)
        lines.append(f"Verdict:  {_verdict_words(verdict, reason)}")
        if verdict == LabelVerdict.GENUINE:
            lines.append("          (signature only: give --bundle for voided labels and recalls)")
        lines.append(f"Detail:   {result.detail}")
        found, batch_lines = result.code, []
    else:
        bundle = _load_bundle(bundle_file, keyset)
        check = bundle.check(code)
        verdict, reason = check.verdict, check.reason
        lines += [
            f"Verdict:  {_verdict_words(verdict, reason)}",
            f"Detail:   {check.detail}",
            f"Data as of: {bundle.generated_at} (checked on {check.day})",
        ]
        found = check.code
        batch_lines = check.batch.lines() if check.batch is not None else []
        if bundle.age_days() > max_age_days:
            click.echo(
                f"warning: the bundle's data is {bundle.age_days():.0f} days old; "
                "download a new one when you have signal",
                err=True,
            )
    lines.append(f"Issuer:   {keyset.issuer}")
    if found is not None:
        lines += _code_lines(found)
    lines += batch_lines
    click.echo("\n".join(lines))
    sys.exit(EXIT_CODES[verdict if verdict != LabelVerdict.NOT_GENUINE else reason])


def _load_bundle(path: Path, keyset: PublicKeySet) -> OfflineBundle:
    try:
        return OfflineBundle.load(path.read_bytes(), keyset)
    except OSError as exc:
        _usage_error(f"cannot read the bundle {path}: {exc.strerror or exc}")
    except InvalidBundle as exc:
        _usage_error(f"{path} is not a trustworthy bundle: {exc}")


keys_cli.add_command(verify_command)
