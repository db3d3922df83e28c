"""Five years of scans, generated inside PostgreSQL (INSERT ... SELECT over the
labels): no row crosses the wire, and several connections share the label ranges.

The shape (issue 18): 60 % of labels are never scanned (labels.py). A signed label
is scanned once (25 %), twice (15 %) or more (60 %: 3 plus an exponential tail of
mean 18, at most 50), from one to three phones, mostly in the months after its batch
was produced; one scan in twenty carries a coarse location near the province
(sharing it is the consumer's choice). So about three labels in four are scanned 0-2
times, and the mean is five scans per label. The hot batch's labels are scanned 50
times each (a batch with a million scans at S = 1). A few thousand copied codes are
scanned 200-700 times each from all over the country within four months, and a few
scans in a thousand come from codes that match no label.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg

LABELS_PER_STATEMENT = 500_000
FORGED_SHARE = 0.003
REGIONS = "ARRAY['Cao Bằng', 'Quảng Ninh', 'Lạng Sơn', 'Hà Nội', 'Hải Phòng', 'TP Hồ Chí Minh']"

COLUMNS = "label_id, scanned_at, verdict, client_hash, latitude, longitude, region"
# A label's own figures come from hashes of its id, so they are drawn once per label.
ORDINARY = f"""
WITH picked AS (
  SELECT l.id, b.produced_on,
         CASE WHEN l.u < 0.25 THEN 1 WHEN l.u < 0.4 THEN 2
              ELSE LEAST(50, 3 + floor(-ln(1 - l.v) * 18)::int) END AS scans,
         1 + ((hashint8extended(l.id, 3) & 255) %% 3)::int AS phones
  FROM (SELECT id, batch_id,
               (hashint8extended(id, 1) & 1048575) / 1048576.0 AS u,
               (hashint8extended(id, 2) & 1048575) / 1048576.0 AS v
        FROM labels
        WHERE id >= %(first)s AND id < %(last)s AND batch_id <> %(hot)s
          AND signature <> %(placeholder)s) l
  JOIN batches b ON b.id = l.batch_id
)
INSERT INTO scans ({COLUMNS})
SELECT p.id,
       p.produced_on + interval '1 day'
         + (random() ^ 2) * LEAST(interval '365 days', now() - p.produced_on - interval '1 day'),
       'genuine',
       md5(p.id || ':' || s.n %% p.phones) || md5(s.n %% p.phones || ':' || p.id),
       CASE WHEN s.located THEN round((22.4 + random())::numeric, 1)::float8 END,
       CASE WHEN s.located THEN round((105.7 + random())::numeric, 1)::float8 END,
       CASE WHEN s.located THEN ({REGIONS})[1 + (p.id %% 3)] END
FROM picked p
CROSS JOIN LATERAL (
  SELECT n, (hashint8extended(p.id * 64 + n, 4) & 1023) < 51 AS located
  FROM generate_series(1, p.scans) AS n
) s
"""
HOT = f"""
INSERT INTO scans ({COLUMNS})
SELECT l.id,
       b.produced_on + interval '1 day' + random() * (now() - b.produced_on - interval '1 day'),
       'genuine',
       md5(l.id || ':' || n %% 3) || md5(n %% 3 || ':' || l.id),
       NULL, NULL, NULL
FROM labels l JOIN batches b ON b.id = l.batch_id
CROSS JOIN generate_series(1, %(each)s) AS n
WHERE l.batch_id = %(hot)s
"""
COPIED = f"""
INSERT INTO scans ({COLUMNS})
SELECT l.id,
       b.produced_on + interval '30 days' + random() * interval '120 days',
       'genuine',
       md5(random()::text) || md5(random()::text),
       round((10.5 + random() * 12.5)::numeric, 1)::float8,
       round((104.0 + random() * 5.0)::numeric, 1)::float8,
       ({REGIONS})[1 + floor(random() * 6)::int]
FROM labels l JOIN batches b ON b.id = l.batch_id
CROSS JOIN LATERAL generate_series(1, 200 + (hashint8extended(l.id, 5) & 511)::int) AS n
WHERE l.id = ANY(%(ids)s)
"""
FORGED = f"""
INSERT INTO scans ({COLUMNS})
SELECT NULL, now() - random() * interval '1825 days', 'not_genuine',
       md5(random()::text) || md5(random()::text), NULL, NULL, NULL
FROM generate_series(1, %(count)s)
"""


def write_scans(
    driver_url: str,
    *,
    last_label_id: int,
    hot_batch_id: int,
    hot_each: int,
    copied_label_ids: list[int],
    placeholder: str,
    forged: int,
    workers: int,
    progress: Callable[[str], None],
) -> None:
    """Every scan of the province; progress hears each finished statement."""
    statements: list[tuple[str, str, dict]] = [
        ("hot batch", HOT, {"hot": hot_batch_id, "each": hot_each}),
        ("copied codes", COPIED, {"ids": copied_label_ids}),
        ("codes matching no label", FORGED, {"count": forged}),
    ]
    for first in range(1, last_label_id + 1, LABELS_PER_STATEMENT):
        last = min(first + LABELS_PER_STATEMENT, last_label_id + 1)
        parameters = {"first": first, "last": last, "hot": hot_batch_id, "placeholder": placeholder}
        statements.append((f"labels {first:,}-{last - 1:,}", ORDINARY, parameters))

    def run(statement: tuple[str, str, dict]) -> str:
        name, sql, parameters = statement
        with psycopg.connect(driver_url) as connection:
            _bulk_session(connection)
            connection.execute(sql, parameters)
        return name

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for name in pool.map(run, statements):
            progress(name)


def _bulk_session(connection: psycopg.Connection) -> None:
    # Foreign keys hold by construction; their per-row triggers would double the time.
    connection.execute("SET session_replication_role = replica")
    connection.execute("SET synchronous_commit = off")
    # Dates of production are local days.
    connection.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
