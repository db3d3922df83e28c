"""API: the offline bundles inspectors take to the field (docs/offline-bundle.md)."""

from __future__ import annotations

from flask import jsonify, request

from traceapp.domain.offline_bundle import build_bundle, bundle_regions, find_region
from traceapp.domain.signing_keys import key_store
from traceapp.web.api.base import blueprint
from traceapp.web.auth import actor_name, api_roles_required
from traceapp.web.console.base import INSPECTOR, OFFICER
from traceapp.web.inspect import bundle_response
from traceapp.web.request_session import db, settings


@blueprint.get("/bundle/regions")
@api_roles_required(INSPECTOR, OFFICER)
def bundle_regions_view():
    items = [
        {"key": r.key, "name": r.name, "province": r.province, "commune": r.commune}
        for r in bundle_regions(db())
    ]
    return jsonify(items=items)


@blueprint.get("/bundle")
@api_roles_required(INSPECTOR, OFFICER)
def bundle():
    document = build_bundle(
        db(),
        key_store(settings()),
        settings().issuer,
        find_region(db(), request.args.get("region")),
        actor_name(),
    )
    db().commit()
    return bundle_response(document)
