"""How a batch's labels are scanned: per day, first scans, codes that look copied."""

from __future__ import annotations

from flask import render_template

from traceapp.clock import today_local
from traceapp.domain.batches import get_batch
from traceapp.domain.scans import batch_scan_statistics
from traceapp.web.auth import cooperative_scope, roles_required
from traceapp.web.console.base import OFFICER, OPERATOR, blueprint
from traceapp.web.console.charts import CHART_HEIGHT, CHART_WIDTH, day_bars
from traceapp.web.request_session import db, reporting_db, reporting_source


@blueprint.get("/batches/<int:batch_id>/scans")
@roles_required(OFFICER, OPERATOR)
def batch_scans(batch_id: int):
    batch = get_batch(db(), batch_id, cooperative_scope())
    statistics = batch_scan_statistics(
        reporting_db(), batch.id, today_local(), cooperative_id=cooperative_scope()
    )
    return render_template(
        "console/scans.html",
        batch=batch,
        stats=statistics,
        reporting=reporting_source(),
        bars=day_bars(statistics.days),
        chart_width=CHART_WIDTH,
        chart_height=CHART_HEIGHT,
    )
