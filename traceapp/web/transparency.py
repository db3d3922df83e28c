"""The public audit log: signed checkpoints, entries and inclusion proofs (JSON).

Stable URLs for monitors and inspectors (docs/audit-log.md):

    /transparency/checkpoints/latest.json   the newest signed checkpoint
    /transparency/checkpoints.json          the latest 100, newest first
    /transparency/entries?from=&to=         entries by id, at most 1,000 a page
    /transparency/proof?run=RUN_ID          inclusion proof of a run's issuance
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from traceapp.domain.checkpoints import (
    MAX_ENTRIES_PER_PAGE,
    checkpoint_document,
    inclusion_proof,
    latest_checkpoint,
    published_entries,
    recent_checkpoints,
)
from traceapp.errors import InvalidInput, Term
from traceapp.web.ids import MAX_ID
from traceapp.web.request_session import db, settings

blueprint = Blueprint("transparency", __name__, url_prefix="/transparency")


def _int_arg(name: str, *, required: bool = False) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        if required:
            raise InvalidInput("%(name)s is required", field=name, name=Term("field_name", name))
        return None
    if not value.isascii() or not value.isdigit() or not int(value[:12]) <= MAX_ID:
        raise InvalidInput(
            "%(name)s must be a whole number up to %(most)s",
            field=name,
            name=Term("field_name", name),
            most=MAX_ID,
        )
    return int(value)


def _cached(response, seconds: int = 60):
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    return response


@blueprint.get("/checkpoints/latest.json")
def latest():
    return _cached(jsonify(checkpoint_document(latest_checkpoint(db()), settings().issuer)))


@blueprint.get("/checkpoints.json")
@blueprint.get("/checkpoints")
def checkpoints():
    issuer = settings().issuer
    return _cached(
        jsonify(checkpoints=[checkpoint_document(c, issuer) for c in recent_checkpoints(db())])
    )


@blueprint.get("/entries")
def entries():
    first, last = _int_arg("from"), _int_arg("to")
    page = published_entries(db(), first, last)
    body: dict[str, object] = {"entries": page}
    if len(page) == MAX_ENTRIES_PER_PAGE:
        body["next"] = url_for(
            ".entries", **{"from": page[-1]["id"] + 1, **({"to": last} if last else {})}
        )
    return _cached(jsonify(body))


@blueprint.get("/proof")
def proof():
    run_id = _int_arg("run", required=True)
    assert run_id is not None  # required=True refused a missing one
    return _cached(jsonify(inclusion_proof(db(), run_id, settings().issuer)))
