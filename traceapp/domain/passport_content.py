"""A batch's digital product passport as plain data (domain/passport.py says which
fields are mandatory): shown on the public pages, published as JSON-LD
(passport_jsonld below) and exported for the national traceability portal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from traceapp.domain import resolver
from traceapp.domain.certifications import SCHEME_NAMES, certifications_for
from traceapp.domain.product_images import display_size, product_image_path
from traceapp.domain.verification import HistoryEvent, batch_history
from traceapp.models import (
    Batch,
    ChainEvent,
    ChainEventBatch,
    Label,
    Product,
    ProductImage,
)


@dataclass(frozen=True)
class PassportCertificate:
    scheme: str
    name: str
    certificate_number: str
    issuing_body: str
    valid_from: date
    valid_to: date
    ocop_stars: int | None
    claim: str | None


@dataclass(frozen=True)
class PassportEvent:
    """One EPCIS event of the batch's value chain."""

    event_id: str
    event_type: str
    biz_step: str | None
    event_time: datetime


@dataclass(frozen=True)
class Passport:
    """Everything a batch's digital product passport says (Decree 37 art. 32,
    Circular 02/2024), as plain data for the pages, the JSON-LD and the portal export."""

    product_id: int
    product_name: str
    gtin: str | None
    product_category: str
    unit: str
    image_url: str | None
    image_size: tuple[int, int] | None  # as the pages draw it
    safety_warnings: str | None
    producer_name: str
    producer_address: str
    producer_identifier: str
    producer_province: str
    union_name: str
    batch_id: int | None = None
    lot: str | None = None
    batch_status: str | None = None
    quantity: int | None = None
    origin_farm: str | None = None
    origin_commune: str | None = None
    origin_province: str | None = None
    produced_on: date | None = None
    best_before: date | None = None
    recall_reason: str | None = None
    serials_issued: int = 0
    first_serial: str | None = None
    last_serial: str | None = None
    certificates: tuple[PassportCertificate, ...] = ()
    events: tuple[PassportEvent, ...] = ()
    history: tuple[HistoryEvent, ...] = ()
    anchor: str = ""
    links: dict[str, str] = field(default_factory=dict)

    @property
    def shelf_life_days(self) -> int | None:
        if self.produced_on is None or self.best_before is None:
            return None
        return (self.best_before - self.produced_on).days

    @property
    def origin(self) -> str | None:
        if self.origin_commune is None:
            return None
        parts = [self.origin_farm, self.origin_commune, self.origin_province]
        return ", ".join(part for part in parts if part)


def passport_of(
    session: Session, product: Product, batch: Batch | None, base_url: str, today: date
) -> Passport:
    """The passport of `batch` (or of the product alone when `batch` is None)."""
    cooperative = product.cooperative
    image = session.get(ProductImage, product.id)
    common: dict[str, Any] = {
        "product_id": product.id,
        "product_name": product.name,
        "gtin": product.gtin,
        "product_category": product.category,
        "unit": product.unit,
        "image_url": f"{base_url}{product_image_path(image)}" if image else None,
        "image_size": display_size(image) if image else None,
        "safety_warnings": product.safety_warnings,
        "producer_name": cooperative.name,
        "producer_address": f"{cooperative.commune}, {cooperative.province}",
        "producer_identifier": cooperative.registration_number,
        "producer_province": cooperative.province,
        "union_name": cooperative.union.name,
    }
    if batch is None:
        anchor = resolver.product_uri(base_url, product.gtin) if product.gtin else ""
        return Passport(**common, anchor=anchor, links={"pip": anchor} if anchor else {})
    serials = session.execute(
        select(func.count(Label.id), func.min(Label.serial), func.max(Label.serial)).where(
            Label.batch_id == batch.id
        )
    ).one()
    certificates = tuple(
        PassportCertificate(
            c.scheme,
            SCHEME_NAMES.get(c.scheme, c.scheme),
            c.certificate_number,
            c.issuing_body,
            c.valid_from,
            c.valid_to,
            c.ocop_stars,
            c.claim,
        )
        for c in certifications_for(session, batch)
    )
    events = tuple(
        PassportEvent(event_id, event_type, biz_step, event_time)
        for event_id, event_type, biz_step, event_time in session.execute(
            select(
                ChainEvent.event_id,
                ChainEvent.event_type,
                ChainEvent.biz_step,
                ChainEvent.event_time,
            )
            .join(ChainEventBatch, ChainEventBatch.event_id == ChainEvent.id)
            .where(ChainEventBatch.batch_id == batch.id)
            .distinct()
            .order_by(ChainEvent.event_time, ChainEvent.event_id)
        )
    )
    links: dict[str, str] = {}
    anchor = ""
    if product.gtin:
        anchor = resolver.batch_uri(base_url, product.gtin, batch.lot_code)
        links = {
            "pip": resolver.product_uri(base_url, product.gtin),
            "traceability": anchor,
            "certificationInfo": f"{anchor}#certifications",
            "epcis": resolver.epcis_uri(base_url, product.gtin, batch.lot_code),
            "dpp": resolver.passport_uri(base_url, product.gtin, batch.lot_code),
        }
    return Passport(
        **common,
        batch_id=batch.id,
        lot=batch.lot_code,
        batch_status=batch.status,
        quantity=batch.quantity,
        origin_farm=batch.origin_farm,
        origin_commune=batch.origin_commune,
        origin_province=batch.origin_province,
        produced_on=batch.produced_on,
        best_before=batch.best_before,
        recall_reason=batch.recall_reason,
        serials_issued=serials[0] or 0,
        first_serial=serials[1],
        last_serial=serials[2],
        certificates=certificates,
        events=events,
        history=tuple(batch_history(session, batch)),
        anchor=anchor,
        links=links,
    )


# --- JSON-LD ---------------------------------------------------------------------------

# The few facts with no term in GS1's Web Vocabulary or schema.org are named by this
# service, under its own address (never under GS1's namespace): {base}/passport/vocab#.
# That address answers with the vocabulary_document below.
VOCABULARY_PATH = "/passport/vocab"
OWN_TERMS: dict[str, str] = {
    "shelfLifeDays": "Days from the production date to the best-before date.",
    "serialsIssued": "How many labels (serial numbers) were issued for the batch.",
    "firstSerial": "The lowest serial number issued for the batch.",
    "lastSerial": "The highest serial number issued for the batch.",
    "batchStatus": "The batch's status: certified or recalled.",
    "recallReason": "Why the batch was recalled.",
    "traceabilityEvent": "The batch's EPCIS events, in time order.",
}


def vocabulary_uri(base_url: str) -> str:
    return f"{base_url}{VOCABULARY_PATH}"


def passport_context(base_url: str) -> dict[str, Any]:
    """The passport's JSON-LD context. It is inline so a reader needs no network to
    expand the document; its terms are the GS1 Web Vocabulary's where it has one,
    schema.org's otherwise, and this service's own (OWN_TERMS) for the rest."""
    return {
        "gs1": "https://gs1.org/voc/",
        "schema": "https://schema.org/",
        "epcis": "https://ref.gs1.org/epcis/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "trace": f"{vocabulary_uri(base_url)}#",
        "id": "@id",
        "type": "@type",
        "Product": "gs1:Product",
        "Organization": "gs1:Organization",
        "PostalAddress": "gs1:PostalAddress",
        "CertificationDetails": "gs1:CertificationDetails",
        "productName": {"@id": "gs1:productName", "@container": "@language"},
        "gtin": "gs1:gtin",
        "lot": "schema:identifier",
        "image": {"@id": "schema:image", "@type": "@id"},
        "category": "schema:category",
        "consumerSafetyInformation": {"@id": "gs1:consumerSafetyInformation", "@language": "vi"},
        "manufacturer": "gs1:manufacturer",
        "organizationName": "gs1:organizationName",
        "organizationID": "schema:identifier",
        "address": "gs1:address",
        "addressLocality": "gs1:addressLocality",
        "addressRegion": "gs1:addressRegion",
        "countryCode": "gs1:countryCode",
        "countryOfOrigin": "schema:countryOfOrigin",
        "countryOfOriginStatement": {"@id": "gs1:countryOfOriginStatement", "@language": "vi"},
        "productionDate": {"@id": "schema:productionDate", "@type": "xsd:date"},
        "bestBeforeDate": {"@id": "gs1:bestBeforeDate", "@type": "xsd:date"},
        "shelfLifeDays": {"@id": "trace:shelfLifeDays", "@type": "xsd:integer"},
        "serialsIssued": {"@id": "trace:serialsIssued", "@type": "xsd:integer"},
        "firstSerial": "trace:firstSerial",
        "lastSerial": "trace:lastSerial",
        "status": "trace:batchStatus",
        "recallReason": {"@id": "trace:recallReason", "@language": "vi"},
        "certification": {"@id": "gs1:certification", "@container": "@set"},
        "certificationStandard": "gs1:certificationStandard",
        "certificationIdentification": "gs1:certificationIdentification",
        "certificationAgency": "gs1:certificationAgency",
        "certificationValue": "gs1:certificationValue",
        "certificationStartDate": {"@id": "gs1:certificationStartDate", "@type": "xsd:date"},
        "certificationEndDate": {"@id": "gs1:certificationEndDate", "@type": "xsd:date"},
        "certificationStatement": {"@id": "gs1:certificationStatement", "@language": "vi"},
        "pip": {"@id": "gs1:pip", "@type": "@id"},
        "traceability": {"@id": "gs1:traceability", "@type": "@id"},
        "certificationInfo": {"@id": "gs1:certificationInfo", "@type": "@id"},
        "epcisDocument": {"@id": "gs1:epcis", "@type": "@id"},
        "dpp": {"@id": "gs1:dpp", "@type": "@id"},
        "traceabilityEvents": {"@id": "trace:traceabilityEvent", "@container": "@list"},
        "eventType": {"@id": "epcis:eventType", "@type": "@vocab"},
        "bizStep": {"@id": "epcis:bizStep", "@type": "@id"},
        "eventTime": {"@id": "epcis:eventTime", "@type": "xsd:dateTime"},
        "ObjectEvent": "epcis:ObjectEvent",
        "AggregationEvent": "epcis:AggregationEvent",
        "TransformationEvent": "epcis:TransformationEvent",
    }


def vocabulary_document(base_url: str) -> dict[str, Any]:
    """What {base}/passport/vocab answers: each of OWN_TERMS as an RDF property."""
    vocabulary = vocabulary_uri(base_url)
    return {
        "@context": {
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        },
        "@graph": [
            {
                "@id": vocabulary,
                "rdfs:comment": {
                    "@value": "Terms of the TraceApp digital product passport that neither "
                    "the GS1 Web Vocabulary nor schema.org has.",
                    "@language": "en",
                },
            },
            *(
                {
                    "@id": f"{vocabulary}#{term}",
                    "@type": "rdf:Property",
                    "rdfs:label": term,
                    "rdfs:comment": {"@value": comment, "@language": "en"},
                    "rdfs:isDefinedBy": {"@id": vocabulary},
                }
                for term, comment in OWN_TERMS.items()
            ),
        ],
    }


def passport_jsonld(passport: Passport, base_url: str) -> dict[str, Any]:
    """The passport as a JSON-LD document (GS1 Web Vocabulary and schema.org terms,
    and this service's own for the rest)."""
    document: dict[str, Any] = {
        "@context": passport_context(base_url),
        "type": "Product",
    }
    if passport.anchor:
        document["id"] = passport.anchor
    document["productName"] = {"vi": passport.product_name}
    if passport.gtin:
        document["gtin"] = passport.gtin
    document["category"] = passport.product_category
    if passport.image_url:
        document["image"] = passport.image_url
    if passport.safety_warnings:
        document["consumerSafetyInformation"] = passport.safety_warnings
    document["manufacturer"] = {
        "type": "Organization",
        "organizationName": passport.producer_name,
        "organizationID": passport.producer_identifier,
        "address": {
            "type": "PostalAddress",
            "addressLocality": passport.producer_address,
            "addressRegion": passport.producer_province,
            "countryCode": "VN",
        },
    }
    if passport.batch_id is not None:
        document["lot"] = passport.lot
        document["status"] = passport.batch_status
        document["countryOfOrigin"] = "VN"
        if passport.origin:
            document["countryOfOriginStatement"] = passport.origin
        if passport.produced_on:
            document["productionDate"] = passport.produced_on.isoformat()
        if passport.best_before:
            document["bestBeforeDate"] = passport.best_before.isoformat()
        if passport.shelf_life_days is not None:
            document["shelfLifeDays"] = passport.shelf_life_days
        document["serialsIssued"] = passport.serials_issued
        if passport.first_serial:
            document["firstSerial"] = passport.first_serial
            document["lastSerial"] = passport.last_serial
        if passport.recall_reason:
            document["recallReason"] = passport.recall_reason
        document["certification"] = [_certificate_node(c) for c in passport.certificates]
        document["traceabilityEvents"] = [_event_node(e) for e in passport.events]
    names = {"epcis": "epcisDocument"}
    for key, href in passport.links.items():
        document[names.get(key, key)] = href
    return document


def _certificate_node(certificate: PassportCertificate) -> dict[str, Any]:
    node: dict[str, Any] = {
        "type": "CertificationDetails",
        "certificationStandard": certificate.name,
        "certificationIdentification": certificate.certificate_number,
        "certificationAgency": certificate.issuing_body,
        "certificationStartDate": certificate.valid_from.isoformat(),
        "certificationEndDate": certificate.valid_to.isoformat(),
    }
    if certificate.ocop_stars:
        node["certificationValue"] = f"{certificate.ocop_stars}★"
    if certificate.claim:
        node["certificationStatement"] = certificate.claim
    return node


def _event_node(event: PassportEvent) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": event.event_id,
        "eventType": event.event_type,
        "eventTime": _utc_text(event.event_time),
    }
    if event.biz_step:
        node["bizStep"] = (
            event.biz_step
            if ":" in event.biz_step
            else f"https://ref.gs1.org/cbv/BizStep-{event.biz_step}"
        )
    return node


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
