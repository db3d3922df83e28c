"""The "report this label" form of a red or amber verification page.

Anonymous and public: no CSRF token (the page is cached and carries no session),
a honeypot field that robots fill in, and its own per-address rate limit
(RATELIMIT_REPORT, traceapp/web/security.py).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from traceapp.domain.reports import ReportDetails, file_report
from traceapp.domain.scans import client_hash
from traceapp.forms.reports import ReportForm
from traceapp.web.auth import csrf
from traceapp.web.console.form_errors import form_status, refused
from traceapp.web.request_session import db, settings

blueprint = Blueprint("reports", __name__)


@blueprint.post("/report")
@csrf.exempt
def report():
    form = ReportForm()
    if form.website.data:
        # A robot: thank it as a person would be thanked, and keep nothing.
        return render_template("public/report_sent.html")
    if form.validate():
        with refused(form):
            file_report(
                db(),
                ReportDetails(
                    code=form.code.data or "",
                    verdict=form.verdict.data or "",
                    message=form.message.data,
                    place=form.place.data,
                    contact=form.contact.data,
                ),
                client_hash(request.remote_addr or "", settings().scan_salt),
            )
            db().commit()
            return render_template("public/report_sent.html"), 201
    return render_template("public/report.html", form=form), form_status(form) or 422
