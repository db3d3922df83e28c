"""Which requests are the GS1 resolver's, and the `Link` header naming an identifier's
linkset: what both the resolver (web/resolver.py) and the scan front in front of Flask
(web/public/scan.py) need to know. Needs no Flask app, and imports neither of them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from traceapp.domain.resolver import JSON_LD_MEDIA_TYPE, LINKSET_MEDIA_TYPE

LINK_TYPE = "linkType"
# What each level answers in HTML, a linkset or JSON-LD, by the request's Accept header.
OFFERS = ["text/html", LINKSET_MEDIA_TYPE, JSON_LD_MEDIA_TYPE, "application/json"]

# The product and batch levels: always the resolver's. The item level (a printed code)
# is the verification page's unless resolver_request() says otherwise.
_PRODUCT_OR_BATCH = re.compile(r"/01/[^/]+(?:/10/[^/]+)?/?")
_ITEM = re.compile(r"/01/[^/]+/10/[^/]+/21/[^/]+/?")


def resolver_request(path: str, query: str, accept: str | None) -> bool:
    """True if a request for `path` (as sent) is the GS1 resolver's to answer rather
    than the verification page's: a product or batch URI, or a printed code's URI with
    `linkType` or an Accept header preferring a linkset or JSON-LD. The scan front asks
    it before answering a scan itself."""
    if _PRODUCT_OR_BATCH.fullmatch(path):
        return True
    if not _ITEM.fullmatch(path):
        return False
    if any(
        name == LINK_TYPE and value.strip()
        for name, value in parse_qsl(query, keep_blank_values=True)
    ):
        return True
    return wants_resolver_document(accept)


def wants_resolver_document(accept: str | None) -> bool:
    """True if an Accept header prefers a GS1 linkset or a JSON-LD passport to the page."""
    return best_media(accept) in (LINKSET_MEDIA_TYPE, JSON_LD_MEDIA_TYPE)


@lru_cache(maxsize=256)
def best_media(accept: str | None) -> str | None:
    """Which of OFFERS an Accept header prefers (clients send a handful of distinct
    ones: each is parsed once); None without one."""
    if not accept:
        return None
    return parse_accept_header(accept, MIMEAccept).best_match(OFFERS)


def linkset_link_header(anchor: str) -> str:
    """The `Link` header naming an identifier's linkset, which the resolver standard asks
    for on every answer, redirects included."""
    return f'<{anchor}?linkType=linkset>; rel="linkset"; type="{LINKSET_MEDIA_TYPE}"'


def item_link_header(base_url: str, path: str) -> str:
    """The `Link` header of a printed code's verification page (its path as requested)."""
    return linkset_link_header(f"{base_url}{path.rstrip('/')}")
