"""Printing a run: asking for a print job, watching its progress, downloading the file.

Sheets and rolls are rendered by the print workers (traceapp/workers), never
in a request: the page shows the job's progress until the file is ready.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from labels import render_calibration_pdf
from labels.stocks import find_stocks, recommended_stocks
from traceapp.domain.print_jobs import (
    PrintRequest,
    check_request,
    get_print_job,
    job_file,
    job_refusal,
    jobs_of_run,
    pages,
    request_print,
)
from traceapp.domain.printing import get_run, label_language
from traceapp.forms.batches import CalibrationForm, PrintForm
from traceapp.models import PrintJobKind, PrintJobStatus
from traceapp.web.auth import actor_name, cooperative_scope, roles_required
from traceapp.web.console.base import OFFICER, OPERATOR, blueprint
from traceapp.web.console.form_errors import form_refusal, form_status, refused
from traceapp.web.errors import domain_message
from traceapp.web.request_session import db, settings

#: Seconds between reloads of a job's page while it renders (no script needed).
REFRESH_SECONDS = 2


@blueprint.route("/runs/<int:run_id>", methods=["GET", "POST"])
@roles_required(OFFICER, OPERATOR)
def run(run_id: int):
    found = get_run(db(), run_id, cooperative_scope())
    form = PrintForm(language=label_language(found))
    if form.validate_on_submit():
        with refused(form):
            job = request_print(
                db(),
                found.id,
                PrintRequest(
                    kind=PrintJobKind(form.kind.data),
                    preset=form.preset.data.strip(),
                    start_position=form.start_position.data,
                    offset_x_mm=float(form.offset_x_mm.data or 0),
                    offset_y_mm=float(form.offset_y_mm.data or 0),
                    language=form.language.data,
                ),
                actor_name(),
                cooperative_scope(),
                settings().print_options(),
            )
            db().commit()
            flash(_("Print job %(id)d is queued: the file is being prepared.", id=job.id))
            return redirect(url_for("console.print_job", job_id=job.id))
    query = request.args.get("stock", "").strip()
    return render_template(
        "console/run.html",
        run=found,
        form=form,
        stock_query=query,
        stocks=find_stocks(query) if query else recommended_stocks(),
        jobs=jobs_of_run(db(), found.id),
        calibration_form=CalibrationForm(request.args),
    ), form_status(form)


@blueprint.get("/print-jobs/<int:job_id>")
@roles_required(OFFICER, OPERATOR)
def print_job(job_id: int):
    job = get_print_job(db(), job_id, cooperative_scope())
    running = job.status in (PrintJobStatus.QUEUED, PrintJobStatus.RENDERING)
    return render_template(
        "console/print_job.html",
        job=job,
        request=PrintRequest.from_parameters(job.parameters),
        pages=pages(job),
        reason=domain_message(refusal) if (refusal := job_refusal(job)) else None,
        running=running,
        refresh_seconds=REFRESH_SECONDS if running else None,
    )


@blueprint.get("/print-jobs/<int:job_id>/file")
@roles_required(OFFICER, OPERATOR)
def print_job_file(job_id: int):
    job = get_print_job(db(), job_id, cooperative_scope())
    path, media_type, name = job_file(settings().instance_dir, job)
    response = send_file(path, mimetype=media_type, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/calibration.pdf")
@roles_required(OFFICER, OPERATOR)
def calibration():
    form = CalibrationForm(request.args)
    if not form.validate():
        raise form_refusal(form)
    setup = check_request(
        PrintRequest(
            preset=(form.preset.data or "").strip() or PrintRequest.preset,
            offset_x_mm=float(form.offset_x_mm.data or 0),
            offset_y_mm=float(form.offset_y_mm.data or 0),
        ),
        settings().print_options(),
    )
    assert setup.layout is not None
    pdf = render_calibration_pdf(setup.layout, setup.options)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="calibration-{setup.layout.name}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
