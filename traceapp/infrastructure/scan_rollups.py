"""Scan roll-ups in SQL: the upserts that add a set of raw scans to the aggregate
tables, and the joins that read a code's scans as aggregates plus the raw scans
not rolled up yet.

A scan is in the aggregates when its `scanned_at` is before `scan_rollup.rolled_up_to`
(the watermark), and only raw otherwise; readers add the two, so every figure is
exact whichever side a scan is on, and stays so once raw scans are pruned.
traceapp/domain/scan_rollups.py decides the windows and the clone rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    SQLColumnExpression,
    case,
    distinct,
    func,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import FunctionElement

from traceapp.clock import LOCAL_TZ
from traceapp.models import (
    BatchScanTotal,
    Label,
    LabelScanClient,
    LabelScanTotal,
    Scan,
    ScanDay,
    ScanRollup,
)

ROLLUP_ROW = 1
# The watermark before any roll-up (scan_rollup has no row yet: a new or restored
# database, or one emptied by the tests): nothing is rolled up.
NOTHING_ROLLED_UP = datetime(1970, 1, 1, tzinfo=UTC)


class local_day(FunctionElement):  # noqa: N801 (an SQL function's name)
    """The Vietnamese calendar day of a stored UTC time, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(local_day, "postgresql")
def _local_day_postgresql(element, compiler, **kw) -> str:
    return f"CAST(timezone('{LOCAL_TZ.key}', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw) -> str:
    # Viet Nam has kept UTC+7 without daylight saving time since 1975.
    offset = LOCAL_TZ.utcoffset(datetime(2000, 1, 1))
    hours = int(offset.total_seconds() // 3600) if offset else 0
    return f"date({compiler.process(element.clauses, **kw)}, '{hours:+d} hours')"


def watermark() -> ColumnElement[datetime]:
    """The roll-up's watermark as a scalar subquery (a statement reads it as it runs)."""
    return func.coalesce(
        select(ScanRollup.rolled_up_to).where(ScanRollup.id == ROLLUP_ROW).scalar_subquery(),
        literal(NOTHING_ROLLED_UP, ScanRollup.rolled_up_to.type),
    )


def not_rolled_up(since: datetime | None = None) -> ColumnElement[bool]:
    """Raw scans the aggregates do not count yet; `since` is the watermark when the
    caller read it first (the planner then knows how few rows that is)."""
    return Scan.scanned_at >= (watermark() if since is None else since)


def rolled_up_to(session: Session, *, lock: str | None = None) -> datetime:
    """The watermark; `lock` "share" (a writer of scans) or "update" (the roll-up)
    holds it until the transaction ends, so the two never cross."""
    query = select(ScanRollup.rolled_up_to).where(ScanRollup.id == ROLLUP_ROW)
    if lock is not None:
        query = query.with_for_update(read=lock == "share")
    moment = session.scalar(query)
    if moment is None:
        return NOTHING_ROLLED_UP
    # SQLite hands times back naive; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def start_rollups(session: Session) -> None:
    """Give the watermark its row (committed by the caller before the roll-up locks it)."""
    insert = _insert(session, ScanRollup).values(id=ROLLUP_ROW, rolled_up_to=NOTHING_ROLLED_UP)
    session.execute(insert.on_conflict_do_nothing(index_elements=["id"]))


def set_rolled_up_to(session: Session, moment: datetime) -> None:
    session.execute(
        update(ScanRollup).where(ScanRollup.id == ROLLUP_ROW).values(rolled_up_to=moment)
    )


def _insert(session: Session, table):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


#: The domain's clone rule in SQL: (scans, clients, distant_places) -> suspicious.
Judge = Callable[
    [SQLColumnExpression[int], SQLColumnExpression[int], SQLColumnExpression[bool]],
    ColumnElement[bool],
]


def roll_up_rows(
    session: Session,
    which: ColumnElement[bool],
    *,
    judge: Judge | None = None,
) -> int:
    """Add the raw scans matching `which` to every aggregate; returns how many.

    The caller makes sure no scan is added twice (the watermark: `which` is a window
    of scanned_at beyond it, or scans written behind it). With `judge`, each code the
    scans touch has `suspicious` set from its new totals in the same upsert (no second
    pass over them); without, it is left as it was (false if new).
    """
    count = session.scalar(select(func.count()).select_from(Scan).where(which)) or 0
    if not count:
        return 0
    by_client = (
        select(
            Scan.label_id,
            Scan.client_hash,
            func.count(),
            func.count(Scan.latitude),
            func.min(Scan.scanned_at),
        )
        .where(which, Scan.label_id.is_not(None))
        .group_by(Scan.label_id, Scan.client_hash)
    )
    clients = _insert(session, LabelScanClient).from_select(
        ["label_id", "client_hash", "scans", "located", "first_scanned_at"], by_client
    )
    session.execute(
        clients.on_conflict_do_update(
            index_elements=["label_id", "client_hash"],
            set_={
                "scans": LabelScanClient.scans + clients.excluded.scans,
                "located": LabelScanClient.located + clients.excluded.located,
                "first_scanned_at": case(
                    (
                        clients.excluded.first_scanned_at < LabelScanClient.first_scanned_at,
                        clients.excluded.first_scanned_at,
                    ),
                    else_=LabelScanClient.first_scanned_at,
                ),
            },
        )
    )
    touched = select(Scan.label_id).where(which, Scan.label_id.is_not(None))
    new_scans, new_clients = func.sum(LabelScanClient.scans), func.count()
    not_distant: ColumnElement[bool] = literal_column("false")
    per_label: Select = (
        select(
            LabelScanClient.label_id,
            Label.batch_id,
            new_scans,
            new_clients,
            func.sum(LabelScanClient.located),
            func.min(LabelScanClient.first_scanned_at),
            not_distant,
            judge(new_scans, new_clients, not_distant) if judge else literal_column("false"),
        )
        .join(Label, Label.id == LabelScanClient.label_id)
        .where(LabelScanClient.label_id.in_(touched))
        .group_by(LabelScanClient.label_id, Label.batch_id)
    )
    totals = _insert(session, LabelScanTotal).from_select(
        [
            "label_id",
            "batch_id",
            "scans",
            "clients",
            "located",
            "first_scanned_at",
            "distant_places",
            "suspicious",
        ],
        per_label,
    )
    updated: dict[str, Any] = {
        name: getattr(totals.excluded, name)
        for name in ("scans", "clients", "located", "first_scanned_at")
    }
    if judge is not None:
        updated["suspicious"] = judge(
            totals.excluded.scans, totals.excluded.clients, LabelScanTotal.distant_places
        )
    session.execute(totals.on_conflict_do_update(index_elements=["label_id"], set_=updated))
    batch = func.coalesce(Label.batch_id, literal_column("0"))
    day = local_day(Scan.scanned_at)
    days = _insert(session, ScanDay).from_select(
        ["batch_id", "day", "scans"],
        select(batch, day, func.count())
        .select_from(Scan)
        .outerjoin(Label, Label.id == Scan.label_id)
        .where(which)
        .group_by(batch, day),
    )
    session.execute(
        days.on_conflict_do_update(
            index_elements=["batch_id", "day"],
            set_={"scans": ScanDay.scans + days.excluded.scans},
        )
    )
    verdicts = _insert(session, BatchScanTotal).from_select(
        ["batch_id", "verdict", "scans"],
        select(batch, Scan.verdict, func.count())
        .select_from(Scan)
        .outerjoin(Label, Label.id == Scan.label_id)
        .where(which)
        .group_by(batch, Scan.verdict),
    )
    session.execute(
        verdicts.on_conflict_do_update(
            index_elements=["batch_id", "verdict"],
            set_={"scans": BatchScanTotal.scans + verdicts.excluded.scans},
        )
    )
    return count


def with_label_scans(
    statement: Select, client: ColumnElement[str], since: datetime | None = None
) -> Select:
    """`statement` (selecting from labels, grouped by Label.id and whatever else it
    groups by) with LABEL_SCAN_COLUMNS added: a code's rolled-up and raw scans, and
    whether `client` scanned it before. `since`: the watermark, as for not_rolled_up;
    a query over many codes needs it, or the planner counts every month of scans (and
    PostgreSQL then spends seconds compiling it with JIT)."""
    # Its own alias: the statement also joins label_scan_clients, to the raw scans.
    seen = aliased(LabelScanClient)
    rolled = (
        select(seen.label_id)
        .where(seen.label_id == Label.id, seen.client_hash == client)
        .correlate(Label)
        .exists()
    )
    return (
        statement.add_columns(
            LabelScanTotal.scans,
            LabelScanTotal.clients,
            LabelScanTotal.first_scanned_at,
            LabelScanTotal.located,
            LabelScanTotal.distant_places,
            func.count(Scan.id),
            # Raw scans' clients the aggregates have not seen for this code.
            func.count(distinct(case((LabelScanClient.label_id.is_(None), Scan.client_hash)))),
            func.min(Scan.scanned_at),
            func.count(Scan.latitude),
            func.max(case((Scan.client_hash == client, 1), else_=0)),
            rolled,
        )
        .outerjoin(LabelScanTotal, LabelScanTotal.label_id == Label.id)
        .outerjoin(Scan, (Scan.label_id == Label.id) & not_rolled_up(since))
        .outerjoin(
            LabelScanClient,
            (LabelScanClient.label_id == Scan.label_id)
            & (LabelScanClient.client_hash == Scan.client_hash),
        )
        .group_by(LabelScanTotal.label_id)
    )


#: How many columns with_label_scans adds.
LABEL_SCAN_COLUMNS = 11


@dataclass(frozen=True)
class LabelScanFigures:
    """A code's scans as the columns with_label_scans added tell them: rolled up and
    raw together."""

    scans: int
    clients: int
    first_scanned_at: datetime | None
    located: int
    client_seen: bool
    # Seen by a roll-up (sticky); the raw located scans since are checked by the reader.
    distant_places: bool
    raw_located: int


def label_scan_figures(row) -> LabelScanFigures:
    """The LABEL_SCAN_COLUMNS columns of a row of with_label_scans, added up."""
    (t_scans, t_clients, t_first, t_located, t_distant) = row[:5]
    raw_scans, raw_clients, raw_first, raw_located, seen_raw, seen_rolled = row[5:11]
    firsts = [_utc(moment) for moment in (t_first, raw_first) if moment is not None]
    return LabelScanFigures(
        scans=(t_scans or 0) + raw_scans,
        clients=(t_clients or 0) + raw_clients,
        first_scanned_at=min(firsts) if firsts else None,
        located=(t_located or 0) + raw_located,
        client_seen=bool(seen_raw) or bool(seen_rolled),
        distant_places=bool(t_distant),
        raw_located=raw_located,
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
