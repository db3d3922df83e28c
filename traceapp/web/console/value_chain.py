"""The value chain in the console: partners, a batch's chain with the form to record a
step, its EPCIS export and box labels (a print job, like a run's sheets), and
importing an EPCIS document."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext
from wtforms import SelectChoice

from traceapp.domain.batches import get_batch
from traceapp.domain.box_labels import DEFAULT_PRESET
from traceapp.domain.print_jobs import PrintRequest, box_jobs_of_batch, request_box_print
from traceapp.domain.value_chain import (
    STEPS,
    PartnerDetails,
    StepDetails,
    export_batch,
    import_document,
    list_partners,
    packings,
    record_step,
    register_partner,
)
from traceapp.errors import InvalidInput
from traceapp.forms.value_chain import BoxLabelsForm, ImportForm, PartnerForm, StepForm
from traceapp.models import Batch
from traceapp.web.auth import actor_name, cooperative_scope, roles_required
from traceapp.web.console.base import ALL_ROLES, OFFICER, OPERATOR, blueprint
from traceapp.web.console.form_errors import form_refusal, form_status, refused
from traceapp.web.json_input import parse_json
from traceapp.web.public.chain_wording import chain_step_name
from traceapp.web.request_session import db, settings
from traceapp.web.vocabulary import term

JSONLD = "application/ld+json"


@blueprint.get("/chain/partners")
@roles_required(*ALL_ROLES)
def chain_partners():
    return _partners_page(PartnerForm())


@blueprint.post("/chain/partners")
@roles_required(OFFICER)
def chain_partner_new():
    form = PartnerForm()
    if form.validate_on_submit():
        with refused(form):
            register_partner(
                db(),
                PartnerDetails(
                    name=form.name.data,
                    role=form.role.data,
                    gln=form.gln.data or None,
                    address=form.address.data or None,
                    province=form.province.data or None,
                ),
                actor_name(),
            )
            db().commit()
            flash(gettext("The partner is registered."))
            return redirect(url_for("console.chain_partners"))
    return _partners_page(form, 422)


@blueprint.get("/chain/batches/<int:batch_id>")
@roles_required(*ALL_ROLES)
def chain_batch(batch_id: int):
    found = get_batch(db(), batch_id, cooperative_scope())
    return _batch_page(found, _step_form())


@blueprint.post("/chain/batches/<int:batch_id>/events")
@roles_required(OFFICER, OPERATOR)
def chain_event_new(batch_id: int):
    found = get_batch(db(), batch_id, cooperative_scope())
    form = _step_form()
    if form.validate_on_submit():
        with refused(form):
            events = record_step(
                db(),
                found.id,
                StepDetails(
                    step=form.step.data,
                    at=form.at.moment,
                    partner_id=form.partner_id.data or None,
                    boxes=form.boxes.data,
                    per_box=form.per_box.data,
                    conformant=form.conformant.data != "no",
                    reference=form.reference.data or None,
                    inputs=form.inputs.pairs,
                ),
                actor_name(),
                cooperative_scope(),
            )
            db().commit()
            flash(
                gettext(
                    "%(step)s is recorded for the lot (%(events)s EPCIS event(s)).",
                    step=term("step", form.step.data),
                    events=len(events),
                )
            )
            return redirect(url_for("console.chain_batch", batch_id=found.id))
    return _batch_page(found, form, 422)


@blueprint.get("/chain/batches/<int:batch_id>/epcis.jsonld")
@roles_required(*ALL_ROLES)
def chain_export(batch_id: int):
    document = export_batch(db(), batch_id, cooperative_scope())
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype=JSONLD)
    response.headers["Content-Disposition"] = f'attachment; filename="batch-{batch_id}.jsonld"'
    return response


@blueprint.post("/chain/batches/<int:batch_id>/box-labels")
@roles_required(OFFICER, OPERATOR)
def chain_box_labels(batch_id: int):
    # A packing holds up to 10,000 boxes: the sheets are a print job, never rendered here.
    form = BoxLabelsForm(preset=DEFAULT_PRESET)
    if not form.validate():
        raise form_refusal(form)
    job = request_box_print(
        db(),
        batch_id,
        PrintRequest(
            preset=form.preset.data,
            start_position=form.start_position.data,
            packing=form.packing.data,
        ),
        actor_name(),
        cooperative_scope(),
        settings().print_options(),
    )
    db().commit()
    flash(gettext("Print job %(id)d is queued: the file is being prepared.", id=job.id))
    return redirect(url_for("console.print_job", job_id=job.id))


@blueprint.route("/chain/import", methods=["GET", "POST"])
@roles_required(OFFICER)
def chain_import():
    form = ImportForm()
    if form.validate_on_submit():
        with refused(form):
            result = import_document(db(), _json_file(form.document.data.read()), actor_name())
            db().commit()
            flash(
                gettext(
                    "%(stored)s event(s) imported, %(skipped)s already stored.",
                    stored=result.stored,
                    skipped=result.skipped,
                )
            )
            if len(result.batch_ids) == 1:
                return redirect(url_for("console.chain_batch", batch_id=result.batch_ids[0]))
            return redirect(url_for("console.chain_import"))
    return render_template("chain/import.html", form=form), form_status(form)


# --- helpers ---------------------------------------------------------------------------


def _partners_page(form: PartnerForm, status: int = 200):
    return render_template("chain/partners.html", partners=list_partners(db()), form=form), status


def _step_form() -> StepForm:
    form = StepForm()
    form.step.choices = [SelectChoice(s, chain_step_name(s)) for s in STEPS]
    form.partner_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(p.id, f"{p.name} ({p.role})") for p in list_partners(db())
    ]
    return form


def _batch_page(found: Batch, form: StepForm, status: int = 200):
    return render_template(
        "chain/batch.html",
        batch=found,
        form=form,
        packings=packings(db(), found.id),
        sheet_form=BoxLabelsForm(formdata=None, preset=DEFAULT_PRESET),
        jobs=box_jobs_of_batch(db(), found.id),
    ), status


def _json_file(raw: bytes) -> Any:
    try:
        return parse_json(raw)
    except ValueError as exc:  # not UTF-8 or JSON, or refused by web/json_input.py
        raise InvalidInput(
            "the document is not usable JSON: %(reason)s", field="document", reason=str(exc)
        ) from None
