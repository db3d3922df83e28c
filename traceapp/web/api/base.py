"""The API's blueprint and what its views share: the query parameters it accepts."""

from __future__ import annotations

import re
from functools import cache

from flask import Blueprint, request

from traceapp.errors import InvalidInput
from traceapp.web.auth import csrf
from traceapp.web.openapi import openapi_document

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(blueprint)  # token-authenticated: no cookies, so no cross-site forgery


@blueprint.before_request
def _only_documented_query_parameters() -> None:
    # A misspelt parameter (?limt=5) is refused rather than silently ignored.
    if request.url_rule is None:
        return
    allowed = _query_parameters(request.url_rule.rule, request.method.lower())
    for name, value in request.args.items(multi=True):
        if name not in allowed:
            raise InvalidInput(
                "unknown query parameter %(name)s", field=name[:40], name=repr(name[:40])
            )
        if "\x00" in value:
            raise InvalidInput("query parameters must not contain NUL characters", field=name)


@cache
def _query_parameters(rule: str, method: str) -> frozenset[str]:
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)
    operation = openapi_document()["paths"].get(path, {}).get(method, {})
    return frozenset(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
