"""API: issuance runs, their labels, print jobs (sheets and rolls rendered in the
background, then downloaded), voiding a range."""

from __future__ import annotations

from flask import jsonify, send_file, url_for

from traceapp.domain.listings import run_label_rows
from traceapp.domain.print_jobs import PrintRequest, get_print_job, job_file, request_print
from traceapp.domain.printing import get_run
from traceapp.domain.voiding import void_run_range
from traceapp.models import PrintJobKind
from traceapp.web.api.base import blueprint
from traceapp.web.api.bodies import int_query, json_body
from traceapp.web.api.representations import label_json, print_job_json, run_json
from traceapp.web.auth import actor_name, api_roles_required, cooperative_scope
from traceapp.web.console.base import OFFICER, OPERATOR
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


@blueprint.post("/runs/<int:run_id>/print-jobs")
@api_roles_required(OFFICER, OPERATOR)
def print_job_new(run_id: int):
    data = json_body("PrintJobRequest")
    request_fields = {k: v for k, v in data.items() if k != "kind"}
    job = request_print(
        db(),
        run_id,
        PrintRequest(kind=PrintJobKind(data.get("kind", PrintJobKind.SHEET)), **request_fields),
        actor_name(),
        cooperative_scope(),
        settings().print_options(),
    )
    db().commit()
    response = jsonify(print_job_json(job))
    response.status_code = 202
    response.headers["Location"] = url_for("api.print_job", job_id=job.id)
    return response


@blueprint.get("/print-jobs/<int:job_id>")
@api_roles_required(OFFICER, OPERATOR)
def print_job(job_id: int):
    return jsonify(print_job_json(get_print_job(db(), job_id, cooperative_scope())))


@blueprint.get("/print-jobs/<int:job_id>/file")
@api_roles_required(OFFICER, OPERATOR)
def print_job_file(job_id: int):
    job = get_print_job(db(), job_id, cooperative_scope())
    path, media_type, name = job_file(settings().instance_dir, job)
    response = send_file(path, mimetype=media_type, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/runs/<int:run_id>/void")
@api_roles_required(OFFICER)
def void_range(run_id: int):
    get_run(db(), run_id)
    data = json_body("VoidRangeRequest")
    voided = void_run_range(db(), run_id, data["first"], data["last"], data["reason"], actor_name())
    db().commit()
    return jsonify(voided=voided)
