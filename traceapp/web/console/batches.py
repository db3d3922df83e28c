"""Batches: creating them, certifying, recalling, requesting and printing labels, voiding."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext, ngettext
from wtforms import SelectChoice

from traceapp.domain.batches import (
    BatchDetails,
    certification_refusal,
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
from traceapp.domain.issuance import (
    MAX_LABELS_PER_REQUEST,
    issuance_refusal,
    issue_labels,
    remaining_quota,
)
from traceapp.domain.label_downloads import single_label
from traceapp.domain.listings import get_cooperative, list_batches, products_of, runs_of
from traceapp.domain.voiding import (
    label_to_void,
    range_to_void,
    void_label,
    void_run_range,
    voided_count,
)
from traceapp.errors import DomainError
from traceapp.forms.batches import (
    BatchForm,
    CertificationForm,
    IssuanceForm,
    RecallForm,
    VoidLabelForm,
    VoidRangeForm,
)
from traceapp.models import Batch, BatchStatus
from traceapp.web.auth import (
    actor_name,
    cooperative_scope,
    roles_required,
    signed_in_user,
)
from traceapp.web.console.base import ALL_ROLES, OFFICER, OPERATOR, blueprint
from traceapp.web.console.form_errors import confirmed, form_status, refused
from traceapp.web.console.products import passport_status
from traceapp.web.console.signing import signer_or_refusal
from traceapp.web.errors import domain_message
from traceapp.web.formatting import number_text
from traceapp.web.public.passport_wording import PASSPORT_FIELD_NAMES
from traceapp.web.request_session import db, reporting_db, settings
from traceapp.web.vocabulary import term

_ = gettext


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
    cooperative = get_cooperative(db(), signed_in_user().cooperative_id or 0)
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
            flash(
                _(
                    "Lot %(lot)s is registered. It now waits for the Union to check its "
                    "certification and approve it.",
                    lot=batch.lot_code,
                )
            )
            return redirect(url_for("console.batch", batch_id=batch.id))
    return render_template(
        "console/form.html",
        form=form,
        title=_("New batch"),
        submit=_("Register the batch"),
        action=url_for("console.batch_new"),
    ), form_status(form)


@blueprint.get("/batches/<int:batch_id>")
@roles_required(*ALL_ROLES)
def batch(batch_id: int):
    return _batch_page(get_batch(db(), batch_id, cooperative_scope()))


def _batch_page(found: Batch, error: str | None = None, status: int = 200):
    """The batch page; `error` says why the action just tried could not be done."""
    certify_refusal = (
        certification_refusal(db(), found) if found.status == BatchStatus.DRAFT else None
    )
    issue_refusal = issuance_refusal(db(), found)
    return render_template(
        "console/batch.html",
        batch=found,
        certifications=certifications_for(db(), found),
        runs=runs_of(db(), found.id),
        inspections=inspections_for(db(), found.id),
        voided=voided_count(db(), found.id),
        scans=scan_counts(reporting_db(), found.id),
        remaining=remaining_quota(found),
        role=signed_in_user().role,
        error=error,
        certify_refusal=domain_message(certify_refusal) if certify_refusal else None,
        issue_refusal=domain_message(issue_refusal) if issue_refusal else None,
        missing_fields=passport_status(found),
        passport_field_names=PASSPORT_FIELD_NAMES,
    ), status


@blueprint.route("/batches/<int:batch_id>/certifications/new", methods=["GET", "POST"])
@roles_required(OFFICER)
def certification_new(batch_id: int):
    found = get_batch(db(), batch_id)
    form = CertificationForm()
    if form.validate_on_submit():
        with refused(form):
            certification = record_certification(
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
            flash(
                _(
                    "Certificate %(number)s (%(scheme)s) is recorded for lot %(lot)s.",
                    number=certification.certificate_number,
                    scheme=term("scheme", certification.scheme),
                    lot=found.lot_code,
                )
            )
            return redirect(url_for("console.batch", batch_id=found.id))
    return render_template(
        "console/form.html",
        form=form,
        title=_("Record a certification for lot %(lot)s", lot=found.lot_code),
        submit=_("Record the certification"),
        action=url_for("console.certification_new", batch_id=found.id),
        back=url_for("console.batch", batch_id=found.id),
    ), form_status(form)


@blueprint.post("/batches/<int:batch_id>/certify")
@roles_required(OFFICER)
def certify(batch_id: int):
    found = get_batch(db(), batch_id)
    try:
        certify_batch(db(), found, actor_name())
    except DomainError as exc:
        db().rollback()
        return _batch_page(get_batch(db(), batch_id), domain_message(exc), exc.status)
    db().commit()
    flash(
        _(
            "Lot %(lot)s is certified: its cooperative can now request labels.",
            lot=found.lot_code,
        )
    )
    return redirect(url_for("console.batch", batch_id=batch_id))


@blueprint.route("/batches/<int:batch_id>/recall", methods=["GET", "POST"])
@roles_required(OFFICER)
def recall(batch_id: int):
    found = get_batch(db(), batch_id)
    form = RecallForm()
    action = url_for("console.recall", batch_id=found.id)
    if form.validate_on_submit():
        if not confirmed(form):
            scans = scan_counts(reporting_db(), found.id)
            return render_template(
                "console/confirm.html",
                form=form,
                action=action,
                title=_("Recall lot %(lot)s?", lot=found.lot_code),
                consequences=[
                    ngettext(
                        "%(count)s label of lot %(lot)s will say on every phone that scans "
                        "it: recalled, do not eat or use.",
                        "All %(count)s labels of lot %(lot)s will say on every phone that "
                        "scans them: recalled, do not eat or use.",
                        found.labels_issued,
                        count=number_text(found.labels_issued, str(get_locale())),
                        lot=found.lot_code,
                    ),
                    _(
                        "They have been scanned %(scans)s times so far. A recall cannot be undone.",
                        scans=number_text(scans.total, str(get_locale())),
                    ),
                ],
                confirm=_("Yes, recall lot %(lot)s", lot=found.lot_code),
                cancel=url_for("console.batch", batch_id=found.id),
            )
        with refused(form):
            recall_batch(db(), found, form.reason.data.strip(), actor_name())
            db().commit()
            flash(
                _(
                    "Lot %(lot)s is recalled: its labels now verify as recalled.",
                    lot=found.lot_code,
                )
            )
            return redirect(url_for("console.batch", batch_id=found.id))
    return render_template(
        "console/form.html",
        form=form,
        title=_("Recall lot %(lot)s", lot=found.lot_code),
        intro=[
            _(
                "A recall tells every consumer who scans one of the lot's labels not to "
                "eat or use the product. You will be asked to confirm."
            )
        ],
        action=action,
        submit=_("Continue"),
        danger=True,
        back=url_for("console.batch", batch_id=found.id),
    ), form_status(form)


@blueprint.route("/batches/<int:batch_id>/issuance", methods=["GET", "POST"])
@roles_required(OFFICER, OPERATOR)
def issuance(batch_id: int):
    found = get_batch(db(), batch_id, cooperative_scope())
    remaining = remaining_quota(found)
    form = IssuanceForm()
    if request.method == "GET":
        form.count.data = min(remaining, MAX_LABELS_PER_REQUEST) if remaining > 0 else None
    if form.validate_on_submit():
        with refused(form):
            run = issue_labels(
                db(),
                found.id,
                form.count.data,
                signer_or_refusal(),
                actor_name(),
                cooperative_id=cooperative_scope(),
                label_language=form.label_language.data,
            )
            db().commit()
            flash(
                ngettext(
                    "%(count)s label is issued for lot %(lot)s: print it below.",
                    "%(count)s labels are issued for lot %(lot)s: print them below.",
                    run.quantity,
                    count=number_text(run.quantity, str(get_locale())),
                    lot=found.lot_code,
                )
            )
            return redirect(url_for("console.run", run_id=run.id))
    refusal = issuance_refusal(db(), found)
    if refusal is not None and not form.form_errors:
        form.form_errors.append(domain_message(refusal))
    language = str(get_locale())
    # The button counts only a number the form accepts (not 10**40 labels).
    count = form.count.data if not form.count.errors else None
    count = count if isinstance(count, int) and count > 0 else None
    return render_template(
        "console/issuance.html",
        form=form,
        batch=found,
        remaining=remaining,
        refusal=refusal,
        submit=(
            ngettext(
                "Issue %(count)s label",
                "Issue %(count)s labels",
                count,
                count=number_text(count, language),
            )
            if count
            else _("Issue labels")
        ),
        # The button's wording as the number changes (static/console/issue-count.js).
        one=ngettext("Issue %(count)s label", "Issue %(count)s labels", 1, count="{n}"),
        other=ngettext("Issue %(count)s label", "Issue %(count)s labels", 2, count="{n}"),
        action=url_for("console.issuance", batch_id=found.id),
    ), form_status(form)


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


@blueprint.route("/batches/<int:batch_id>/void", methods=["GET", "POST"])
@roles_required(OFFICER)
def void(batch_id: int):
    found = get_batch(db(), batch_id)
    label_form = VoidLabelForm(prefix="label")
    range_form = VoidRangeForm(prefix="range")
    language = str(get_locale())
    range_form.run_id.choices = [
        SelectChoice(
            r.id,
            ngettext(
                "Run %(run)s (%(count)s label)",
                "Run %(run)s (%(count)s labels)",
                r.quantity,
                run=r.id,
                count=number_text(r.quantity, language),
            ),
        )
        for r in runs_of(db(), found.id)
    ]
    action = url_for("console.void", batch_id=found.id)
    cancel = url_for("console.batch", batch_id=found.id)
    submitted = None
    if request.method == "POST" and "label-serial" in request.form:
        submitted = label_form
        if label_form.validate_on_submit():
            with refused(label_form):
                label = label_to_void(db(), found.id, label_form.serial.data)
                if not confirmed(label_form):
                    return render_template(
                        "console/confirm.html",
                        form=label_form,
                        action=action,
                        title=_("Void label %(serial)s?", serial=label.serial),
                        consequences=[
                            _(
                                "Label %(serial)s of lot %(lot)s will say on every phone that "
                                "scans it: cancelled by the Union, do not trust.",
                                serial=label.serial,
                                lot=found.lot_code,
                            ),
                            _("Voiding cannot be undone."),
                        ],
                        confirm=_("Yes, void label %(serial)s", serial=label.serial),
                        cancel=cancel,
                    )
                void_label(
                    db(), found.id, label_form.serial.data, label_form.reason.data, actor_name()
                )
                db().commit()
                flash(
                    _(
                        "Label %(serial)s of lot %(lot)s is voided.",
                        serial=label.serial,
                        lot=found.lot_code,
                    )
                )
                return redirect(cancel)
    elif request.method == "POST":
        submitted = range_form
        if range_form.validate_on_submit():
            with refused(range_form):
                run, active = range_to_void(
                    db(), range_form.run_id.data, range_form.first.data, range_form.last.data
                )
                if not confirmed(range_form):
                    return render_template(
                        "console/confirm.html",
                        form=range_form,
                        action=action,
                        title=ngettext(
                            "Void %(count)s label of lot %(lot)s?",
                            "Void %(count)s labels of lot %(lot)s?",
                            active,
                            count=number_text(active, language),
                            lot=found.lot_code,
                        ),
                        consequences=[
                            _(
                                "Print positions %(first)s to %(last)s of run %(run)s: each "
                                "of these labels will say on every phone that scans it: "
                                "cancelled by the Union, do not trust.",
                                first=range_form.first.data,
                                last=range_form.last.data,
                                run=run.id,
                            ),
                            _("Voiding cannot be undone."),
                        ],
                        confirm=ngettext(
                            "Yes, void %(count)s label",
                            "Yes, void %(count)s labels",
                            active,
                            count=number_text(active, language),
                        ),
                        cancel=cancel,
                    )
                count = void_run_range(
                    db(),
                    range_form.run_id.data,
                    range_form.first.data,
                    range_form.last.data,
                    range_form.reason.data,
                    actor_name(),
                )
                db().commit()
                flash(
                    ngettext(
                        "%(count)s label of lot %(lot)s is voided.",
                        "%(count)s labels of lot %(lot)s are voided.",
                        count,
                        count=number_text(count, language),
                        lot=found.lot_code,
                    )
                )
                return redirect(cancel)
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
