"""Codes of a built province to scan: labels with a real signature only."""

from __future__ import annotations

import random

import psycopg

from benchmarks.province_builder.instance import PUBLIC_BASE_URL, Instance
from benchmarks.province_builder.labels import PLACEHOLDER_CHARS
from keys.codes import label_uri

SELECT_LABELS = """
SELECT p.gtin, p.ref, b.lot_code, l.serial, l.signature
FROM labels l JOIN batches b ON b.id = l.batch_id JOIN products p ON p.id = b.product_id
WHERE l.signature NOT LIKE %(placeholder)s AND {where}
ORDER BY l.id
"""


def sample_codes(instance: Instance, count: int, seed: int = 18) -> list[str]:
    """About `count` signed codes spread over the whole province (ids drawn at random)."""
    with psycopg.connect(instance.driver_url()) as connection:
        (last,) = connection.execute("SELECT coalesce(max(id), 0) FROM labels").fetchone()
        rng = random.Random(seed)
        ids = sorted({rng.randrange(1, last + 1) for _ in range(count * 2)})
        rows = connection.execute(
            SELECT_LABELS.format(where="l.id = ANY(%(ids)s)"),
            {"ids": ids, "placeholder": f"%{PLACEHOLDER_CHARS}"},
        ).fetchall()
    return [_uri(*row) for row in rows[:count]]


def batch_codes(instance: Instance, batch_id: int, count: int) -> list[str]:
    """The first `count` signed codes of one batch."""
    with psycopg.connect(instance.driver_url()) as connection:
        rows = connection.execute(
            SELECT_LABELS.format(where="l.batch_id = %(batch)s") + " LIMIT %(count)s",
            {"batch": batch_id, "count": count, "placeholder": f"%{PLACEHOLDER_CHARS}"},
        ).fetchall()
    return [_uri(*row) for row in rows]


def _uri(gtin: str | None, ref: str, lot: str, serial: str, signature: str) -> str:
    return label_uri(
        PUBLIC_BASE_URL,
        gtin=gtin,
        product_ref=None if gtin else ref,
        lot=lot,
        serial=serial,
        signature_field=signature,
    )
