"""The console's home page for each role, and the Union's signing keys."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext

from keys.keystore import KeyStoreError
from traceapp.domain.dashboard import union_figures
from traceapp.domain.listings import list_batches
from traceapp.domain.reports import open_report_count
from traceapp.domain.scans import flagged_codes
from traceapp.domain.signing_keys import key_store, key_store_refusal, rotate_key
from traceapp.models import BatchStatus, Role
from traceapp.web.auth import actor_name, cooperative_scope, roles_required, signed_in_user
from traceapp.web.console.base import ALL_ROLES, OFFICER, blueprint
from traceapp.web.request_session import db, reporting_db, reporting_source, settings


@blueprint.get("/")
@roles_required(*ALL_ROLES)
def index():
    user = signed_in_user()
    # Figures may lag (read on the replica, if any); the work queues below are read
    # on the primary: a batch just approved must not still show as waiting.
    figures = union_figures(reporting_db()) if user.role == OFFICER else None
    flagged = flagged_codes(reporting_db(), limit=20) if user.role == OFFICER else []
    drafts = list_batches(db(), status=BatchStatus.DRAFT, limit=20) if user.role == OFFICER else []
    mine = (
        list_batches(db(), cooperative_scope(), limit=20)
        if user.role == Role.COOPERATIVE_OPERATOR
        else []
    )
    return render_template(
        "console/index.html",
        user=user,
        figures=figures,
        drafts=drafts,
        mine=mine,
        flagged=flagged,
        open_reports=open_report_count(db()) if user.role == OFFICER else 0,
        reporting=reporting_source() if user.role == OFFICER else None,
    )


@blueprint.get("/keys")
@roles_required(OFFICER)
def keys():
    try:
        infos = key_store(settings()).list()
    except KeyStoreError as exc:
        raise key_store_refusal(exc) from exc
    return render_template("console/keys.html", keys=infos)


@blueprint.post("/keys/rotate")
@roles_required(OFFICER)
def keys_rotate():
    info = rotate_key(db(), settings(), actor_name())
    db().commit()
    flash(gettext("Key %(key)s is now active; publish the new public key set.", key=info.kid))
    return redirect(url_for("console.keys"))
