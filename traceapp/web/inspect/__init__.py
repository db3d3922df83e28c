"""The inspectors' offline web app at /inspect/: its page, service worker, manifest
and words. The app's logic is in traceapp/static/inspect/ (JavaScript); its data
comes from the API (bundles, inspections) with the inspector's token."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, render_template, url_for

from keys.statements import statement_text
from traceapp.web.inspect.wording import messages
from traceapp.web.request_session import settings
from traceapp.web.security import CONTENT_SECURITY_POLICY

blueprint = Blueprint("inspect", __name__, url_prefix="/inspect")

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
# The app's files under static/: everything the service worker keeps for offline use.
APP_FILES = (
    "inspect/app.css",
    "inspect/app.js",
    "inspect/verifier.js",
    "inspect/ed25519.js",
    "inspect/scanner.js",
    "inspect/store.js",
    "inspect/icon-192.png",
    "inspect/icon-512.png",
    "inspect/vendor/noble-ed25519/index.js",
    "inspect/vendor/zxing-wasm/share.js",
    "inspect/vendor/zxing-wasm/reader/index.js",
    "inspect/vendor/zxing-wasm/zxing_reader.wasm",
)
# The page compiles the QR decoder (WebAssembly) and shows photos taken on the phone.
INSPECT_CSP = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"
).replace("img-src 'self' data:", "img-src 'self' data: blob:")
SW_MAX_AGE = 24 * 3600


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)


@cache
def _app_version() -> str:
    digest = hashlib.sha256()
    sources = [STATIC_DIR / name for name in APP_FILES + ("inspect/sw.js",)]
    sources.append(STATIC_DIR.parent / "templates/inspect/app.html")
    sources += sorted((STATIC_DIR.parent / "translations").glob("*/LC_MESSAGES/messages.mo"))
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _precached() -> list[str]:
    # Plain addresses, as the modules import each other; a new VERSION makes a new
    # worker, which fetches them all again past the HTTP cache.
    return [
        url_for("inspect.app_page"),
        url_for("inspect.manifest"),
        url_for("inspect.words"),
        *(url_for("static", filename=name) for name in APP_FILES),
    ]


@blueprint.get("/")
def app_page() -> Response:
    version = _app_version()
    response = Response(
        render_template(
            "inspect/app.html",
            version=version,
            words=messages()["vi"],
            max_age_days=settings().bundle_max_age_days,
            asset=lambda name: url_for("static", filename=name),
        )
    )
    response.headers["Content-Security-Policy"] = INSPECT_CSP
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/sw.js")
def service_worker() -> Response:
    source = (STATIC_DIR / "inspect/sw.js").read_text(encoding="utf-8")
    header = (
        f"const VERSION = {json.dumps(_app_version())};\n"
        f"const PRECACHE = {json.dumps(_precached())};\n"
    )
    response = Response(header + source, mimetype="text/javascript")
    response.headers["Cache-Control"] = f"max-age={SW_MAX_AGE}"
    response.headers["Service-Worker-Allowed"] = url_for("inspect.app_page")
    return response


@blueprint.get("/manifest.webmanifest")
def manifest() -> Response:
    words = messages()["vi"]
    assert isinstance(words, dict)
    document: dict[str, Any] = {
        "name": words["app_name"],
        "short_name": "TraceApp",
        "lang": "vi",
        "start_url": url_for("inspect.app_page"),
        "scope": url_for("inspect.app_page"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1b5e20",
        "icons": [
            {
                "src": url_for("static", filename=f"inspect/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    }
    return Response(json.dumps(document, ensure_ascii=False), mimetype="application/manifest+json")


@blueprint.get("/messages.json")
def words() -> Response:
    response = jsonify(messages())
    response.headers["Cache-Control"] = "no-cache"
    return response


def bundle_response(document: dict[str, Any]) -> Response:
    """A signed bundle as a JSON download (the console's and the API's)."""
    response = Response(statement_text(document), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="offline-bundle.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
