"""Batches: creating them, certifying, recalling, requesting and printing labels, voiding."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from labels import PRESETS
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
from traceapp.domain.inspections import inspections_for
from traceapp.domain.issuance import issue_labels, remaining_quota
from traceapp.domain.label_downloads import roll_pdf, sheet_pdf, single_label
from traceapp.domain.listings import get_cooperative, list_batches, products_of, runs_of
from traceapp.domain.printing import get_run
from traceapp.domain.voiding import void_label, void_run_range, voided_count
from traceapp.forms.batches import (
    BatchForm,
    CertificationForm,
    IssuanceForm,
    RecallForm,
    SheetForm,
    VoidLabelForm,
    VoidRangeForm,
)
from traceapp.models import BatchStatus
from traceapp.web.auth import acting_user, actor_name, cooperative_scope, roles_required
from traceapp.web.console import ALL_ROLES, OFFICER, OPERATOR, blueprint
from traceapp.web.console.form_errors import form_status, refused
from traceapp.web.console.products import passport_status
from traceapp.web.console.signing import signer_or_refusal
from traceapp.web.public.passport_wording import PASSPORT_FIELD_NAMES
from traceapp.web.request_session import db, settings


@blueprint.get("/batches")
@roles_required(*ALL_ROLES)
def batches():
    status = request.args.get("status") or None
    if status not in (None, *BatchStatus):
        status = None
    return render_template(
        "console/batches.html",
        status=status,
        statuses=BatchStatus,
        batches=list_batches(db(), cooperative_scope(), status),
    )


@blueprint.route("/batches/new", methods=["GET", "POST"])
@roles_required(OPERATOR)
def batch_new():
    cooperative = get_cooperative(db(), acting_user().cooperative_id)
    form = BatchForm()
    form.product_id.choices = [
        SelectChoice(p.id, p.name) for p in products_of(db(), cooperative.id)
    ]
    if request.method == "GET":
        form.origin_commune.data = form.origin_commune.data or cooperative.commune
        form.origin_province.data = form.origin_province.data or cooperative.province
    if form.validate_on_submit():
        with refused(form):
            batch = create_batch(
                db(),
                cooperative,
                BatchDetails(
                    product_id=form.product_id.data,
                    lot_code=form.lot_code.data.strip(),
                    quantity=form.quantity.data,
                    unit=form.unit.data.strip(),
                    produced_on=form.produced_on.data,
                    best_before=form.best_before.data,
                    origin_farm=form.origin_farm.data or None,
                    origin_commune=form.origin_commune.data.strip(),
                    origin_province=form.origin_province.data.strip(),
                    description=form.description.data or None,
                ),
                actor_name(),
            )
            db().commit()
            return redirect(url_for("console.batch", batch_id=batch.id))
    return render_template(
        "console/form.html", form=form, title="New batch", action=url_for("console.batch_new")
    ), form_status(form)


@blueprint.get("/batches/<int:batch_id>")
@roles_required(*ALL_ROLES)
def batch(batch_id: int):
    found = get_batch(db(), batch_id, cooperative_scope())
    return render_template(
        "console/batch.html",
        batch=found,
        certifications=certifications_for(db(), found),
        runs=runs_of(db(), found.id),
        inspections=inspections_for(db(), found.id),
        voided=voided_count(db(), found.id),
        scans=scan_counts(db(), found.id),
        remaining=remaining_quota(found),
        role=acting_user().role,
        missing_fields=passport_status(found),
        passport_field_names=PASSPORT_FIELD_NAMES,
    )


@blueprint.route("/batches/<int:batch_id>/certifications/new", methods=["GET", "POST"])
@roles_required(OFFICER)
def certification_new(batch_id: int):
    found = get_batch(db(), batch_id)
    form = CertificationForm()
    if form.validate_on_submit():
        with refused(form):
            record_certification(
                db(),
                CertificationDetails(
                    scheme=form.scheme.data,
                    certificate_number=form.certificate_number.data.strip(),
                    issuing_body=form.issuing_body.data.strip(),
                    valid_from=form.valid_from.data,
                    valid_to=form.valid_to.data,
                    ocop_stars=form.ocop_stars.data,
                    claim=form.claim.data or None,
                    evidence_ref=form.evidence_ref.data or None,
                ),
                actor_name(),
                batch=found,
            )
            db().commit()
            return redirect(url_for("console.batch", batch_id=found.id))
    return render_template(
        "console/form.html",
        form=form,
        title=f"Record a certification for lot {found.lot_code}",
        action=url_for("console.certification_new", batch_id=found.id),
    ), form_status(form)


@blueprint.post("/batches/<int:batch_id>/certify")
@roles_required(OFFICER)
def certify(batch_id: int):
    certify_batch(db(), get_batch(db(), batch_id), actor_name())
    db().commit()
    flash("The batch is certified: its cooperative can now request labels.")
    return redirect(url_for("console.batch", batch_id=batch_id))


@blueprint.route("/batches/<int:batch_id>/recall", methods=["GET", "POST"])
@roles_required(OFFICER)
def recall(batch_id: int):
    found = get_batch(db(), batch_id)
    form = RecallForm()
    if form.validate_on_submit():
        with refused(form):
            recall_batch(db(), found, form.reason.data.strip(), actor_name())
            db().commit()
            flash("The batch is recalled: its labels now verify as recalled.")
            return redirect(url_for("console.batch", batch_id=found.id))
    return render_template(
        "console/form.html",
        form=form,
        title=f"Recall lot {found.lot_code}",
        action=url_for("console.recall", batch_id=found.id),
        danger=True,
    ), form_status(form)


@blueprint.route("/batches/<int:batch_id>/issuance", methods=["GET", "POST"])
@roles_required(OFFICER, OPERATOR)
def issuance(batch_id: int):
    found = get_batch(db(), batch_id, cooperative_scope())
    form = IssuanceForm()
    if form.validate_on_submit():
        with refused(form):
            run = issue_labels(
                db(),
                found.id,
                form.count.data,
                signer_or_refusal(),
                actor_name(),
                cooperative_id=cooperative_scope(),
            )
            db().commit()
            return redirect(url_for("console.run", run_id=run.id))
    return render_template(
        "console/form.html",
        form=form,
        title=f"Request labels for lot {found.lot_code}",
        intro=f"{remaining_quota(found):,} of {found.quantity:,} items have "
        "no label yet. Labels are issued only for a certified batch.",
        action=url_for("console.issuance", batch_id=found.id),
    ), form_status(form)


@blueprint.get("/runs/<int:run_id>")
@roles_required(OFFICER, OPERATOR)
def run(run_id: int):
    found = get_run(db(), run_id, cooperative_scope())
    form = SheetForm(request.args)
    return render_template("console/run.html", run=found, form=form, presets=PRESETS)


@blueprint.get("/runs/<int:run_id>/sheet.pdf")
@roles_required(OFFICER, OPERATOR)
def run_sheet(run_id: int):
    form = SheetForm(request.args)
    if not form.validate():
        abort(422, "; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()))
    pdf, pages = sheet_pdf(
        db(),
        run_id,
        settings().public_base_url,
        form.preset.data,
        form.start_position.data,
        cooperative_scope(),
        settings().print_options(),
    )
    return _download(
        pdf,
        "application/pdf",
        f"labels-run-{run_id}-{form.preset.data}.pdf",
        {"X-Page-Count": str(pages)},
    )


@blueprint.get("/runs/<int:run_id>/labels/<int:sequence>.<any(png, svg):image_format>")
@roles_required(OFFICER, OPERATOR)
def run_label(run_id: int, sequence: int, image_format: str):
    data = single_label(
        db(),
        run_id,
        sequence,
        settings().public_base_url,
        image_format,
        cooperative_scope(),
        settings().print_options(),
    )
    mimetype = "image/png" if image_format == "png" else "image/svg+xml"
    return _download(data, mimetype, f"label-run-{run_id}-{sequence}.{image_format}")


@blueprint.get("/runs/<int:run_id>/roll.pdf")
@roles_required(OFFICER, OPERATOR)
def run_roll(run_id: int):
    pdf = roll_pdf(
        db(), run_id, settings().public_base_url, cooperative_scope(), settings().print_options()
    )
    return _download(pdf, "application/pdf", f"labels-run-{run_id}-roll.pdf")


@blueprint.route("/batches/<int:batch_id>/void", methods=["GET", "POST"])
@roles_required(OFFICER)
def void(batch_id: int):
    found = get_batch(db(), batch_id)
    label_form = VoidLabelForm(prefix="label")
    range_form = VoidRangeForm(prefix="range")
    range_form.run_id.choices = [
        SelectChoice(r.id, f"Run {r.id} ({r.quantity:,} labels)") for r in runs_of(db(), found.id)
    ]
    submitted = None
    if request.method == "POST" and "label-serial" in request.form:
        submitted = label_form
        if label_form.validate_on_submit():
            with refused(label_form):
                void_label(
                    db(), found.id, label_form.serial.data, label_form.reason.data, actor_name()
                )
                db().commit()
                flash(f"Label {label_form.serial.data.strip()} is voided.")
                return redirect(url_for("console.batch", batch_id=found.id))
    elif request.method == "POST":
        submitted = range_form
        if range_form.validate_on_submit():
            with refused(range_form):
                count = void_run_range(
                    db(),
                    range_form.run_id.data,
                    range_form.first.data,
                    range_form.last.data,
                    range_form.reason.data,
                    actor_name(),
                )
                db().commit()
                flash(f"{count:,} labels voided.")
                return redirect(url_for("console.batch", batch_id=found.id))
    status = form_status(submitted) if submitted is not None else 200
    return render_template(
        "console/void.html", batch=found, label_form=label_form, range_form=range_form
    ), status


def _download(
    data: bytes, mimetype: str, filename: str, headers: dict[str, str] | None = None
) -> Response:
    response = Response(data, mimetype=mimetype, headers=headers or {})
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
