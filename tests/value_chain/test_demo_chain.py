"""The demo's value chains: Bao Hung eggs to a supermarket, passion fruit into juice."""

from __future__ import annotations

from sqlalchemy import select

from traceapp.demo.chain import JUICE_LOT, load_demo_chain
from traceapp.domain.value_chain import batch_timeline
from traceapp.models import Batch


def test_bao_hung_eggs_go_from_the_farm_to_the_supermarket(db_session, demo):
    entries = batch_timeline(db_session, demo.bao_hung_batch_id)
    assert [
        (e.step, e.partner if e.step == "shipping" else None, len(e.boxes)) for e in entries
    ] == [
        ("commissioning", None, 0),
        ("inspecting", None, 0),
        ("packing", None, 100),
        ("shipping", "Siêu thị Co.opmart Cao Bằng", 0),
        ("receiving", None, 0),
    ]


def test_juice_points_back_to_the_certified_passion_fruit(db_session, demo):
    juice = db_session.scalar(select(Batch).where(Batch.lot_code == JUICE_LOT))
    [entry] = batch_timeline(db_session, juice.id)
    [fruit] = entry.inputs
    assert (fruit.lot, any(c.scheme == "organic" for c in fruit.certifications)) == (
        "TG-2611-07",
        True,
    )


def test_loading_the_demo_chain_again_records_nothing_new(db_session, demo):
    assert load_demo_chain(db_session, demo) == 0
