"""EPCIS 2.0 documents: building one, and checking one against the official schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
SCHEMA_VERSION = "2.0"
# Vietnam keeps +07:00 all year, so events carry a fixed offset.
VIETNAM_OFFSET = timezone(timedelta(hours=7))
MAX_EVENTS = 10_000
# The official EPCIS 2.0 JSON schema (docs/value-chain.md says where it comes from).
SCHEMA_PATH = Path(__file__).with_name("epcis-json-schema.json")


class EventType(StrEnum):
    """The EPCIS 2.0 event types this service stores."""

    OBJECT = "ObjectEvent"
    AGGREGATION = "AggregationEvent"
    TRANSFORMATION = "TransformationEvent"


class EpcisDocumentError(ValueError):
    """A document that is not an EPCIS 2.0 document we can take; `pointer` says where."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer or '/'}: {message}")
        self.pointer = pointer
        self.message = message


def new_document(
    events: list[dict[str, Any]], created: datetime, master_data: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """An EPCISDocument carrying `events` (and names of places as master data)."""
    document: dict[str, Any] = {
        "@context": EPCIS_CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": format_event_time(created, UTC),
    }
    if master_data:
        document["epcisHeader"] = {"epcisMasterData": {"vocabularyList": master_data}}
    document["epcisBody"] = {"eventList": events}
    return document


def format_event_time(moment: datetime, zone: tzinfo) -> str:
    """ISO 8601 with the offset, to the millisecond: 2026-11-26T08:00:00.000+07:00."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    text = local.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if local.utcoffset() == timedelta(0) else text


def event_time_of(event: dict[str, Any], pointer: str) -> datetime:
    """The event's eventTime as an aware datetime (the schema leaves format unchecked)."""
    text = str(event.get("eventTime", ""))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EpcisDocumentError(
            f"{pointer}/eventTime", f"{text!r} is not an ISO 8601 date and time"
        ) from None
    if moment.tzinfo is None:
        raise EpcisDocumentError(f"{pointer}/eventTime", "eventTime needs a time zone offset")
    return moment


def validate_document(document: Any) -> list[dict[str, Any]]:
    """Check an EPCISDocument against the EPCIS 2.0 JSON schema and what this service can
    store; returns its events. Raises EpcisDocumentError with a JSON pointer."""
    if not isinstance(document, dict) or document.get("type") != "EPCISDocument":
        raise EpcisDocumentError(
            "/type", 'expected an EPCIS 2.0 document ("type": "EPCISDocument")'
        )
    error = best_match(_validator().iter_errors(document))
    if error is not None:
        raise EpcisDocumentError(_pointer(error), error.message)
    if document.get("schemaVersion") != SCHEMA_VERSION:
        raise EpcisDocumentError("/schemaVersion", f'schemaVersion must be "{SCHEMA_VERSION}"')
    events = document["epcisBody"]["eventList"]
    if len(events) > MAX_EVENTS:
        raise EpcisDocumentError(
            "/epcisBody/eventList", f"at most {MAX_EVENTS} events per document"
        )
    for index, event in enumerate(events):
        pointer = f"/epcisBody/eventList/{index}"
        if event.get("type") not in set(EventType):
            raise EpcisDocumentError(
                f"{pointer}/type",
                f"this service stores {', '.join(EventType)} events only",
            )
        event_time_of(event, pointer)
    return events


@cache
def _validator() -> Draft7Validator:
    return Draft7Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _pointer(error: ValidationError) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path]
    return "/" + "/".join(parts) if parts else ""
