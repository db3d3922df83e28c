"""The public verification page a consumer lands on, its JSON twin, the issuer's
public key document, and the scan statistics page of the console."""

from __future__ import annotations

import hashlib
import time
from dataclasses import fields
from functools import lru_cache
from operator import attrgetter
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import http_date, parse_accept_header

from traceapp.clock import today_local
from traceapp.domain.scans import (
    SessionScanWriter,
    batch_scan_statistics,
    client_hash,
    coarse_place,
)
from traceapp.domain.verification import LabelFacts, VerificationOutcome, verify_scan
from traceapp.errors import InvalidInput
from traceapp.models import Batch
from traceapp.web.auth import cooperative_scope, roles_required
from traceapp.web.public import languages
from traceapp.web.public.batch_cache import BATCH_CACHE_SECONDS, BatchCache
from traceapp.web.public.charts import CHART_HEIGHT, CHART_WIDTH, day_bars
from traceapp.web.public.keyset_cache import current_keyset
from traceapp.web.public.label_query import label_finder
from traceapp.web.public.page_shell import Filled, Holes, PageShell
from traceapp.web.public.read_sessions import ThreadSessions, read_only_sessions, with_retry
from traceapp.web.public.scan_buffer import ScanBuffer
from traceapp.web.public.wording import (
    EVENT_NAMES,
    FLAG_TEXTS,
    SCHEME_NAMES,
    reason_text,
    scan_count_text,
    verdict_title,
)
from traceapp.web.request_session import db, settings

blueprint = Blueprint("public", __name__)

# Where a CDN or reverse proxy may say which region a client is in.
REGION_HEADERS = ("CF-IPCountry", "X-Region")
KEYS_MAX_AGE = 300
MAX_CODE_PARAMETER = 2048


BATCH_CACHE = "traceapp.batch_cache"
SCAN_BUFFER = "traceapp.scan_buffer"
READ_SESSIONS = "traceapp.read_sessions"
LABEL_FINDER = "traceapp.label_finder"


def init_app(app: Flask) -> None:
    languages.init_app(app)
    app.register_blueprint(blueprint)
    app.extensions[BATCH_CACHE] = BatchCache(
        app.config.get("VERIFICATION_CACHE_SECONDS", BATCH_CACHE_SECONDS))
    # Tests see every scan in their own transaction at once; servers buffer them.
    if app.config.get("SCAN_BUFFER", not app.testing):
        sessions = app.extensions["traceapp.sessions"]
        app.extensions[SCAN_BUFFER] = ScanBuffer(sessions)
        read_sessions = read_only_sessions(sessions)
        finder = label_finder(read_sessions.kw["bind"])
        app.extensions[LABEL_FINDER] = finder
        # With the query on the driver, the view's session is rarely used: reuse it.
        app.extensions[READ_SESSIONS] = (ThreadSessions(read_sessions) if finder is not None
                                         else read_sessions)


def flush_scans(app: Flask) -> None:
    """Write the app's buffered scans now (no-op when scans are not buffered)."""
    buffer = app.extensions.get(SCAN_BUFFER)
    if buffer is not None:
        buffer.flush()


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
    cache: BatchCache = current_app.extensions[BATCH_CACHE]
    keyset, today = current_keyset(settings()), today_local()
    client = client_hash(request.remote_addr or "", settings().scan_salt)
    buffer: ScanBuffer | None = current_app.extensions.get(SCAN_BUFFER)
    if buffer is not None and place.latitude is None:
        # Nothing to write in this request (the scan goes to the buffer).
        outcome = with_retry(current_app.extensions[READ_SESSIONS], lambda session: verify_scan(
            session, uri, keyset, today, client=client, place=place, scans=buffer,
            records=cache.records, find=current_app.extensions[LABEL_FINDER]))
    else:
        outcome = verify_scan(db(), uri, keyset, today, client=client, place=place,
                              scans=buffer or SessionScanWriter(db()), records=cache.records)
    if as_json or _wants_json():
        document = outcome.to_dict()
        document["title"] = verdict_title(outcome.verdict)
        document["message"] = reason_text(outcome.reason)
        response = jsonify(document)
    else:
        response = current_app.response_class(_render_page(outcome))
    if buffer is None or place.latitude is not None:
        db().commit()  # the scan written in this request's transaction
    headers = response.headers
    headers["Cache-Control"] = "no-cache, private, max-age=0, must-revalidate"
    headers["Vary"] = "Accept, Accept-Language, Cookie"
    headers["ETag"] = f'"{hashlib.sha1(response.get_data()).hexdigest()}"'
    environ = request.environ
    if not any(name in environ for name in _CONDITIONAL_HEADERS):
        # What make_conditional does for an unconditional request, without its parsing.
        headers["Date"] = _http_date_now()
        return response
    return response.make_conditional(request)


_date_now: tuple[int, str] = (0, "")


def _http_date_now() -> str:
    # The Date header changes once a second: format it once a second.
    global _date_now
    second = int(time.time())
    if _date_now[0] != second:
        _date_now = (second, http_date(second))
    return _date_now[1]


# Request headers that may turn a response into a 304, 412 or 206.
_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE",
                        "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE")


def _wants_json() -> bool:
    return _prefers_json(request.headers.get("Accept"))


@lru_cache(maxsize=256)
def _prefers_json(accept: str | None) -> bool:
    # Clients send a handful of distinct Accept headers: parse each once.
    best = parse_accept_header(accept, MIMEAccept).best_match(["text/html", "application/json"])
    return best == "application/json"


def _render_page(outcome: VerificationOutcome) -> str:
    facts = outcome.facts
    language = g.get("lang") or languages.chosen_language()  # chosen before the view
    kept = {k: v for k, v in request.args.items() if k not in ("lang", "lat", "lon")}
    code_url = _page_url(kept)
    joiner = "&" if "?" in code_url else "?"
    values: dict[str, object] = {f"href_{code}": f"{code_url}{joiner}lang={code}"
                                 for code in languages.LANGUAGE_NAMES}
    values["page_url"] = code_url
    values["serial"] = outcome.code.serial if outcome.code is not None else ""
    scans = outcome.scans
    values["scan_count"] = (scan_count_text(scans.scans, scans.first_scanned_at, language)
                            if scans is not None and scans.first_scanned_at is not None else "")
    located = request.args.get("lat") is not None
    cache: BatchCache = current_app.extensions[BATCH_CACHE]
    key = (language, today_local(), outcome.verdict, outcome.reason, located,
           scans.flags if scans is not None else None, _facts_key(facts))
    try:
        shell = cache.pages.get(key, lambda: PageShell(
            _render_verify(outcome, language, located, Holes()), PAGE_HOLES))
    except ValueError:
        return _render_verify(outcome, language, located, Filled(values))
    return shell.fill(values)


PAGE_HOLES = frozenset({"href_vi", "href_en", "href_fr", "page_url", "serial", "scan_count"})


def _render_verify(outcome: VerificationOutcome, language: str, located: bool,
                   holes: Holes | Filled) -> str:
    facts = outcome.facts
    sections = None
    if facts is not None:
        cache: BatchCache = current_app.extensions[BATCH_CACHE]
        sections = Markup(cache.sections.get(
            (facts.batch_id, today_local(), language, facts.recalled_at),
            lambda: _batch_sections(facts)))
    language_links = [(code, name, getattr(holes, f"href_{code}"))
                      for code, name in languages.LANGUAGE_NAMES.items()]
    return render_template(
        "public/verify.html", outcome=outcome, facts=facts, batch_sections=sections,
        title=verdict_title(outcome.verdict), message=reason_text(outcome.reason),
        flag_texts=FLAG_TEXTS, language_links=language_links, holes=holes,
        current_language=language, located=located)


def _facts_key(facts: LabelFacts | None) -> tuple | None:
    """Everything fresh about the label that the page shows, but its serial."""
    if facts is None:
        return None
    return _fresh_facts(facts)


_fresh_facts = attrgetter(*(f.name for f in fields(LabelFacts)
                            if f.name not in ("certifications", "history")))


def _batch_sections(facts: LabelFacts) -> str:
    """Certifications, lab results, history and value chain: the same for every
    label of the batch, so rendered once per batch, day and language."""
    return render_template("public/_batch_sections.html", facts=facts,
                           batch=db().get(Batch, facts.batch_id), event_names=EVENT_NAMES,
                           scheme_names=SCHEME_NAMES)


def _page_url(args: dict[str, str]) -> str:
    """url_for(the code's own route, its segments, **args), built without the router's
    generic machinery: the page builds one per view."""
    route = _CODE_ROUTES.get(request.endpoint or "")
    if route is None:
        if request.endpoint == "public.verify_api":
            return url_for("public.verify_api", **args)
        return url_for(request.endpoint or "public.verify_api", **(request.view_args or {}),
                       **args)
    item, segments = route
    view_args = request.view_args or {}
    path = "".join(f"/{part}/{quote(str(view_args[name]), safe=_PATH_SAFE)}"
                   for part, name in ((item, segments[0]), ("10", "lot"), ("21", "serial")))
    url = f"{request.script_root.rstrip('/')}{path}"
    query = urlencode([(k, v) for k, v in args.items() if v is not None], safe=_QUERY_SAFE)
    return f"{url}?{query}" if query else url


# The code routes as (first segment, its view argument); the other two are lot and serial.
_CODE_ROUTES = {"public.verify_gs1": ("01", ("gtin",)),
                "public.verify_product_ref": ("p", ("product_ref",))}
# What werkzeug's router leaves unescaped in a path segment and in a query string.
_PATH_SAFE = "!$&'()*+,/:;=@"
_QUERY_SAFE = "!$'()*,/:;?@"
