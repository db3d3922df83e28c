"""Inspectors: find a batch, record an inspection, take a province's or commune's
batches offline."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from wtforms import SelectChoice

from traceapp.clock import today_local
from traceapp.domain.batches import get_batch
from traceapp.domain.inspections import InspectionDetails, find_batch, record_inspection
from traceapp.domain.listings import list_cooperatives
from traceapp.domain.offline_bundle import build_bundle, bundle_regions, find_region
from traceapp.domain.signing_keys import key_store
from traceapp.forms.inspections import BundleForm, InspectionForm, LookupForm
from traceapp.web.auth import acting_user, actor_name, roles_required
from traceapp.web.console.base import INSPECTOR, OFFICER, blueprint
from traceapp.web.console.form_errors import form_status, refused
from traceapp.web.inspect import bundle_response
from traceapp.web.public import current_keysets, current_verifier
from traceapp.web.public.wording import reason_text, verdict_title
from traceapp.web.request_session import db, settings
from traceapp.web.vocabulary import term


@blueprint.get("/lookup")
@roles_required(INSPECTOR, OFFICER)
def lookup():
    form = LookupForm(request.args)
    form.cooperative_id.choices = [SelectChoice(0, gettext("Any cooperative"))] + [
        SelectChoice(c.id, c.name) for c in list_cooperatives(db())
    ]
    searched = any(request.args.get(k) for k in ("batch_id", "lot_code", "code"))
    if searched and form.validate():
        if form.code.data and form.code.data.strip():
            return _verified_code(form, form.code.data)
        with refused(form):
            batch = find_batch(
                db(),
                batch_id=form.batch_id.data,
                cooperative_id=form.cooperative_id.data or None,
                lot_code=form.lot_code.data,
            )
            return redirect(url_for("console.batch", batch_id=batch.id))
    status = 422 if searched and (form.errors or form.form_errors) else 200
    return render_template("console/lookup.html", form=form), status


def _verified_code(form: LookupForm, code: str):
    """A pasted code is verified exactly as the public page verifies it (the same
    Verifier and key set; no scan is counted): its verdict first, then its batch."""
    outcome = current_verifier().verify(code, current_keysets().current(), today_local())
    language = g.get("lang") or "vi"
    return render_template(
        "console/lookup.html",
        form=form,
        outcome=outcome,
        verdict_title=verdict_title(outcome.verdict, language),
        verdict_message=reason_text(outcome.reason, language),
    )


@blueprint.route("/batches/<int:batch_id>/inspections/new", methods=["GET", "POST"])
@roles_required(INSPECTOR)
def inspection_new(batch_id: int):
    found = get_batch(db(), batch_id)
    form = InspectionForm()
    if request.method == "GET":
        form.inspected_on.data = today_local()
    if form.validate_on_submit():
        with refused(form):
            record_inspection(
                db(),
                found.id,
                InspectionDetails(
                    inspected_on=form.inspected_on.data,
                    place=form.place.data.strip(),
                    result=form.result.data,
                    notes=form.notes.data or None,
                    photo_ref=form.photo_ref.data or None,
                ),
                acting_user(),
                actor_name(),
            )
            db().commit()
            flash(
                gettext(
                    "The inspection of lot %(lot)s is recorded: %(result)s.",
                    lot=found.lot_code,
                    result=term("inspection_result", form.result.data),
                )
            )
            return redirect(url_for("console.batch", batch_id=found.id))
    return render_template(
        "console/form.html",
        form=form,
        title=gettext("Record an inspection of lot %(lot)s", lot=found.lot_code),
        submit=gettext("Record the inspection"),
        back=url_for("console.batch", batch_id=found.id),
        action=url_for("console.inspection_new", batch_id=found.id),
    ), form_status(form)


def _bundle_form() -> BundleForm:
    form = BundleForm(request.args)
    form.region.choices = [SelectChoice(r.key, r.name) for r in bundle_regions(db())]
    return form


@blueprint.get("/bundle")
@roles_required(INSPECTOR, OFFICER)
def bundle():
    return render_template("console/bundle.html", form=_bundle_form())


@blueprint.get("/bundle.json")
@roles_required(INSPECTOR, OFFICER)
def bundle_download():
    form = _bundle_form()
    if not form.validate():
        return render_template("console/bundle.html", form=form), 422
    document = build_bundle(
        db(),
        key_store(settings()),
        settings().issuer,
        find_region(db(), form.region.data),
        actor_name(),
    )
    db().commit()
    return bundle_response(document)
