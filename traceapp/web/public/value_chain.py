"""The value chain on the public side: a box's page (its label's QR code) and the
timeline partial the verification and box pages include."""

from __future__ import annotations

from urllib.parse import quote

from flask import render_template

from traceapp.domain.value_chain import batch_timeline, box_contents
from traceapp.models import Batch
from traceapp.web.public import blueprint
from traceapp.web.public.chain_wording import chain_step_name, chain_word
from traceapp.web.request_session import db, settings

blueprint.add_app_template_global(chain_step_name, "chain_step_name")
blueprint.add_app_template_global(chain_word, "chain_word")


@blueprint.app_template_global("chain_timeline")
def chain_timeline(batch: Batch | None) -> list:
    """The batch's value-chain events, ready for chain/_timeline.html."""
    if batch is None:
        return []
    return batch_timeline(db(), batch.id, settings().public_base_url)


@blueprint.get("/chain/box/<key>/<lot>/<int:number>")
def chain_box(key: str, lot: str, number: int):
    uri = (
        f"{settings().public_base_url}/chain/box/{quote(key, safe='')}/"
        f"{quote(lot, safe='')}/{number}"
    )
    contents = box_contents(db(), uri)
    return render_template("chain/box.html", box=contents, batch=contents.batch)
