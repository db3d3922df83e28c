"""The Union's list of labels that consumers reported from a red or amber page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from traceapp.domain.reports import list_reports, mark_handled
from traceapp.web.auth import actor_name, roles_required
from traceapp.web.console.base import OFFICER, blueprint
from traceapp.web.request_session import db


@blueprint.get("/reports")
@roles_required(OFFICER)
def reports():
    open_only = request.args.get("show") != "all"
    return render_template(
        "console/reports.html", reports=list_reports(db(), open_only=open_only), open_only=open_only
    )


@blueprint.post("/reports/<int:report_id>/handled")
@roles_required(OFFICER)
def report_handled(report_id: int):
    report = mark_handled(db(), report_id, actor_name())
    db().commit()
    flash(gettext("Report %(number)s is marked as handled.", number=report.id))
    return redirect(url_for("console.reports"))
