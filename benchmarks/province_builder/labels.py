"""The labels of every issuance run, written with COPY by several processes.

A label that will be scanned is signed for real (the CodeSigner of keys/signing.py,
with the province's key); about NEVER_SCANNED of the others carry PLACEHOLDER_CHARS
in place of a signature, which no key verifies: `scans.py` gives scans only to
labels with a real signature. The first label of every run, and every label of the
hot batch, are always signed (copied codes and the scan statistics use them).

Each worker returns the digests the audit log pins for its runs (labels_sha256 over
serial, batch, key id and signature in print order, as issuance computes it).
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg

from keys.codes import FORMAT_VERSION, SIGNATURE_CHARS
from keys.keystore import KeyStore
from keys.serials import new_serials
from traceapp.domain.audit_facts import LabelDigest
from traceapp.domain.issuance import serials_digest

NEVER_SCANNED = 0.6
PLACEHOLDER_CHARS = "A" * SIGNATURE_CHARS  # an all-zero signature: verifies under no key
LABELS_PER_TASK = 50_000
COLUMNS = "id, batch_id, run_id, sequence, serial, key_id, signature, status"


def placeholder(key_id: str) -> str:
    """The AI 8030 value of a label that is never scanned."""
    return f"{FORMAT_VERSION}{key_id}{PLACEHOLDER_CHARS}"


@dataclass(frozen=True)
class RunTask:
    """One run to write: its ids, the product and lot its labels are signed for."""

    run_id: int
    batch_id: int
    first_label_id: int
    count: int
    gtin: str | None
    product_ref: str | None
    lot: str
    all_signed: bool


@dataclass(frozen=True)
class Signing:
    """What a worker process needs to open the key store itself."""

    keys_dir: str
    passphrase: str
    issuer: str
    base_url: str


@dataclass(frozen=True)
class RunDigests:
    run_id: int
    labels_sha256: str
    serials_sha256: str
    signed: int


def write_labels(
    driver_url: str, signing: Signing, tasks: list[RunTask], workers: int
) -> Iterator[RunDigests]:
    """Write every run's labels; yields each run's digests as its group commits."""
    groups = list(_groups(tasks))
    if workers <= 1:
        for group in groups:
            yield from _write_group(driver_url, signing, group)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for digests in pool.map(
            _write_group, [driver_url] * len(groups), [signing] * len(groups), groups
        ):
            yield from digests


def _groups(tasks: list[RunTask]) -> Iterator[list[RunTask]]:
    group: list[RunTask] = []
    size = 0
    for task in tasks:
        group.append(task)
        size += task.count
        if size >= LABELS_PER_TASK:
            yield group
            group, size = [], 0
    if group:
        yield group


def _write_group(driver_url: str, signing: Signing, group: list[RunTask]) -> list[RunDigests]:
    store = KeyStore(Path(signing.keys_dir), signing.passphrase.encode())
    signer = store.active_signer(signing.issuer, signing.base_url)
    results = []
    with psycopg.connect(driver_url) as connection:
        connection.execute("SET session_replication_role = replica")
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY labels ({COLUMNS}) FROM STDIN") as copy,
        ):
            for task in group:
                buffer = io.StringIO()
                digests = _run_rows(task, signer, buffer)
                copy.write(buffer.getvalue())
                results.append(digests)
    return results


def _run_rows(task: RunTask, signer, out: io.StringIO) -> RunDigests:
    rng = random.Random(task.run_id)
    serials = new_serials(task.count)
    signed_serials = [
        serial
        for sequence, serial in enumerate(serials, start=1)
        if task.all_signed or sequence == 1 or rng.random() >= NEVER_SCANNED
    ]
    signatures = dict(_signatures(signer, task, signed_serials))
    fake = placeholder(signer.key_id)
    digest = LabelDigest()
    for sequence, serial in enumerate(serials, start=1):
        signature = signatures.get(serial, fake)
        digest.add(serial, task.batch_id, signer.key_id, signature)
        out.write(
            f"{task.first_label_id + sequence - 1}\t{task.batch_id}\t{task.run_id}\t{sequence}\t"
            f"{serial}\t{signer.key_id}\t{signature}\tactive\n"
        )
    return RunDigests(
        task.run_id,
        digest.hexdigest(),
        serials_digest(serials),
        len(signatures),
    )


def _signatures(signer, task: RunTask, serials: Iterable[str]) -> Iterator[tuple[str, str]]:
    for serial, uri in signer.sign_many(
        gtin=task.gtin, product_ref=task.product_ref, lot=task.lot, serials=serials
    ):
        yield serial, uri.rsplit("8030=", 1)[1]
