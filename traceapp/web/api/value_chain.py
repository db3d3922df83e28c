"""API: partners, recording a batch's value-chain steps, EPCIS 2.0 export and import."""

from __future__ import annotations

import json

from flask import Response, jsonify

from traceapp.domain.batches import get_batch
from traceapp.domain.value_chain import (
    PartnerDetails,
    StepDetails,
    export_batch,
    import_document,
    list_partners,
    parse_moment,
    record_step,
    register_partner,
)
from traceapp.web.api.base import blueprint
from traceapp.web.api.bodies import json_body
from traceapp.web.api.representations import partner_json
from traceapp.web.auth import actor_name, api_roles_required, cooperative_scope
from traceapp.web.console.base import ALL_ROLES, OFFICER, OPERATOR
from traceapp.web.request_session import db

JSONLD = "application/ld+json"


@blueprint.get("/partners")
@api_roles_required(*ALL_ROLES)
def partners():
    return jsonify(items=[partner_json(p) for p in list_partners(db())])


@blueprint.post("/partners")
@api_roles_required(OFFICER)
def partner_new():
    data = json_body("PartnerCreate")
    partner = register_partner(
        db(),
        PartnerDetails(
            name=data["name"],
            role=data["role"],
            gln=data.get("gln"),
            address=data.get("address"),
            province=data.get("province"),
        ),
        actor_name(),
    )
    db().commit()
    return jsonify(partner_json(partner)), 201


@blueprint.post("/batches/<int:batch_id>/chain-events")
@api_roles_required(OFFICER, OPERATOR)
def chain_event_new(batch_id: int):
    get_batch(db(), batch_id, cooperative_scope())  # 404 before a body error for strangers
    data = json_body("ChainStepCreate")
    details = StepDetails(
        step=data["step"],
        at=parse_moment(data.get("at")),
        partner_id=data.get("partner_id"),
        boxes=data.get("boxes"),
        per_box=data.get("per_box"),
        conformant=data.get("conformant", True),
        reference=data.get("reference"),
        inputs=tuple((int(i["batch_id"]), int(i["quantity"])) for i in data.get("inputs") or ()),
    )
    events = record_step(db(), batch_id, details, actor_name(), cooperative_scope())
    db().commit()
    return jsonify(events=[json.loads(e.document) for e in events]), 201


@blueprint.get("/batches/<int:batch_id>/epcis")
@api_roles_required(*ALL_ROLES)
def epcis_export(batch_id: int):
    document = export_batch(db(), batch_id, cooperative_scope())
    return Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype=JSONLD)


@blueprint.post("/epcis")
@api_roles_required(OFFICER)
def epcis_import():
    # The OpenAPI schema only checks the outline; the importer checks the document
    # against GS1's EPCIS schema and names the JSON pointer of a problem.
    document = json_body("EpcisDocument")
    result = import_document(db(), document, actor_name())
    db().commit()
    return jsonify(
        stored=result.stored, skipped=result.skipped, batch_ids=list(result.batch_ids)
    ), 201
