"""The public verification page a consumer lands on, its JSON twin, the issuer's
public key document, and the scan statistics page of the console."""

from __future__ import annotations

from urllib.parse import quote

from flask import (
    Blueprint,
    Flask,
    Response,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)

from traceapp.clock import today_local
from traceapp.domain.scans import batch_scan_statistics, client_hash, coarse_place
from traceapp.domain.verification import VerificationOutcome, verify_scan
from traceapp.errors import InvalidInput
from traceapp.models import Batch
from traceapp.web.auth import cooperative_scope, roles_required
from traceapp.web.public import languages
from traceapp.web.public.charts import CHART_HEIGHT, CHART_WIDTH, day_bars
from traceapp.web.public.keyset_cache import current_keyset
from traceapp.web.public.wording import (
    EVENT_NAMES,
    FLAG_TEXTS,
    reason_text,
    verdict_title,
)
from traceapp.web.request_session import db, settings

blueprint = Blueprint("public", __name__)

# Where a CDN or reverse proxy may say which region a client is in.
REGION_HEADERS = ("CF-IPCountry", "X-Region")
KEYS_MAX_AGE = 300
MAX_CODE_PARAMETER = 2048


def init_app(app: Flask) -> None:
    languages.init_app(app)
    app.register_blueprint(blueprint)


@blueprint.get("/01/<gtin>/10/<lot>/21/<serial>")
def verify_gs1(gtin: str, lot: str, serial: str):
    return _verification_response(_code_uri(f"/01/{_segment(gtin)}", lot, serial))


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


@blueprint.get("/console/batches/<int:batch_id>/scans")
@roles_required("union_officer", "cooperative_operator")
def batch_scans(batch_id: int):
    statistics = batch_scan_statistics(db(), batch_id, today_local(),
                                       cooperative_id=cooperative_scope())
    return render_template("public/batch_scans.html", stats=statistics,
                           bars=day_bars(statistics.days), chart_width=CHART_WIDTH,
                           chart_height=CHART_HEIGHT, flag_texts=FLAG_TEXTS)


def _segment(value: str) -> str:
    # Re-escape what the router decoded, so parse_uri sees (and refuses) it as sent.
    return quote(value, safe="")


def _code_uri(item: str, lot: str, serial: str) -> str:
    signature = request.args.get("8030", "")
    return (f"{settings().public_base_url}{item}/10/{_segment(lot)}/21/{_segment(serial)}"
            f"?8030={_segment(signature)}")


def _verification_response(uri: str, as_json: bool = False) -> Response:
    place = coarse_place(request.args.get("lat"), request.args.get("lon"),
                         next((request.headers[h] for h in REGION_HEADERS
                               if request.headers.get(h)), None))
    outcome = verify_scan(db(), uri, current_keyset(settings()), today_local(),
                          client=client_hash(request.remote_addr or "", settings().scan_salt),
                          place=place)
    if as_json or _wants_json():
        document = outcome.to_dict()
        document["title"] = verdict_title(outcome.verdict)
        document["message"] = reason_text(outcome.reason)
        response = jsonify(document)
    else:
        response = make_response(_render_page(outcome))
    db().commit()
    response.headers["Cache-Control"] = "no-cache, private, max-age=0, must-revalidate"
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    response.add_etag()
    return response.make_conditional(request)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _render_page(outcome: VerificationOutcome) -> str:
    facts = outcome.facts
    batch = db().get(Batch, facts.batch_id) if facts is not None else None
    kept = {k: v for k, v in request.args.items() if k not in ("lang", "lat", "lon")}
    language_links = [(code, name, _page_url(kept, lang=code))
                      for code, name in languages.LANGUAGE_NAMES.items()]
    return render_template(
        "public/verify.html", outcome=outcome, facts=facts, batch=batch,
        title=verdict_title(outcome.verdict), message=reason_text(outcome.reason),
        event_names=EVENT_NAMES, flag_texts=FLAG_TEXTS, language_links=language_links,
        page_url=_page_url(kept), current_language=languages.chosen_language(),
        located=request.args.get("lat") is not None)


def _page_url(args: dict[str, str], **extra: str) -> str:
    if request.endpoint == "public.verify_api":
        return url_for("public.verify_api", **args, **extra)
    return url_for(request.endpoint or "public.verify_api", **(request.view_args or {}),
                   **args, **extra)
