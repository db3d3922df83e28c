"""Value-chain pages and API: partners, recording a batch's steps as EPCIS events,
EPCIS 2.0 export and import, the public box page and the timeline partial."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Flask,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from traceapp.clock import LOCAL_TZ
from traceapp.domain.batches import get_batch
from traceapp.domain.box_labels import DEFAULT_PRESET, box_sheet_pdf
from traceapp.domain.value_chain import (
    STEPS,
    PartnerDetails,
    StepDetails,
    batch_timeline,
    box_contents,
    export_batch,
    import_document,
    list_partners,
    packings,
    record_step,
    register_partner,
)
from traceapp.errors import InvalidInput
from traceapp.forms.batches import SheetForm
from traceapp.models import Batch
from traceapp.models.value_chain import PartnerRole
from traceapp.web.api.bodies import json_body
from traceapp.web.auth import (
    actor_name,
    api_roles_required,
    cooperative_scope,
    csrf,
    roles_required,
)
from traceapp.web.chain_wording import chain_step_name, chain_word
from traceapp.web.console import ALL_ROLES, OFFICER, OPERATOR
from traceapp.web.ids import MAX_ID
from traceapp.web.request_session import db, settings

JSONLD = "application/ld+json"

blueprint = Blueprint("chain", __name__)
api = Blueprint("chain_api", __name__, url_prefix="/api/v1")
csrf.exempt(api)  # bearer tokens, no cookies: no cross-site forgery to guard against


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    app.register_blueprint(api)
    # The verification page includes chain/_timeline.html, which calls this.
    app.add_template_global(chain_timeline, "chain_timeline")
    app.add_template_global(chain_step_name, "chain_step_name")
    app.add_template_global(chain_word, "chain_word")


def chain_timeline(batch: Batch | None) -> list:
    """The batch's value-chain events, ready for chain/_timeline.html."""
    if batch is None:
        return []
    return batch_timeline(db(), batch.id, settings().public_base_url)


# --- public ---------------------------------------------------------------------------


@blueprint.get("/chain/box/<key>/<lot>/<int:number>")
def box(key: str, lot: str, number: int):
    uri = (
        f"{settings().public_base_url}/chain/box/{quote(key, safe='')}/"
        f"{quote(lot, safe='')}/{number}"
    )
    contents = box_contents(db(), uri)
    return render_template("chain/box.html", box=contents, batch=contents.batch)


# --- console --------------------------------------------------------------------------


@blueprint.get("/console/chain/partners")
@roles_required(*ALL_ROLES)
def partners():
    return render_template("chain/partners.html", partners=list_partners(db()), roles=PartnerRole)


@blueprint.post("/console/chain/partners")
@roles_required(OFFICER)
def partner_new():
    form = request.form
    register_partner(
        db(),
        PartnerDetails(
            name=form.get("name", ""),
            role=form.get("role", ""),
            gln=form.get("gln") or None,
            address=form.get("address") or None,
            province=form.get("province") or None,
        ),
        actor_name(),
    )
    db().commit()
    flash("Partner registered.")
    return redirect(url_for("chain.partners"))


@blueprint.get("/console/chain/batches/<int:batch_id>")
@roles_required(*ALL_ROLES)
def batch_chain(batch_id: int):
    found = get_batch(db(), batch_id, cooperative_scope())
    return render_template(
        "chain/batch.html",
        batch=found,
        steps=STEPS,
        partners=list_partners(db()),
        packings=packings(db(), batch_id, settings().public_base_url),
        sheet_form=SheetForm(request.args, preset=DEFAULT_PRESET),
    )


@blueprint.post("/console/chain/batches/<int:batch_id>/events")
@roles_required(OFFICER, OPERATOR)
def batch_event_new(batch_id: int):
    form = request.form
    details = StepDetails(
        step=form.get("step", ""),
        at=_moment(form.get("at")),
        partner_id=_optional_int(form.get("partner_id"), "partner_id"),
        boxes=_optional_int(form.get("boxes"), "boxes"),
        per_box=_optional_int(form.get("per_box"), "per_box"),
        conformant=form.get("conformant", "yes") != "no",
        reference=form.get("reference") or None,
        inputs=_form_inputs(form.get("inputs", "")),
    )
    events = record_step(
        db(), batch_id, details, actor_name(), settings().public_base_url, cooperative_scope()
    )
    db().commit()
    flash(f"Recorded {details.step}: {len(events)} event(s).")
    return redirect(url_for("chain.batch_chain", batch_id=batch_id))


@blueprint.get("/console/chain/batches/<int:batch_id>/epcis.jsonld")
@roles_required(*ALL_ROLES)
def batch_export(batch_id: int):
    document = export_batch(db(), batch_id, settings().public_base_url, cooperative_scope())
    response = _jsonld(document)
    response.headers["Content-Disposition"] = f'attachment; filename="batch-{batch_id}.jsonld"'
    return response


@blueprint.get("/console/chain/batches/<int:batch_id>/boxes.pdf")
@roles_required(OFFICER, OPERATOR)
def box_labels_download(batch_id: int):
    form = SheetForm(request.args, preset=DEFAULT_PRESET)
    if not form.validate():
        field, errors = next(iter(form.errors.items()))
        raise InvalidInput(f"{field}: {', '.join(errors)}", field=field)
    packing = _optional_int(request.args.get("packing"), "packing")
    pdf, pages = box_sheet_pdf(
        db(),
        batch_id,
        settings().public_base_url,
        packing,
        form.preset.data,
        form.start_position.data,
        cooperative_scope(),
        settings().print_options(),
    )
    name = f"boxes-batch-{batch_id}{f'-packing-{packing}' if packing else ''}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Page-Count": str(pages),
        },
    )


@blueprint.get("/console/chain/import")
@roles_required(OFFICER)
def import_form():
    return render_template("chain/import.html")


@blueprint.post("/console/chain/import")
@roles_required(OFFICER)
def import_upload():
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        raise InvalidInput("choose an EPCIS 2.0 JSON-LD file", field="document")
    result = import_document(
        db(), _parse_json(upload.read()), actor_name(), settings().public_base_url
    )
    db().commit()
    flash(f"Imported {result.stored} event(s), {result.skipped} already stored.")
    if len(result.batch_ids) == 1:
        return redirect(url_for("chain.batch_chain", batch_id=result.batch_ids[0]))
    return redirect(url_for("chain.import_form"))


# --- API ------------------------------------------------------------------------------


@api.get("/partners")
@api_roles_required(*ALL_ROLES)
def api_partners():
    return jsonify(items=[_partner_json(p) for p in list_partners(db())])


@api.post("/partners")
@api_roles_required(OFFICER)
def api_partner_new():
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
    return jsonify(_partner_json(partner)), 201


@api.post("/batches/<int:batch_id>/chain-events")
@api_roles_required(OFFICER, OPERATOR)
def api_event_new(batch_id: int):
    get_batch(db(), batch_id, cooperative_scope())  # 404 before a body error for strangers
    data = json_body("ChainStepCreate")
    details = StepDetails(
        step=data["step"],
        at=_moment(data.get("at")),
        partner_id=data.get("partner_id"),
        boxes=data.get("boxes"),
        per_box=data.get("per_box"),
        conformant=data.get("conformant", True),
        reference=data.get("reference"),
        inputs=tuple((int(i["batch_id"]), int(i["quantity"])) for i in data.get("inputs") or ()),
    )
    events = record_step(
        db(), batch_id, details, actor_name(), settings().public_base_url, cooperative_scope()
    )
    db().commit()
    return jsonify(events=[json.loads(e.document) for e in events]), 201


@api.get("/batches/<int:batch_id>/epcis")
@api_roles_required(*ALL_ROLES)
def api_export(batch_id: int):
    return _jsonld(export_batch(db(), batch_id, settings().public_base_url, cooperative_scope()))


@api.post("/epcis")
@api_roles_required(OFFICER)
def api_import():
    # The OpenAPI schema only checks the outline; the importer checks the document
    # against GS1's EPCIS schema and names the JSON pointer of a problem.
    document = json_body("EpcisDocument")
    result = import_document(db(), document, actor_name(), settings().public_base_url)
    db().commit()
    return jsonify(
        stored=result.stored, skipped=result.skipped, batch_ids=list(result.batch_ids)
    ), 201


# --- parsing --------------------------------------------------------------------------


def _jsonld(document: dict[str, Any]) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(body, mimetype=JSONLD)


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"the document is not JSON: {exc}", field="/") from None


def _optional_int(text: str | None, name: str) -> int | None:
    if not text or not text.strip():
        return None
    if not text.strip().isdigit() or int(text) > MAX_ID:
        raise InvalidInput(f"{name} must be a whole number", field=name)
    return int(text)


def _form_inputs(text: str) -> tuple[tuple[int, int], ...]:
    """'12:1200, 13:300' -> ((12, 1200), (13, 300)): input batch id and quantity used."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        batch_id, _, quantity = item.partition(":")
        pairs.append(
            (_optional_int(batch_id, "inputs") or 0, _optional_int(quantity, "inputs") or 0)
        )
    return tuple(pairs)


def _moment(text: str | None) -> datetime | None:
    """An ISO 8601 time; one without an offset is Vietnamese local time."""
    if not text or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{text!r} is not an ISO 8601 date and time", field="at") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def _partner_json(partner) -> dict[str, Any]:
    return {
        "id": partner.id,
        "name": partner.name,
        "role": partner.role,
        "gln": partner.gln,
        "address": partner.address,
        "province": partner.province,
    }
