"""Read-only lists for the console and the API, always within a cooperative's scope."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from traceapp.domain.batches import get_batch
from traceapp.errors import NotFound
from traceapp.models import ApiToken, Batch, Cooperative, IssuanceRun, Label, Product, User

MAX_PAGE = 1000


def list_batches(
    session: Session,
    cooperative_id: int | None = None,
    status: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Batch]:
    """Newest first; `cooperative_id` confines the list to one cooperative's batches."""
    stmt = select(Batch)
    if cooperative_id is not None:
        stmt = stmt.where(Batch.cooperative_id == cooperative_id)
    if status:
        stmt = stmt.where(Batch.status == status)
    stmt = stmt.order_by(Batch.id.desc()).limit(min(limit, MAX_PAGE)).offset(offset)
    return list(session.scalars(stmt))


def list_cooperatives(session: Session) -> list[Cooperative]:
    return list(session.scalars(select(Cooperative).order_by(Cooperative.name)))


def get_cooperative(session: Session, cooperative_id: int) -> Cooperative:
    cooperative = session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise NotFound(
            "no cooperative %(cooperative)s",
            field="cooperative_id",
            cooperative=str(cooperative_id),
        )
    return cooperative


def products_of(session: Session, cooperative_id: int) -> list[Product]:
    return list(
        session.scalars(
            select(Product).where(Product.cooperative_id == cooperative_id).order_by(Product.name)
        )
    )


def runs_of(
    session: Session, batch_id: int, cooperative_id: int | None = None
) -> list[IssuanceRun]:
    batch = get_batch(session, batch_id, cooperative_id)
    return list(
        session.scalars(
            select(IssuanceRun).where(IssuanceRun.batch_id == batch.id).order_by(IssuanceRun.id)
        )
    )


def list_runs(session: Session, limit: int = 200) -> list[IssuanceRun]:
    """Every batch's issuance runs, newest first."""
    stmt = select(IssuanceRun).order_by(IssuanceRun.id.desc()).limit(min(limit, MAX_PAGE))
    return list(session.scalars(stmt))


def run_label_rows(
    session: Session, run: IssuanceRun, offset: int = 0, limit: int = 100
) -> list[Label]:
    """A page of a run's labels in print order."""
    stmt = (
        select(Label)
        .where(Label.run_id == run.id)
        .order_by(Label.sequence)
        .offset(offset)
        .limit(min(limit, MAX_PAGE))
    )
    return list(session.scalars(stmt))


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    )
