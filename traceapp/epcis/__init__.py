"""GS1 EPCIS 2.0 JSON-LD: identifiers for batches, boxes and places, event documents,
and validation against the official EPCIS JSON schema. Plain data in, plain data out:
no Flask, no database (docs/value-chain.md describes the choices)."""

from traceapp.epcis.documents import (
    EPCIS_CONTEXT,
    EpcisDocumentError,
    event_time_of,
    format_event_time,
    new_document,
    validate_document,
)
from traceapp.epcis.identifiers import (
    BoxRef,
    ClassRef,
    box_uri,
    box_url,
    class_uri,
    cooperative_uri,
    document_uri,
    identifier_of,
    parse_box_uri,
    parse_class_uri,
    parse_instance_uri,
    partner_uri,
)

__all__ = [
    "EPCIS_CONTEXT",
    "BoxRef",
    "ClassRef",
    "EpcisDocumentError",
    "box_uri",
    "box_url",
    "class_uri",
    "cooperative_uri",
    "document_uri",
    "identifier_of",
    "partner_uri",
    "event_time_of",
    "format_event_time",
    "new_document",
    "parse_box_uri",
    "parse_class_uri",
    "parse_instance_uri",
    "validate_document",
]
