"""The demo's value chains, recorded as EPCIS events on top of traceapp.demo.data:

- Bao Hung's herbal-fed eggs (lot BH-2611-01): laid and collected, inspected, 1,000 eggs
  packed into 100 boxes of 10, shipped to Siêu thị Co.opmart Cao Bằng, received there;
- Trường Giang's passion fruit (lot TG-2611-07): harvested, shipped to the exporter
  Sài Gòn - Gia Lai, received, and pressed into juice (lot SGGL-2611-J1).

Idempotent like the rest of the demo: a batch that already has events is left alone.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from traceapp.clock import LOCAL_TZ
from traceapp.demo.data import DEMO_ACTOR, DemoSummary
from traceapp.domain.batches import BatchDetails, create_batch
from traceapp.domain.registry import ProductDetails, register_product
from traceapp.domain.value_chain import StepDetails, batch_timeline, record_step
from traceapp.models import Batch, Partner, Product

SUPERMARKET = "Siêu thị Co.opmart Cao Bằng"
EXPORTER = "Công ty Cổ phần Sài Gòn - Gia Lai"
FRUIT_LOT = "TG-2611-07"
JUICE_LOT = "SGGL-2611-J1"
JUICE_LITRES = 900


def load_demo_chain(session: Session, summary: DemoSummary) -> int:
    """Record the demo chains; returns how many events were created."""
    created = 0
    eggs = session.get(Batch, summary.bao_hung_batch_id)
    if eggs is not None and not batch_timeline(session, eggs.id):
        created += _egg_chain(session, eggs)
    fruit = session.scalar(select(Batch).where(Batch.lot_code == FRUIT_LOT))
    if fruit is not None and not batch_timeline(session, fruit.id):
        created += _juice_chain(session, fruit)
    return created


def _egg_chain(session: Session, eggs: Batch) -> int:
    supermarket = _partner(session, SUPERMARKET)
    day = eggs.produced_on
    steps = [
        StepDetails("commissioning", at=_at(day, 7)),
        StepDetails("inspecting", at=_at(day, 10)),
        StepDetails("packing", at=_at(day + timedelta(days=1), 8), boxes=100, per_box=10),
        StepDetails(
            "shipping",
            at=_at(day + timedelta(days=1), 14),
            partner_id=supermarket.id,
            reference="PX-BH-2611-01",
        ),
        StepDetails(
            "receiving",
            at=_at(day + timedelta(days=1), 17, 30),
            partner_id=supermarket.id,
            reference="PN-COOP-CB-2611-118",
        ),
    ]
    return sum(len(record_step(session, eggs.id, step, DEMO_ACTOR)) for step in steps)


def _juice_chain(session: Session, fruit: Batch) -> int:
    exporter = _partner(session, EXPORTER)
    juice = _juice_batch(session, fruit)
    day = fruit.produced_on
    count = 0
    for step in [
        StepDetails("commissioning", at=_at(day, 6)),
        StepDetails("shipping", at=_at(day, 15), partner_id=exporter.id, reference="PX-TG-2611-07"),
        StepDetails("receiving", at=_at(day + timedelta(days=1), 9), partner_id=exporter.id),
    ]:
        count += len(record_step(session, fruit.id, step, DEMO_ACTOR))
    count += len(
        record_step(
            session,
            juice.id,
            StepDetails(
                "transforming",
                at=_at(day + timedelta(days=1), 15),
                partner_id=exporter.id,
                inputs=((fruit.id, fruit.quantity),),
            ),
            DEMO_ACTOR,
        )
    )
    return count


def _juice_batch(session: Session, fruit: Batch) -> Batch:
    cooperative = fruit.cooperative
    product = session.scalar(select(Product).where(Product.ref == "TG-PASSION-JUICE"))
    if product is None:
        product = register_product(
            session,
            cooperative,
            ProductDetails(
                name="Nước cốt chanh leo", category="processed", unit="l", ref="TG-PASSION-JUICE"
            ),
            DEMO_ACTOR,
        )
    found = session.scalar(select(Batch).where(Batch.lot_code == JUICE_LOT))
    if found is not None:
        return found
    day = fruit.produced_on + timedelta(days=1)
    return create_batch(
        session,
        cooperative,
        BatchDetails(
            product_id=product.id,
            lot_code=JUICE_LOT,
            quantity=JUICE_LITRES,
            unit="l",
            produced_on=day,
            best_before=day + timedelta(days=180),
            origin_farm="Nhà máy chế biến Sài Gòn - Gia Lai",
            origin_commune="xã Đầm Hà",
            origin_province="Quảng Ninh",
            description="Nước cốt ép từ chanh leo hữu cơ lô TG-2611-07",
        ),
        DEMO_ACTOR,
    )


def _partner(session: Session, name: str) -> Partner:
    partner = session.scalar(select(Partner).where(Partner.name == name))
    if partner is None:
        raise LookupError(f"demo partner {name!r} is missing: load_demo_data first")
    return partner


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)
