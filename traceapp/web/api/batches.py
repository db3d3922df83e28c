"""API: batches, their certifications, approval, recall, issuance, scans, inspections."""

from __future__ import annotations

from flask import jsonify, request

from traceapp.domain.batches import (
    BatchDetails,
    certify_batch,
    create_batch,
    get_batch,
    recall_batch,
)
from traceapp.domain.certifications import (
    CertificationDetails,
    certifications_for,
    record_certification,
)
from traceapp.domain.dashboard import scan_counts
from traceapp.domain.inspections import InspectionDetails, record_inspection
from traceapp.domain.issuance import issue_labels
from traceapp.domain.listings import get_cooperative, list_batches, runs_of
from traceapp.domain.voiding import void_label
from traceapp.errors import NotFound, one_of
from traceapp.models import BatchStatus
from traceapp.web.api.base import blueprint
from traceapp.web.api.bodies import (
    base64_field,
    date_field,
    int_query,
    json_body,
    required_date_field,
)
from traceapp.web.api.representations import (
    batch_json,
    certification_json,
    inspection_json,
    run_json,
)
from traceapp.web.auth import acting_user, actor_name, api_roles_required, cooperative_scope
from traceapp.web.console.base import ALL_ROLES, INSPECTOR, OFFICER, OPERATOR
from traceapp.web.console.signing import signer_or_refusal
from traceapp.web.ids import MAX_ID
from traceapp.web.request_session import db, reporting_db


@blueprint.get("/batches")
@api_roles_required(*ALL_ROLES)
def list_batches_view():
    status = request.args.get("status")
    if status is not None:
        status = one_of(BatchStatus, status, "status")
    items = list_batches(
        db(),
        cooperative_scope(),
        status,
        limit=int_query("limit", 200, 1, 1000),
        offset=int_query("offset", 0, 0, MAX_ID),
    )
    return jsonify(items=[batch_json(b) for b in items])


@blueprint.post("/batches")
@api_roles_required(OFFICER, OPERATOR)
def create_batch_view():
    data = json_body("BatchCreate")
    scope = cooperative_scope()
    cooperative_id = data["cooperative_id"]
    if scope is not None and cooperative_id != scope:
        raise NotFound("no cooperative %(id)s", field="cooperative_id", id=str(cooperative_id))
    batch = create_batch(
        db(),
        get_cooperative(db(), cooperative_id),
        BatchDetails(
            product_id=data["product_id"],
            lot_code=data["lot_code"],
            quantity=data["quantity"],
            unit=data["unit"].strip(),
            produced_on=required_date_field(data, "produced_on"),
            best_before=date_field(data, "best_before"),
            origin_farm=data.get("origin_farm"),
            origin_commune=data["origin_commune"],
            origin_province=data["origin_province"],
            description=data.get("description"),
        ),
        actor_name(),
    )
    db().commit()
    return jsonify(batch_json(batch)), 201


@blueprint.get("/batches/<int:batch_id>")
@api_roles_required(*ALL_ROLES)
def batch(batch_id: int):
    return jsonify(batch_json(get_batch(db(), batch_id, cooperative_scope())))


@blueprint.get("/batches/<int:batch_id>/certifications")
@api_roles_required(*ALL_ROLES)
def certifications(batch_id: int):
    found = get_batch(db(), batch_id, cooperative_scope())
    return jsonify(items=[certification_json(c) for c in certifications_for(db(), found)])


@blueprint.post("/batches/<int:batch_id>/certifications")
@api_roles_required(OFFICER)
def create_certification(batch_id: int):
    found = get_batch(db(), batch_id)
    data = json_body("CertificationCreate")
    certification = record_certification(
        db(),
        CertificationDetails(
            scheme=data["scheme"],
            certificate_number=data["certificate_number"].strip(),
            issuing_body=data["issuing_body"].strip(),
            valid_from=required_date_field(data, "valid_from"),
            valid_to=required_date_field(data, "valid_to"),
            ocop_stars=data.get("ocop_stars"),
            claim=data.get("claim"),
            evidence_ref=data.get("evidence_ref"),
        ),
        actor_name(),
        batch=found,
    )
    db().commit()
    return jsonify(certification_json(certification)), 201


@blueprint.post("/batches/<int:batch_id>/certify")
@api_roles_required(OFFICER)
def certify(batch_id: int):
    found = certify_batch(db(), get_batch(db(), batch_id), actor_name())
    db().commit()
    return jsonify(batch_json(found))


@blueprint.post("/batches/<int:batch_id>/recall")
@api_roles_required(OFFICER)
def recall(batch_id: int):
    found = get_batch(db(), batch_id)
    data = json_body("RecallRequest")
    recall_batch(db(), found, data["reason"].strip(), actor_name())
    db().commit()
    return jsonify(batch_json(found))


@blueprint.post("/batches/<int:batch_id>/issuance")
@api_roles_required(OFFICER, OPERATOR)
def issuance(batch_id: int):
    get_batch(db(), batch_id, cooperative_scope())  # 404 before a body error for strangers
    data = json_body("IssuanceRequest")
    run = issue_labels(
        db(),
        batch_id,
        data["count"],
        signer_or_refusal(),
        actor_name(),
        cooperative_id=cooperative_scope(),
        label_language=data.get("label_language"),
    )
    db().commit()
    return jsonify(run_json(run)), 201


@blueprint.get("/batches/<int:batch_id>/runs")
@api_roles_required(OFFICER, OPERATOR)
def runs(batch_id: int):
    return jsonify(items=[run_json(r) for r in runs_of(db(), batch_id, cooperative_scope())])


@blueprint.get("/batches/<int:batch_id>/scans")
@api_roles_required(*ALL_ROLES)
def scans(batch_id: int):
    found = get_batch(db(), batch_id, cooperative_scope())
    counts = scan_counts(reporting_db(), found.id)
    return jsonify(batch_id=counts.batch_id, total=counts.total, by_verdict=counts.by_verdict)


@blueprint.post("/batches/<int:batch_id>/inspections")
@api_roles_required(INSPECTOR)
def create_inspection(batch_id: int):
    get_batch(db(), batch_id)
    data = json_body("InspectionCreate")
    inspection = record_inspection(
        db(),
        batch_id,
        InspectionDetails(
            inspected_on=required_date_field(data, "inspected_on"),
            place=data["place"],
            result=data["result"],
            notes=data.get("notes"),
            photo_ref=data.get("photo_ref"),
            client_id=data.get("client_id"),
            photo=base64_field(data, "photo"),
        ),
        acting_user(),
        actor_name(),
    )
    db().commit()
    return jsonify(inspection_json(inspection)), 201


@blueprint.post("/batches/<int:batch_id>/labels/<serial>/void")
@api_roles_required(OFFICER)
def void_one(batch_id: int, serial: str):
    get_batch(db(), batch_id)
    data = json_body("VoidLabelRequest")
    void_label(db(), batch_id, serial, data["reason"], actor_name())
    db().commit()
    return jsonify(voided=1)
