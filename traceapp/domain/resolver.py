"""GS1-conformant resolution of the service's own identifiers (GS1-Conformant Resolver
standard 1.2, GS1 Digital Link URI syntax 1.6): which links each level of an identifier
has, which one is the default, and the RFC 9264 linkset that lists them.

Levels: a product (/01/{gtin}), a batch (/01/{gtin}/10/{lot}) and an item
(/01/{gtin}/10/{lot}/21/{serial}, the printed code, with or without its 8030 signature).
docs/resolver.md describes the behaviour; traceapp/web/resolver.py answers the requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.gtin import InvalidGTIN, normalize_gtin
from traceapp.errors import N_, DomainError, NotFound
from traceapp.models import Batch, BatchStatus, Label, Product, WhereToBuyLink

E = TypeVar("E", bound=DomainError)

GS1_VOCABULARY = "https://gs1.org/voc/"
# GS1's JSON-LD context for linksets (an artefact of resolver standard 1.2.0,
# https://ref.gs1.org/standards/resolver/artefacts).
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
LINKSET_MEDIA_TYPE = "application/linkset+json"
JSON_LD_MEDIA_TYPE = "application/ld+json"
HTML = "text/html"
PAGE_LANGUAGES = ("vi", "en", "fr")
# Batches a consumer may look up: a draft is the cooperative's business until certified.
PUBLIC_BATCH_STATUSES = (BatchStatus.CERTIFIED, BatchStatus.RECALLED)


class MalformedIdentifier(DomainError):
    """A request path that is not a valid GS1 Digital Link URI (resolver standard: 400)."""

    status = 400
    title = "Bad Request"


class Level(StrEnum):
    PRODUCT = "product"
    BATCH = "batch"
    ITEM = "item"


class LinkType(StrEnum):
    """The GS1 Web Vocabulary link types this resolver publishes."""

    DEFAULT_LINK = "gs1:defaultLink"
    PIP = "gs1:pip"
    TRACEABILITY = "gs1:traceability"
    CERTIFICATION_INFO = "gs1:certificationInfo"
    EPCIS = "gs1:epcis"
    # GS1's link type for a digital product passport (schema.org's
    # hasDigitalProductPassport is its equivalent).
    DPP = "gs1:dpp"
    VERIFICATION_SERVICE = "gs1:verificationService"
    HAS_RETAILERS = "gs1:hasRetailers"

    @property
    def uri(self) -> str:
        return GS1_VOCABULARY + self.value.removeprefix("gs1:")


# GS1 AI 10 (lot) and AI 21 (serial): up to 20 characters of GS1's character set 82.
_CSET82_VALUE = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}")

# `?linkType=linkset` (and the deprecated `all`) asks for the linkset itself.
LINKSET_REQUESTS = ("linkset", "all")
# Accepted in a request, never published: the name issue 17 gave the passport link
# before GS1's gs1:dpp was adopted here.
LINK_TYPE_ALIASES = {"gs1:productPassport": LinkType.DPP}


@dataclass(frozen=True)
class Link:
    link_type: LinkType
    href: str
    title: str
    media_type: str | None = HTML
    languages: tuple[str, ...] = PAGE_LANGUAGES


@dataclass(frozen=True)
class Resolution:
    """An identifier's links: `anchor` is its GS1 Digital Link URI (no query string)."""

    level: Level
    anchor: str
    item_description: str
    links: tuple[Link, ...]
    default: Link
    product_id: int
    batch_id: int | None = None

    def links_of(self, link_type: LinkType) -> list[Link]:
        return [link for link in self.links if link.link_type == link_type]

    def linkset(self) -> dict:
        """The RFC 9264 JSON linkset, as GS1's linkset schema describes it."""
        entry: dict[str, object] = {
            "anchor": self.anchor,
            "itemDescription": self.item_description,
            LinkType.DEFAULT_LINK.uri: [_link_object(self.default, with_type=False)],
        }
        for link_type in LinkType:
            links = self.links_of(link_type)
            if links:
                entry[link_type.uri] = [_link_object(link) for link in links]
        return {"linkset": [entry]}


def parse_link_type(text: str) -> LinkType | None:
    """`gs1:pip` or `https://gs1.org/voc/pip` -> LinkType.PIP, `gs1:productPassport`
    -> LinkType.DPP (LINK_TYPE_ALIASES); anything else None."""
    value = text.strip()
    for prefix in (GS1_VOCABULARY, "http://gs1.org/voc/", "https://ref.gs1.org/voc/"):
        if value.startswith(prefix):
            value = "gs1:" + value.removeprefix(prefix)
    if value in LINK_TYPE_ALIASES:
        return LINK_TYPE_ALIASES[value]
    try:
        return LinkType(value)
    except ValueError:
        return None


def canonical_gtin(text: str) -> str:
    """The 14-digit GTIN of a request path segment; MalformedIdentifier (400) if not one."""
    try:
        if not text.isascii() or not text.isdigit():
            raise InvalidGTIN(text)
        return normalize_gtin(text)
    except InvalidGTIN as exc:
        raise gtin_refusal(text, MalformedIdentifier) from exc


def gtin_refusal(text: str, refusal: type[E]) -> E:
    """Why `text` is not a GTIN, in words the console translates (keys/gtin.py's own
    reasons are English)."""
    return refusal(
        N_("%(text)s is not a GTIN: 8, 12, 13 or 14 digits ending in a correct check digit"),
        field="gtin",
        text=repr(text[:40]),
    )


def product_uri(base_url: str, gtin: str) -> str:
    return f"{base_url}/01/{gtin}"


def batch_uri(base_url: str, gtin: str, lot: str) -> str:
    return f"{product_uri(base_url, gtin)}/10/{quote(lot, safe='')}"


def item_uri(base_url: str, gtin: str, lot: str, serial: str) -> str:
    return f"{batch_uri(base_url, gtin, lot)}/21/{quote(serial, safe='')}"


def passport_uri(base_url: str, gtin: str, lot: str | None = None) -> str:
    tail = f"/01/{gtin}" + (f"/10/{quote(lot, safe='')}" if lot is not None else "")
    return f"{base_url}/passport{tail}"


def epcis_uri(base_url: str, gtin: str, lot: str) -> str:
    return f"{base_url}/epcis/01/{gtin}/10/{quote(lot, safe='')}"


def find_product(session: Session, gtin: str) -> Product:
    product = session.scalar(select(Product).where(Product.gtin == gtin))
    if product is None:
        raise NotFound("no product with GTIN %(gtin)s here", gtin=gtin)
    return product


def find_public_batch(session: Session, product: Product, lot: str) -> Batch:
    batch = session.scalar(
        select(Batch).where(
            Batch.product_id == product.id,
            Batch.lot_code == lot,
            Batch.status.in_(PUBLIC_BATCH_STATUSES),
        )
    )
    if batch is None:
        raise NotFound(
            "no certified lot %(lot)s of GTIN %(gtin)s", lot=repr(lot), gtin=product.gtin
        )
    return batch


def resolve(
    session: Session,
    base_url: str,
    gtin_text: str,
    lot: str | None = None,
    serial: str | None = None,
    titles: dict[LinkType, str] | None = None,
) -> Resolution:
    """The links of /01/{gtin}[/10/{lot}[/21/{serial}]]; MalformedIdentifier for a malformed
    GTIN, NotFound for an identifier this service did not issue."""
    gtin = canonical_gtin(gtin_text)
    for ai, value in (("10", lot), ("21", serial)):
        if value is not None and not _CSET82_VALUE.fullmatch(value):
            raise MalformedIdentifier(
                "AI %(ai)s takes 1 to 20 characters of GS1's character set 82", field=ai, ai=ai
            )
    names = titles or {}

    def link(link_type: LinkType, href: str, title: str | None = None, **extra: Any) -> Link:
        return Link(link_type, href, title or names.get(link_type, link_type.value), **extra)

    product = find_product(session, gtin)
    retailers = [
        link(
            LinkType.HAS_RETAILERS,
            shop.url,
            title=shop.name,
            media_type=None,
            languages=tuple(shop.language_list),
        )
        for shop in session.scalars(
            select(WhereToBuyLink)
            .where(WhereToBuyLink.product_id == product.id, WhereToBuyLink.url.is_not(None))
            .order_by(WhereToBuyLink.id)
        )
        if shop.url
    ]
    product_page = link(LinkType.PIP, product_uri(base_url, gtin))
    if lot is None:
        return Resolution(
            Level.PRODUCT,
            product_uri(base_url, gtin),
            product.name,
            (product_page, *retailers),
            product_page,
            product.id,
        )
    batch = find_public_batch(session, product, lot)
    batch_page = batch_uri(base_url, gtin, lot)
    batch_links = (
        product_page,
        link(LinkType.TRACEABILITY, batch_page),
        link(LinkType.CERTIFICATION_INFO, f"{batch_page}#certifications"),
        link(
            LinkType.EPCIS,
            epcis_uri(base_url, gtin, lot),
            media_type=JSON_LD_MEDIA_TYPE,
            languages=(),
        ),
        link(
            LinkType.DPP,
            passport_uri(base_url, gtin, lot),
            media_type=JSON_LD_MEDIA_TYPE,
            languages=(),
        ),
        *retailers,
    )
    description = f"{product.name} · {lot}"
    if serial is None:
        return Resolution(
            Level.BATCH,
            batch_page,
            description,
            batch_links,
            batch_links[1],
            product.id,
            batch.id,
        )
    issued = session.scalar(
        select(Label.id).where(Label.batch_id == batch.id, Label.serial == serial)
    )
    if issued is None:
        raise NotFound(
            "serial %(serial)s was not issued for lot %(lot)s", serial=repr(serial), lot=repr(lot)
        )
    verification = link(LinkType.VERIFICATION_SERVICE, item_uri(base_url, gtin, lot, serial))
    return Resolution(
        Level.ITEM,
        item_uri(base_url, gtin, lot, serial),
        f"{description} · {serial}",
        (verification, *batch_links),
        verification,
        product.id,
        batch.id,
    )


def _link_object(link: Link, with_type: bool = True) -> dict[str, object]:
    entry: dict[str, object] = {"href": link.href, "title": link.title}
    if with_type and link.media_type:
        entry["type"] = link.media_type
    if with_type and link.languages:
        entry["hreflang"] = list(link.languages)
    return entry
