"""API: issuance runs, their labels, the printable sheet, voiding a range."""

from __future__ import annotations

from flask import Response, jsonify, request

from traceapp.domain.label_downloads import sheet_pdf
from traceapp.domain.listings import run_label_rows
from traceapp.domain.printing import get_run
from traceapp.domain.voiding import void_run_range
from traceapp.web.api import blueprint
from traceapp.web.api.bodies import int_query, json_body
from traceapp.web.api.representations import label_json, run_json
from traceapp.web.auth import actor_name, api_roles_required, cooperative_scope
from traceapp.web.console import OFFICER, OPERATOR
from traceapp.web.ids import MAX_ID
from traceapp.web.openapi import openapi_document
from traceapp.web.request_session import db, settings


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@blueprint.get("/runs/<int:run_id>")
@api_roles_required(OFFICER, OPERATOR)
def run(run_id: int):
    return jsonify(run_json(get_run(db(), run_id, cooperative_scope())))


@blueprint.get("/runs/<int:run_id>/labels")
@api_roles_required(OFFICER, OPERATOR)
def labels(run_id: int):
    found = get_run(db(), run_id, cooperative_scope())
    offset = int_query("offset", 0, 0, MAX_ID)
    limit = int_query("limit", 100, 1, 1000)
    base_url = settings().public_base_url
    rows = run_label_rows(db(), found, offset, limit)
    return jsonify(
        run_id=found.id,
        total=found.quantity,
        offset=offset,
        limit=limit,
        items=[label_json(label, found.batch, base_url) for label in rows],
    )


@blueprint.get("/runs/<int:run_id>/sheet.pdf")
@api_roles_required(OFFICER, OPERATOR)
def sheet(run_id: int):
    preset = request.args.get("preset") or "a4-40"
    start = int_query("start_position", 1, 1, 200)
    pdf, pages = sheet_pdf(
        db(),
        run_id,
        settings().public_base_url,
        preset,
        start,
        cooperative_scope(),
        settings().print_options(),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["X-Page-Count"] = str(pages)
    response.headers["Content-Disposition"] = f'attachment; filename="labels-run-{run_id}.pdf"'
    return response


@blueprint.post("/runs/<int:run_id>/void")
@api_roles_required(OFFICER)
def void_range(run_id: int):
    get_run(db(), run_id)
    data = json_body("VoidRangeRequest")
    voided = void_run_range(db(), run_id, data["first"], data["last"], data["reason"], actor_name())
    db().commit()
    return jsonify(voided=voided)
