"""The value chain on the public side: a box's page (its label's QR code) and the
timeline partial the verification and box pages include."""

from __future__ import annotations

from flask import render_template

from traceapp.domain.value_chain import batch_timeline, box_contents
from traceapp.epcis import BoxRef, box_url, parse_box_uri
from traceapp.models import Batch
from traceapp.web.public.base import blueprint
from traceapp.web.public.chain_wording import chain_step_name, chain_word
from traceapp.web.request_session import db, settings

blueprint.add_app_template_global(chain_step_name, "chain_step_name")
blueprint.add_app_template_global(chain_word, "chain_word")


@blueprint.app_template_global("chain_timeline")
def chain_timeline(batch: Batch | None) -> list:
    """The batch's value-chain events, ready for chain/_timeline.html."""
    if batch is None:
        return []
    return batch_timeline(db(), batch.id)


@blueprint.app_template_global("box_page")
def box_page(uri: str) -> str:
    """The address of a box's page, at the service's address of today; another
    system's box as it names itself."""
    box = parse_box_uri(uri)
    return box_url(settings().public_base_url, box) if box else uri


@blueprint.get("/chain/box/<key>/<lot>/<int:number>")
def chain_box(key: str, lot: str, number: int):
    contents = box_contents(db(), BoxRef(key, lot, number))
    return render_template("chain/box.html", box=contents, batch=contents.batch)
