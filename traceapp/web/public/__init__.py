"""The public verification page a consumer lands on, its JSON twin and the issuer's
public key document."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    request,
    url_for,
)

from traceapp.clock import today_local
from traceapp.config import Settings
from traceapp.domain.scans import (
    SessionScanWriter,
    client_hash,
    coarse_place,
)
from traceapp.domain.verification import VerificationOutcome, verify_scan
from traceapp.errors import InvalidInput
from traceapp.web.public import languages
from traceapp.web.public.batch_cache import BatchCache
from traceapp.web.public.buffered import BufferedVerification
from traceapp.web.public.direct import DirectPage
from traceapp.web.public.keyset_cache import current_keyset
from traceapp.web.public.page import (
    CACHE_HEADERS,
    CONDITIONAL_HEADERS,
    etag,
    page_html,
    prefers_json,
    region_header,
)
from traceapp.web.public.wording import reason_text, verdict_title
from traceapp.web.request_session import db, settings
from traceapp.web.resolver import item_answer, item_link_header

blueprint = Blueprint("public", __name__)

KEYS_MAX_AGE = 300
MAX_CODE_PARAMETER = 2048


BATCH_CACHE = "traceapp.batch_cache"
SCAN_BUFFER = "traceapp.scan_buffer"
BUFFERED_VERIFICATION = "traceapp.buffered_verification"


def init_app(app: Flask) -> None:
    languages.init_app(app)
    app.register_blueprint(blueprint)
    settings: Settings = app.extensions["traceapp.settings"]
    cache = app.extensions[BATCH_CACHE] = BatchCache(settings.verification_cache_seconds)
    if settings.scan_buffer:
        verification = BufferedVerification(app.extensions["traceapp.sessions"], cache)
        app.extensions[BUFFERED_VERIFICATION] = verification
        app.extensions[SCAN_BUFFER] = verification.buffer
        if settings.verification_direct_path:
            app.wsgi_app = DirectPage(app, app.wsgi_app, verification, cache)


def flush_scans(app: Flask) -> None:
    """Write the app's buffered scans now (no-op when scans are not buffered)."""
    buffer = app.extensions.get(SCAN_BUFFER)
    if buffer is not None:
        buffer.flush()


@blueprint.get("/01/<gtin>/10/<lot>/21/<serial>")
def verify_gs1(gtin: str, lot: str, serial: str):
    # GS1 resolver requests (?linkType=, a linkset or JSON-LD Accept) are the resolver's.
    resolved = item_answer(gtin, lot, serial)
    if resolved is not None:
        return resolved
    response = _verification_response(_code_uri(f"/01/{_segment(gtin)}", lot, serial))
    response.headers.add("Link", item_link_header(settings().public_base_url, request.path))
    return response


@blueprint.get("/p/<product_ref>/10/<lot>/21/<serial>")
def verify_product_ref(product_ref: str, lot: str, serial: str):
    return _verification_response(_code_uri(f"/p/{_segment(product_ref)}", lot, serial))


@blueprint.get("/api/v1/verify")
def verify_api():
    code = request.args.get("code", "")
    if not code.strip():
        raise InvalidInput("give the scanned code as ?code=<URI>", field="code")
    if len(code) > MAX_CODE_PARAMETER:
        raise InvalidInput(f"a code has at most {MAX_CODE_PARAMETER} characters", field="code")
    return _verification_response(code, as_json=True)


@blueprint.get("/.well-known/traceapp-keys.json")
@blueprint.get("/keys.json")
def public_keys():
    response = jsonify(current_keyset(settings()).to_dict())
    response.headers["Cache-Control"] = f"public, max-age={KEYS_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _segment(value: str) -> str:
    # Re-escape what the router decoded, so parse_uri sees (and refuses) it as sent.
    return quote(value, safe="")


def _code_uri(item: str, lot: str, serial: str) -> str:
    signature = request.args.get("8030", "")
    return (
        f"{settings().public_base_url}{item}/10/{_segment(lot)}/21/{_segment(serial)}"
        f"?8030={_segment(signature)}"
    )


def _verification_response(uri: str, as_json: bool = False) -> Response:
    place = coarse_place(
        request.args.get("lat"), request.args.get("lon"), region_header(request.environ)
    )
    keyset, today = current_keyset(settings()), today_local()
    client = client_hash(request.remote_addr or "", settings().scan_salt)
    buffered: BufferedVerification | None = current_app.extensions.get(BUFFERED_VERIFICATION)
    if buffered is not None and place.latitude is None:
        outcome = buffered.verify(uri, keyset, today, client, place)
    else:
        outcome = verify_scan(
            db(),
            uri,
            keyset,
            today,
            client=client,
            place=place,
            scans=buffered.buffer if buffered else SessionScanWriter(db()),
            records=current_app.extensions[BATCH_CACHE].records,
        )
    if as_json or prefers_json(request.headers.get("Accept")):
        document = outcome.to_dict()
        document["title"] = verdict_title(outcome.verdict)
        document["message"] = reason_text(outcome.reason)
        response = jsonify(document)
    else:
        response = current_app.response_class(_render_page(outcome, today))
    if buffered is None or place.latitude is not None:
        db().commit()  # the scan written in this request's transaction
    response.headers.extend(CACHE_HEADERS)
    response.headers["ETag"] = etag(response.get_data())
    if not any(name in request.environ for name in CONDITIONAL_HEADERS):
        # Nothing for make_conditional to decide, and the server sets the Date header.
        return response
    return response.make_conditional(request)


def _render_page(outcome: VerificationOutcome, today: date) -> str:
    language = g.get("lang") or languages.chosen_language()  # chosen before the view
    kept = {k: v for k, v in request.args.items() if k not in ("lang", "lat", "lon")}
    return page_html(
        outcome,
        language,
        today,
        "lat" in request.args,
        _page_url(kept),
        current_app.extensions[BATCH_CACHE],
    )


def _page_url(args: dict[str, str]) -> str:
    """url_for(the code's own route, its segments, **args), built without the router's
    generic machinery: the page builds one per view."""
    route = _CODE_ROUTES.get(request.endpoint or "")
    if route is None:
        if request.endpoint == "public.verify_api":
            return url_for("public.verify_api", **args)
        return url_for(request.endpoint or "public.verify_api", **(request.view_args or {}), **args)
    item, segments = route
    view_args = request.view_args or {}
    path = "".join(
        f"/{part}/{quote(str(view_args[name]), safe=_PATH_SAFE)}"
        for part, name in ((item, segments[0]), ("10", "lot"), ("21", "serial"))
    )
    url = f"{request.script_root.rstrip('/')}{path}"
    query = urlencode([(k, v) for k, v in args.items() if v is not None], safe=_QUERY_SAFE)
    return f"{url}?{query}" if query else url


# The code routes as (first segment, its view argument); the other two are lot and serial.
_CODE_ROUTES = {
    "public.verify_gs1": ("01", ("gtin",)),
    "public.verify_product_ref": ("p", ("product_ref",)),
}
# What werkzeug's router leaves unescaped in a path segment and in a query string.
_PATH_SAFE = "!$&'()*+,/:;=@"
_QUERY_SAFE = "!$'()*,/:;?@"


from traceapp.web.public import value_chain  # noqa: E402,F401  (the box page registers on the blueprint)
