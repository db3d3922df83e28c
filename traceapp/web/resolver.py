"""The GS1-conformant resolver's web side (domain/resolver.py decides the links):
/.well-known/gs1resolver, the product and batch levels, the item level's `linkType`
and linkset answers (a hook the verification view calls), the JSON-LD passport, the
batch's public EPCIS events and the product images.

docs/resolver.md describes every answer; docs/passport.md the passport.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus

from flask import Blueprint, Flask, Response, current_app, g, render_template, request
from sqlalchemy import select

from keys.codes import SIGNATURE_AI
from traceapp.clock import today_local
from traceapp.domain import resolver
from traceapp.domain.passport_content import (
    VOCABULARY_PATH,
    Passport,
    passport_jsonld,
    passport_of,
    vocabulary_document,
)
from traceapp.domain.product_images import image_of
from traceapp.domain.resolver import (
    JSON_LD_MEDIA_TYPE,
    LINKSET_CONTEXT,
    LINKSET_MEDIA_TYPE,
    LINKSET_REQUESTS,
    Level,
    Link,
    LinkType,
    Resolution,
)
from traceapp.domain.value_chain import export_batch
from traceapp.domain.where_to_buy import where_to_buy_facts
from traceapp.errors import NotFound
from traceapp.models import Batch, BatchStatus, Product, Union
from traceapp.web.errors import problem
from traceapp.web.public import languages
from traceapp.web.public.passport_wording import (
    LINK_TITLES,
    WHERE_TO_BUY_KIND_NAMES,
    language_names,
)
from traceapp.web.public.scan import LOCATION_PARAMETERS
from traceapp.web.public.wording import EVENT_NAMES, SCHEME_NAMES
from traceapp.web.request_session import db, settings
from traceapp.web.resolver_requests import (
    LINK_TYPE,
    best_media,
    linkset_link_header,
    resolver_request,
)

blueprint = Blueprint("resolver", __name__)

DESCRIPTION_PATH = Path(__file__).with_name("gs1resolver.json")
IMAGE_MAX_AGE = 365 * 24 * 3600
PAGE_CACHE = "no-cache, max-age=0, must-revalidate"
_READ_ONLY = "resolver_read_only"
# What a redirect to another site (a shop's) does not pass on: the label's signature,
# which would let that site print copies of this very label, and where the scan was
# made. Targets on this service get the whole query string (the verification page
# needs the signature).
NOT_FOR_OTHER_SITES = (SIGNATURE_AI, *LOCATION_PARAMETERS)
_RESOLVER_PATHS = ("/01/", "/.well-known/gs1resolver", "/passport/", "/epcis/")


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    # The where-to-buy partial is included by the verification page too.
    app.jinja_env.globals["where_to_buy_kind_names"] = WHERE_TO_BUY_KIND_NAMES
    app.add_template_global(language_names, "where_to_buy_language_names")

    @app.after_request
    def _preflight(response: Response) -> Response:
        # CORS preflight for the resolver's URIs (the standard asks for CORS support).
        if request.method == "OPTIONS" and request.path.startswith(_RESOLVER_PATHS):
            _cors(response)
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
        return response

    @app.after_request
    def _end_read_only_transaction(response: Response) -> Response:
        # Resolver answers only read: end their transaction now rather than at teardown.
        if g.pop(_READ_ONLY, False):
            session = g.pop("db_session", None)
            if session is not None:
                session.rollback()
                session.close()
        return response


@blueprint.get("/.well-known/gs1resolver")
def description():
    """The resolver description file (GS1-Conformant Resolver standard 1.2, section 3)."""
    response = current_app.response_class(
        json.dumps(
            description_document(settings().public_base_url, _operator_name()), ensure_ascii=False
        ),
        mimetype="application/json",
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return _cors(response)


def description_document(base_url: str, operator: str) -> dict[str, Any]:
    document = dict(_description_template())
    document["resolverRoot"] = base_url
    document["contact"] = {"fn": operator}
    return document


def _operator_name() -> str:
    union = db().scalar(select(Union).where(Union.code == settings().issuer))
    return union.name if union is not None else settings().issuer


@cache
def _description_template() -> dict[str, Any]:
    return json.loads(DESCRIPTION_PATH.read_text(encoding="utf-8"))


@blueprint.get("/01/<gtin>", strict_slashes=False)
def product_level(gtin: str):
    return _answer(_resolution(gtin))


@blueprint.get("/01/<gtin>/10/<lot>", strict_slashes=False)
def batch_level(gtin: str, lot: str):
    return _answer(_resolution(gtin, lot))


@blueprint.get("/01/<gtin>/10/<lot>/21/<serial>", strict_slashes=False)
def item_level(gtin: str, lot: str, serial: str):
    """The resolver's answers for a printed code (?linkType=, a linkset or JSON-LD
    Accept). The scan front (web/public/scan.py) answers every other request for the
    code itself and sends only these here; anything else reaching this view is not
    the resolver's."""
    if not resolver_request(
        request.path, request.query_string.decode("latin-1"), request.headers.get("Accept")
    ):
        raise NotFound("no resolver answer was asked for")
    return _answer(_resolution(gtin, lot, serial))


@blueprint.get(VOCABULARY_PATH)
def passport_vocabulary():
    """The passport's own terms (domain/passport_content.py OWN_TERMS), so that their
    IRIs, {base}/passport/vocab#term, answer with what they mean."""
    response = current_app.response_class(
        json.dumps(vocabulary_document(settings().public_base_url), ensure_ascii=False),
        mimetype=JSON_LD_MEDIA_TYPE,
    )
    response.headers["Cache-Control"] = "public, max-age=86400"
    return _cors(response)


@blueprint.get("/passport/01/<gtin>", strict_slashes=False)
def product_passport(gtin: str):
    resolution = _resolution(gtin)
    return _passport_response(resolution)


@blueprint.get("/passport/01/<gtin>/10/<lot>", strict_slashes=False)
def batch_passport(gtin: str, lot: str):
    return _passport_response(_resolution(gtin, lot))


@blueprint.get("/epcis/01/<gtin>/10/<lot>", strict_slashes=False)
def batch_epcis(gtin: str, lot: str):
    """The batch's value-chain events as an EPCIS 2.0 document (what the page's
    timeline shows), for a certified or recalled batch only."""
    resolution = _resolution(gtin, lot)
    assert resolution.batch_id is not None
    document = export_batch(db(), resolution.batch_id)
    response = current_app.response_class(
        json.dumps(document, ensure_ascii=False), mimetype=JSON_LD_MEDIA_TYPE
    )
    response.headers["Cache-Control"] = PAGE_CACHE
    return _with_links(_cors(response), resolution)


@blueprint.get("/media/products/<int:product_id>/<name>.jpg")
def product_image(product_id: int, name: str):
    image = image_of(db(), product_id)
    if image is None or image.digest[:16] != name:
        raise NotFound("no such product image")
    response = current_app.response_class(image.data, mimetype=image.media_type)
    # The digest is in the URL: a new picture gets a new URL, so this one never changes.
    response.headers["Cache-Control"] = f"public, max-age={IMAGE_MAX_AGE}, immutable"
    response.set_etag(image.digest)
    return response.make_conditional(request)


# --- answering --------------------------------------------------------------------------


def _resolution(gtin: str, lot: str | None = None, serial: str | None = None) -> Resolution:
    g.setdefault(_READ_ONLY, True)
    titles = {link_type: str(title) for link_type, title in LINK_TITLES.items()}
    return resolver.resolve(db(), settings().public_base_url, gtin, lot, serial, titles)


def _answer(resolution: Resolution) -> Response:
    asked = request.args.get(LINK_TYPE, "").strip()
    if asked:
        if asked in LINKSET_REQUESTS:
            return _linkset_response(resolution)
        return _redirect(resolution, asked)
    media = _wanted_media()
    if media in (LINKSET_MEDIA_TYPE, "application/json"):
        return _linkset_response(resolution)
    if media == JSON_LD_MEDIA_TYPE:
        return _passport_response(resolution)
    return _page(resolution)


def _redirect(resolution: Resolution, asked: str) -> Response:
    link_type = resolver.parse_link_type(asked)
    if link_type is LinkType.DEFAULT_LINK:
        candidates = [resolution.default]
    else:
        candidates = resolution.links_of(link_type) if link_type is not None else []
    if not candidates:
        # "SHALL return a 404 Not Found message if a link of the requested type is not
        # available" (GS1's conformance statements for the resolver standard; the
        # wording and its source are quoted in docs/resolver.md).
        available = ", ".join(sorted({link.link_type.value for link in resolution.links}))
        response = problem(
            404,
            "Not Found",
            f"no link of type {asked!r} for this identifier; available: {available}, linkset",
        )
        return _with_links(_cors(response), resolution)
    target = _by_language(candidates)
    here = target.href.startswith(f"{settings().public_base_url}/")
    response = current_app.response_class(status=307)
    response.headers["Location"] = _with_query(
        target.href, _passed_query(() if here else NOT_FOR_OTHER_SITES)
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Vary"] = "Accept, Accept-Language"
    return _with_links(_cors(response), resolution)


def _linkset_response(resolution: Resolution) -> Response:
    response = current_app.response_class(
        json.dumps(resolution.linkset(), ensure_ascii=False), mimetype=LINKSET_MEDIA_TYPE
    )
    response.headers["Cache-Control"] = PAGE_CACHE
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers.add(
        "Link",
        f'<{LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; '
        f'type="{JSON_LD_MEDIA_TYPE}"',
    )
    return _with_links(_cors(response), resolution)


def _passport_response(resolution: Resolution) -> Response:
    passport = _passport(resolution)
    response = current_app.response_class(
        json.dumps(passport_jsonld(passport, settings().public_base_url), ensure_ascii=False),
        mimetype=JSON_LD_MEDIA_TYPE,
    )
    response.headers["Cache-Control"] = PAGE_CACHE
    response.headers["Vary"] = "Accept, Accept-Language"
    return _with_links(_cors(response), resolution)


def _page(resolution: Resolution) -> Response:
    language = languages.chosen_language()
    passport = _passport(resolution)
    # Where to buy only for a batch a consumer can trust: not a recalled one.
    on_sale = passport.batch_status in (None, BatchStatus.CERTIFIED)
    shops = where_to_buy_facts(db(), passport.product_id) if on_sale else ()
    html = render_template(
        "public/passport_page.html",
        level=resolution.level,
        passport=passport,
        shops=shops,
        links=resolution.links,
        language_links=[
            (code, name, f"{request.path}?lang={code}")
            for code, name in languages.LANGUAGE_NAMES.items()
        ],
        current_language=language,
        page_facts={
            "product_name": passport.product_name,
            "image_path": _path_of(passport.image_url),
            "image_size": passport.image_size,
            "gtin": passport.gtin,
            "cooperative_registration_number": passport.producer_identifier,
            "safety_warnings": passport.safety_warnings,
            "produced_on": passport.produced_on,
            "best_before": passport.best_before,
        },
        scheme_names=SCHEME_NAMES,
        event_names=EVENT_NAMES,
    )
    response = current_app.response_class(html, mimetype="text/html")
    response.headers["Cache-Control"] = PAGE_CACHE
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    return _with_links(_cors(response), resolution)


def _passport(resolution: Resolution) -> Passport:
    session = db()
    product = session.get(Product, resolution.product_id)
    batch = session.get(Batch, resolution.batch_id) if resolution.batch_id else None
    assert product is not None  # resolve() found it
    return passport_of(session, product, batch, settings().public_base_url, today_local())


def _path_of(url: str | None) -> str | None:
    base = settings().public_base_url
    return url.removeprefix(base) if url else None


def _wanted_media() -> str | None:
    return best_media(request.headers.get("Accept"))


def _by_language(links: list[Link]) -> Link:
    """The link in the request's language, if one is; else the first."""
    language = languages.chosen_language()
    return next((link for link in links if language in link.languages), links[0])


def _passed_query(withheld: tuple[str, ...]) -> str:
    """The request's query string as sent, without `linkType` (the resolver's own
    instruction: a target on this resolver would otherwise answer it again) and the
    `withheld` parameters."""
    raw = request.query_string.decode("latin-1")
    dropped = (LINK_TYPE, *withheld)
    kept = [
        part
        for part in raw.split("&")
        if part and unquote_plus(part.split("=", 1)[0]) not in dropped
    ]
    # Bytes a client sent unescaped are escaped; what it escaped stays as it was.
    return quote("&".join(kept), safe="!$&'()*+,/:;=?@~%-._")


def _with_query(href: str, query: str) -> str:
    """`href` with `query` appended: after its own query if it has one (never a second
    `?`), before its fragment."""
    if not query:
        return href
    target, hash_mark, fragment = href.partition("#")
    joined = f"{target}{'&' if '?' in target else '?'}{query}"
    return f"{joined}{hash_mark}{fragment}"


def _with_links(response: Response, resolution: Resolution) -> Response:
    response.headers.add("Link", linkset_link_header(resolution.anchor))
    return response


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Link, Location"
    return response


__all__ = ["Level", "blueprint", "init_app"]
