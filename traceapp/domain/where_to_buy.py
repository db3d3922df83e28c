"""Where to buy a product again: the links a product's page shows under a genuine verdict.

The Union and the product's cooperative keep them; every change goes to the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import idna
from sqlalchemy import select
from sqlalchemy.orm import Session

from traceapp.domain import audit_log
from traceapp.errors import InvalidInput, NotFound, one_of
from traceapp.models import Product, WhereToBuyKind, WhereToBuyLink

# Two-letter ISO 639-1 codes: what GS1's linkset schema takes as hreflang.
_LANGUAGE = re.compile(r"^[a-z]{2}$")
MAX_LANGUAGES = 10
MAX_URL = 500  # the column's length


@dataclass(frozen=True)
class WhereToBuyDetails:
    kind: str
    name: str
    url: str | None = None
    address: str | None = None
    languages: tuple[str, ...] = ("vi",)


@dataclass(frozen=True)
class WhereToBuyFacts:
    """A where-to-buy link as the public page and its JSON show it."""

    kind: str
    name: str
    url: str | None
    address: str | None
    languages: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "url": self.url,
            "address": self.address,
            "languages": list(self.languages),
        }


def where_to_buy_facts(session: Session, product_id: int) -> tuple[WhereToBuyFacts, ...]:
    return tuple(
        WhereToBuyFacts(
            str(link.kind), link.name, link.url, link.address, tuple(link.language_list)
        )
        for link in links_of(session, product_id)
    )


def links_of(session: Session, product_id: int) -> list[WhereToBuyLink]:
    """A product's where-to-buy links, in the order they were added."""
    return list(
        session.scalars(
            select(WhereToBuyLink)
            .where(WhereToBuyLink.product_id == product_id)
            .order_by(WhereToBuyLink.id)
        )
    )


def get_link(session: Session, link_id: int, cooperative_id: int | None = None) -> WhereToBuyLink:
    """The link, or NotFound; an operator only ever finds their cooperative's links."""
    link = session.get(WhereToBuyLink, link_id)
    if link is None or (
        cooperative_id is not None and link.product.cooperative_id != cooperative_id
    ):
        raise NotFound("no where-to-buy link %(id)s", id=str(link_id))
    return link


def add_link(
    session: Session, product: Product, details: WhereToBuyDetails, actor: str
) -> WhereToBuyLink:
    clean = _checked(details)
    link = WhereToBuyLink(product=product, **_columns(clean))
    session.add(link)
    session.flush()
    audit_log.record(
        session, actor, "where_to_buy.added", "where_to_buy_link", link.id, _logged(link)
    )
    return link


def change_link(
    session: Session, link: WhereToBuyLink, details: WhereToBuyDetails, actor: str
) -> WhereToBuyLink:
    clean = _checked(details)
    for name, value in _columns(clean).items():
        setattr(link, name, value)
    session.flush()
    audit_log.record(
        session, actor, "where_to_buy.changed", "where_to_buy_link", link.id, _logged(link)
    )
    return link


def remove_link(session: Session, link: WhereToBuyLink, actor: str) -> None:
    details = _logged(link)
    session.delete(link)
    session.flush()
    audit_log.record(session, actor, "where_to_buy.removed", "where_to_buy_link", link.id, details)


def parse_languages(text: str) -> tuple[str, ...]:
    """'vi, en' -> ('vi', 'en'): what a form or a CLI option gives."""
    return tuple(part.strip().lower() for part in re.split(r"[,\s]+", text) if part.strip())


def _checked(details: WhereToBuyDetails) -> WhereToBuyDetails:
    kind = one_of(WhereToBuyKind, details.kind, "kind")
    name = (details.name or "").strip()
    if not name:
        raise InvalidInput("name must not be empty", field="name")
    if len(name) > 200:
        raise InvalidInput("name has at most 200 characters", field="name")
    url = (details.url or "").strip() or None
    address = (details.address or "").strip() or None
    if url is None and address is None:
        raise InvalidInput("give a web address or a street address", field="url")
    if url is not None:
        url = web_address(url)
    if address is not None and len(address) > 300:
        raise InvalidInput("the address has at most 300 characters", field="address")
    languages = tuple(dict.fromkeys(code.strip().lower() for code in details.languages))
    if not languages:
        raise InvalidInput("name at least one language, e.g. vi", field="languages")
    bad = [code for code in languages if not _LANGUAGE.match(code)]
    if bad or len(languages) > MAX_LANGUAGES:
        raise InvalidInput(
            "languages are two-letter codes separated by commas, e.g. vi, en, fr",
            field="languages",
        )
    return WhereToBuyDetails(kind, name, url, address, languages)


def web_address(text: str) -> str:
    """A shop's web address as the URI the linkset, the page and the JSON publish:
    the host in its ASCII form (IDNA 2008 with the UTS #46 mapping browsers apply:
    `đặcsản.vn` -> `xn--csn-uqa6698amda.vn`), other non-ASCII characters percent-encoded
    as UTF-8 (RFC 3987, 3.1). InvalidInput for anything that is not an http(s)
    address with a host."""
    invalid = InvalidInput("the web address is not valid", field="url")
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise invalid
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # "http://[::1", "http://host:port"
        raise invalid from exc
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise InvalidInput("the web address must start with https:// or http://", field="url")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise invalid from exc
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal
    userinfo = _ascii(parts.netloc.rpartition("@")[0])
    netloc = (f"{userinfo}@" if userinfo else "") + host + (f":{port}" if port else "")
    uri = urlunsplit((parts.scheme.lower(), netloc, *(_ascii(part) for part in parts[2:])))
    if len(uri) > MAX_URL:
        raise invalid
    return uri


def _ascii(text: str) -> str:
    return "".join(ch if ch.isascii() else quote(ch, safe="") for ch in text)


def _columns(details: WhereToBuyDetails) -> dict[str, object]:
    return {
        "kind": details.kind,
        "name": details.name,
        "url": details.url,
        "address": details.address,
        "languages": ",".join(details.languages),
    }


def _logged(link: WhereToBuyLink) -> dict[str, object]:
    return {
        "product_id": link.product_id,
        "kind": str(link.kind),
        "name": link.name,
        "url": link.url,
        "address": link.address,
        "languages": link.languages,
    }
