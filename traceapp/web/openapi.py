"""The API's OpenAPI 3.1 document, maintained by hand next to the views.

Request body schemas declared here are the ones the API validates with
jsonschema (traceapp/web/api/bodies.py), so the document and the checks cannot
drift apart; tests/api/ checks every route is documented and runs schemathesis
against the served document.
"""

from __future__ import annotations

from typing import Any

from labels.options import MAX_OFFSET_MM
from labels.zpl import ALLOWED_DPI
from traceapp.domain.inspections import MAX_PHOTO_BYTES
from traceapp.domain.issuance import MAX_LABELS_PER_REQUEST
from traceapp.domain.label_wording import LABEL_LANGUAGES
from traceapp.domain.value_chain import MAX_BOXES, MAX_REFERENCE, STEPS
from traceapp.models import (
    BatchStatus,
    CertificationScheme,
    InspectionResult,
    PrintJobKind,
    PrintJobStatus,
)
from traceapp.models.value_chain import PartnerRole
from traceapp.web.ids import MAX_ID

NO_NUL = "^[^\\u0000]*$"
MAX_PHOTO_BASE64 = 4 * -(-MAX_PHOTO_BYTES // 3)


def _text(max_length: int, min_length: int = 0) -> dict[str, Any]:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "pattern": NO_NUL}


def _nullable_text(max_length: int) -> dict[str, Any]:
    return {"type": ["string", "null"], "maxLength": max_length, "pattern": NO_NUL}


DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "field": {"type": "string", "description": "the input field the problem is about"},
        },
    },
    "Batch": {
        "type": "object",
        "required": [
            "id",
            "cooperative_id",
            "cooperative",
            "product_id",
            "product",
            "gtin",
            "lot_code",
            "quantity",
            "unit",
            "labels_issued",
            "produced_on",
            "best_before",
            "origin_farm",
            "origin_commune",
            "origin_province",
            "description",
            "status",
            "recalled_at",
            "recall_reason",
            "created_at",
        ],
        "properties": {
            "id": ID,
            "cooperative_id": ID,
            "cooperative": {"type": "string"},
            "product_id": ID,
            "product": {"type": "string"},
            "gtin": {"type": ["string", "null"]},
            "lot_code": {"type": "string"},
            "quantity": {"type": "integer"},
            "unit": {"type": "string"},
            "labels_issued": {"type": "integer"},
            "produced_on": DATE,
            "best_before": NULLABLE_DATE,
            "origin_farm": {"type": ["string", "null"]},
            "origin_commune": {"type": "string"},
            "origin_province": {"type": "string"},
            "description": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": list(BatchStatus)},
            "recalled_at": NULLABLE_DATETIME,
            "recall_reason": {"type": ["string", "null"]},
            "created_at": DATETIME,
        },
    },
    "BatchList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Batch"}}},
    },
    "BatchCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "cooperative_id",
            "product_id",
            "lot_code",
            "quantity",
            "unit",
            "produced_on",
            "origin_commune",
            "origin_province",
        ],
        "properties": {
            "cooperative_id": {**ID, "description": "an operator can only name their own"},
            "product_id": ID,
            "lot_code": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$"},
            "quantity": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
            "unit": _text(20, 1),
            "produced_on": DATE,
            "best_before": NULLABLE_DATE,
            "origin_farm": _nullable_text(200),
            "origin_commune": _text(100, 1),
            "origin_province": _text(100, 1),
            "description": _nullable_text(4000),
        },
    },
    "Certification": {
        "type": "object",
        "required": [
            "id",
            "batch_id",
            "cooperative_id",
            "scheme",
            "ocop_stars",
            "certificate_number",
            "issuing_body",
            "valid_from",
            "valid_to",
            "claim",
            "evidence_ref",
            "created_at",
        ],
        "properties": {
            "id": ID,
            "batch_id": {"type": ["integer", "null"]},
            "cooperative_id": {"type": ["integer", "null"]},
            "scheme": {"type": "string", "enum": list(CertificationScheme)},
            "ocop_stars": {"type": ["integer", "null"]},
            "certificate_number": {"type": "string"},
            "issuing_body": {"type": "string"},
            "valid_from": DATE,
            "valid_to": DATE,
            "claim": {"type": ["string", "null"]},
            "evidence_ref": {"type": ["string", "null"]},
            "created_at": DATETIME,
        },
    },
    "CertificationList": {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Certification"}}
        },
    },
    "CertificationCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": ["scheme", "certificate_number", "issuing_body", "valid_from", "valid_to"],
        "properties": {
            "scheme": {"type": "string", "enum": list(CertificationScheme)},
            "ocop_stars": {"type": ["integer", "null"], "minimum": 3, "maximum": 5},
            "certificate_number": _text(60, 1),
            "issuing_body": _text(200, 1),
            "valid_from": DATE,
            "valid_to": DATE,
            "claim": _nullable_text(4000),
            "evidence_ref": _nullable_text(300),
        },
    },
    "IssuanceRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["count"],
        "properties": {
            "count": {"type": "integer", "minimum": 1, "maximum": MAX_LABELS_PER_REQUEST},
            # The run's printed language; its print jobs use it unless they ask otherwise.
            "label_language": {"enum": list(LABEL_LANGUAGES)},
        },
    },
    "Run": {
        "type": "object",
        "required": [
            "id",
            "batch_id",
            "quantity",
            "key_id",
            "requested_by",
            "created_at",
            "label_language",
            "labels_url",
            "print_jobs_url",
        ],
        "properties": {
            "id": ID,
            "batch_id": ID,
            "quantity": {"type": "integer"},
            "key_id": {"type": "string"},
            "requested_by": {"type": "string"},
            "created_at": DATETIME,
            "labels_url": {"type": "string"},
            "print_jobs_url": {"type": "string"},
        },
    },
    "RunList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Run"}}},
    },
    "Label": {
        "type": "object",
        "required": ["sequence", "serial", "code", "status", "voided_at", "void_reason"],
        "properties": {
            "sequence": {"type": "integer"},
            "serial": {"type": "string"},
            "code": {"type": "string", "description": "the full signed code URI"},
            "status": {"type": "string", "enum": ["active", "voided"]},
            "voided_at": NULLABLE_DATETIME,
            "void_reason": {"type": ["string", "null"]},
        },
    },
    "LabelPage": {
        "type": "object",
        "required": ["run_id", "total", "offset", "limit", "items"],
        "properties": {
            "run_id": ID,
            "total": {"type": "integer"},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Label"}},
        },
    },
    "RecallRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["reason"],
        "properties": {"reason": _text(2000, 1)},
    },
    "VoidLabelRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["reason"],
        "properties": {"reason": _text(500, 1)},
    },
    "VoidRangeRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["first", "last", "reason"],
        "properties": {
            "first": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "last": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "reason": _text(500, 1),
        },
    },
    "PrintJobRequest": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "kind": {"enum": [str(k) for k in PrintJobKind]},
            "preset": _text(120, 1),
            "start_position": {"type": "integer", "minimum": 1, "maximum": 200},
            "offset_x_mm": {"type": "number", "minimum": -MAX_OFFSET_MM, "maximum": MAX_OFFSET_MM},
            "offset_y_mm": {"type": "number", "minimum": -MAX_OFFSET_MM, "maximum": MAX_OFFSET_MM},
            "cut_outlines": {"type": "boolean"},
            "width_mm": {"type": "number", "exclusiveMinimum": 0, "maximum": 120},
            "height_mm": {"type": "number", "exclusiveMinimum": 0, "maximum": 300},
            "dpi": {"enum": list(ALLOWED_DPI)},
            "language": {"enum": list(LABEL_LANGUAGES)},
            "first": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "last": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        },
    },
    "PrintJob": {
        "type": "object",
        "required": [
            "id",
            "run_id",
            "batch_id",
            "kind",
            "status",
            "labels_done",
            "labels_total",
            "progress",
            "parameters",
            "created_at",
            "file_url",
        ],
        "properties": {
            "id": ID,
            # A run's labels, or (asked for in the console) the labels of a batch's boxes.
            "run_id": {**ID, "type": ["integer", "null"]},
            "batch_id": {**ID, "type": ["integer", "null"]},
            "kind": {"enum": [str(k) for k in PrintJobKind]},
            "status": {"enum": [str(s) for s in PrintJobStatus]},
            "labels_done": {"type": "integer"},
            "labels_total": {"type": "integer"},
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "parameters": {"type": "object"},
            "requested_by": {"type": "string"},
            "created_at": DATETIME,
            "started_at": {"type": ["string", "null"], "format": "date-time"},
            "finished_at": {"type": ["string", "null"], "format": "date-time"},
            "error": {"type": ["string", "null"]},
            "pages": {"type": ["integer", "null"]},
            "file_url": {"type": ["string", "null"]},
        },
    },
    "VoidResult": {
        "type": "object",
        "required": ["voided"],
        "properties": {"voided": {"type": "integer"}},
    },
    "ScanCounts": {
        "type": "object",
        "required": ["batch_id", "total", "by_verdict"],
        "properties": {
            "batch_id": ID,
            "total": {"type": "integer"},
            "by_verdict": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    },
    "Inspection": {
        "type": "object",
        "required": [
            "id",
            "batch_id",
            "inspected_on",
            "place",
            "result",
            "notes",
            "photo_ref",
            "created_at",
        ],
        "properties": {
            "id": ID,
            "batch_id": ID,
            "inspected_on": DATE,
            "place": {"type": "string"},
            "result": {"type": "string", "enum": list(InspectionResult)},
            "notes": {"type": ["string", "null"]},
            "photo_ref": {"type": ["string", "null"]},
            "client_id": {"type": ["string", "null"], "format": "uuid"},
            "has_photo": {"type": "boolean"},
            "created_at": DATETIME,
        },
    },
    "InspectionCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": ["inspected_on", "place", "result"],
        "properties": {
            "inspected_on": DATE,
            "place": _text(200, 1),
            "result": {"type": "string", "enum": list(InspectionResult)},
            "notes": _nullable_text(4000),
            "photo_ref": _nullable_text(300),
            "client_id": {
                "type": "string",
                "format": "uuid",
                "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                "description": "made by the client once per inspection: a second send "
                "with the same id is refused with 409, not stored twice",
            },
            "photo": {
                "type": "string",
                "maxLength": MAX_PHOTO_BASE64,
                "pattern": "^[A-Za-z0-9+/]*={0,2}$",
                "description": "a JPEG photo, base64",
            },
        },
    },
    "BundleRegion": {
        "type": "object",
        "required": ["key", "name", "province", "commune"],
        "properties": {
            "key": {"type": "string"},
            "name": {"type": "string"},
            "province": {"type": "string"},
            "commune": {"type": ["string", "null"]},
        },
    },
    "BundleRegionList": {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/BundleRegion"}}
        },
    },
    "OfflineBundle": {
        "type": "object",
        "description": "docs/offline-bundle.md",
        "required": ["format", "issuer", "generated_at", "keys", "batches", "signature"],
    },
    "Partner": {
        "type": "object",
        "required": ["id", "name", "role", "gln", "address", "province"],
        "properties": {
            "id": ID,
            "name": {"type": "string"},
            "role": {"type": "string", "enum": list(PartnerRole)},
            "gln": {"type": ["string", "null"]},
            "address": {"type": ["string", "null"]},
            "province": {"type": ["string", "null"]},
        },
    },
    "PartnerList": {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Partner"}}
        },
    },
    "PartnerCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "role"],
        "properties": {
            "name": _text(200, 1),
            "role": {"type": "string", "enum": list(PartnerRole)},
            "gln": {
                "type": ["string", "null"],
                "pattern": "^[0-9]{13}$",
                "description": "13-digit GS1 Global Location Number (check digit verified)",
            },
            "address": _nullable_text(300),
            "province": _nullable_text(100),
        },
    },
    "ChainStepCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": ["step"],
        "description": "One step of the batch's value chain; which fields count depends on "
        "the step (docs/value-chain.md).",
        "properties": {
            "step": {"type": "string", "enum": list(STEPS)},
            "at": {
                **_nullable_text(40),
                "description": "ISO 8601 time; without an offset it "
                "is Vietnamese time (default: now)",
            },
            "partner_id": {
                **ID,
                "type": ["integer", "null"],
                "description": "shipping, receiving, transforming",
            },
            "boxes": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_BOXES,
                "description": "packing: how many boxes",
            },
            "per_box": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "packing: items in each box",
            },
            "conformant": {"type": "boolean", "description": "inspecting (true)"},
            "reference": {
                **_nullable_text(MAX_REFERENCE),
                "description": "despatch or receipt document number",
            },
            "inputs": {
                "type": ["array", "null"],
                "maxItems": 100,
                "description": "transforming: input batches and the quantity used",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["batch_id", "quantity"],
                    "properties": {
                        "batch_id": ID,
                        "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    },
                },
            },
        },
    },
    "ChainEvents": {
        "type": "object",
        "required": ["events"],
        "properties": {
            "events": {
                "type": "array",
                "description": "the EPCIS 2.0 events recorded, as stored",
                "items": {"$ref": "#/components/schemas/EpcisEvent"},
            }
        },
    },
    "EpcisEvent": {
        "type": "object",
        "required": ["type", "eventID", "eventTime", "eventTimeZoneOffset"],
        "description": "An EPCIS 2.0 ObjectEvent, AggregationEvent or TransformationEvent",
        "properties": {
            "type": {"type": "string"},
            "eventID": {"type": "string"},
            "eventTime": {"type": "string"},
            "eventTimeZoneOffset": {"type": "string"},
        },
    },
    "EpcisDocument": {
        "type": "object",
        "description": "An EPCIS 2.0 JSON-LD document. The importer checks it against GS1's "
        "EPCIS 2.0 JSON schema (https://ref.gs1.org/standards/epcis/"
        "epcis-json-schema.json) and refuses it with a 422 whose `field` is "
        "the JSON pointer of the problem.",
        "required": ["type", "schemaVersion", "creationDate", "epcisBody"],
        "properties": {
            "@context": {},
            "type": {"type": "string"},
            "schemaVersion": {"type": "string"},
            "creationDate": {"type": "string"},
            "epcisHeader": {"type": "object"},
            "epcisBody": {"type": "object"},
        },
    },
    "ImportResult": {
        "type": "object",
        "required": ["stored", "skipped", "batch_ids"],
        "properties": {
            "stored": {"type": "integer"},
            "skipped": {"type": "integer"},
            "batch_ids": {"type": "array", "items": ID},
        },
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _problems(*statuses: int) -> dict[str, Any]:
    words = {
        400: "Bad request",
        401: "No valid API token",
        403: "The role does not allow this",
        404: "Not found (or another cooperative's)",
        409: "Conflicts with the current state",
        415: "Unsupported media type",
        422: "Invalid input; `field` names the field",
    }
    return {
        str(status): {
            "description": words[status],
            "content": {"application/problem+json": {"schema": _ref("Problem")}},
        }
        for status in statuses
    }


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _body(name: str, media_types: tuple[str, ...] = ("application/json",)) -> dict[str, Any]:
    return {"required": True, "content": {media: {"schema": _ref(name)} for media in media_types}}


READ = (401, 404, 422)
WRITE = (401, 403, 404, 409, 422)
BATCH_ID = _path_id("batch_id")
RUN_ID = _path_id("run_id")


def _operation(
    summary: str,
    operation_id: str,
    roles: str,
    responses: dict[str, Any],
    problems: tuple[int, ...],
    parameters: list | None = None,
    body: str | None = None,
    media_types: tuple[str, ...] = ("application/json",),
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "operationId": operation_id,
        "description": f"Roles: {roles}.",
        "responses": {**responses, **_problems(*problems)},
    }
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = _body(body, media_types)
        operation["responses"].update(_problems(415))
    return operation


def _paths() -> dict[str, Any]:
    everyone = "union_officer, cooperative_operator (own cooperative), inspector"
    return {
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "operationId": "openapi",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/api/v1/batches": {
            "get": _operation(
                "List batches, newest first",
                "listBatches",
                everyone,
                {"200": _json("BatchList", "The batches")},
                (401, 422),
                [
                    _query(
                        "status",
                        {"type": "string", "enum": list(BatchStatus)},
                        "only batches in this state",
                    ),
                    _query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": 1000},
                        "page size (200)",
                    ),
                    _query(
                        "offset",
                        {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                        "items to skip",
                    ),
                ],
            ),
            "post": _operation(
                "Create a draft batch",
                "createBatch",
                "cooperative_operator, union_officer",
                {"201": _json("Batch", "The new batch")},
                WRITE,
                body="BatchCreate",
            ),
        },
        "/api/v1/batches/{batch_id}": {
            "get": _operation(
                "Get a batch",
                "getBatch",
                everyone,
                {"200": _json("Batch", "The batch")},
                READ,
                [BATCH_ID],
            )
        },
        "/api/v1/batches/{batch_id}/certifications": {
            "get": _operation(
                "Certifications covering a batch (its own and its cooperative's)",
                "listCertifications",
                everyone,
                {"200": _json("CertificationList", "The certifications")},
                READ,
                [BATCH_ID],
            ),
            "post": _operation(
                "Record a certification of the batch",
                "createCertification",
                "union_officer",
                {"201": _json("Certification", "The certification")},
                WRITE,
                [BATCH_ID],
                "CertificationCreate",
            ),
        },
        "/api/v1/batches/{batch_id}/certify": {
            "post": _operation(
                "Approve: certify a draft batch (needs a certification valid today)",
                "certifyBatch",
                "union_officer",
                {"200": _json("Batch", "The certified batch")},
                WRITE,
                [BATCH_ID],
            )
        },
        "/api/v1/batches/{batch_id}/recall": {
            "post": _operation(
                "Recall a batch: its labels verify as recalled at once",
                "recallBatch",
                "union_officer",
                {"200": _json("Batch", "The recalled batch")},
                WRITE,
                [BATCH_ID],
                "RecallRequest",
            )
        },
        "/api/v1/batches/{batch_id}/issuance": {
            "post": _operation(
                "Issue signed labels for a certified batch, never beyond its quantity",
                "issueLabels",
                "cooperative_operator (own cooperative), union_officer",
                {"201": _json("Run", "The issuance run")},
                WRITE,
                [BATCH_ID],
                "IssuanceRequest",
            )
        },
        "/api/v1/batches/{batch_id}/runs": {
            "get": _operation(
                "The batch's issuance runs",
                "listRuns",
                "cooperative_operator (own cooperative), union_officer",
                {"200": _json("RunList", "The runs")},
                (401, 403, 404, 422),
                [BATCH_ID],
            )
        },
        "/api/v1/batches/{batch_id}/scans": {
            "get": _operation(
                "How often the batch's labels were scanned, by verdict",
                "scanCounts",
                everyone,
                {"200": _json("ScanCounts", "Scan counts")},
                READ,
                [BATCH_ID],
            )
        },
        "/api/v1/bundle/regions": {
            "get": _operation(
                "The provinces and communes an offline bundle can cover",
                "listBundleRegions",
                "inspector, union_officer",
                {"200": _json("BundleRegionList", "The regions")},
                (401, 403),
            )
        },
        "/api/v1/bundle": {
            "get": _operation(
                "The signed offline bundle of one region (docs/offline-bundle.md)",
                "getBundle",
                "inspector, union_officer",
                {"200": _json("OfflineBundle", "The signed bundle")},
                (401, 403, 409, 422),
                [_query("region", {"type": "string"}, "a key from listBundleRegions")],
            )
        },
        "/api/v1/batches/{batch_id}/inspections": {
            "post": _operation(
                "Record an inspection of the batch",
                "createInspection",
                "inspector",
                {"201": _json("Inspection", "The inspection")},
                WRITE,
                [BATCH_ID],
                "InspectionCreate",
            )
        },
        "/api/v1/batches/{batch_id}/labels/{serial}/void": {
            "post": _operation(
                "Void one label",
                "voidLabel",
                "union_officer",
                {"200": _json("VoidResult", "One label voided")},
                WRITE,
                [
                    BATCH_ID,
                    {
                        "name": "serial",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9A-Z]{1,20}$"},
                    },
                ],
                "VoidLabelRequest",
            )
        },
        "/api/v1/runs/{run_id}": {
            "get": _operation(
                "Get an issuance run",
                "getRun",
                "cooperative_operator (own cooperative), union_officer",
                {"200": _json("Run", "The run")},
                (401, 403, 404, 422),
                [RUN_ID],
            )
        },
        "/api/v1/runs/{run_id}/labels": {
            "get": _operation(
                "A page of the run's labels with their full code URIs, in print order",
                "listLabels",
                "cooperative_operator (own cooperative), union_officer",
                {"200": _json("LabelPage", "The labels")},
                (401, 403, 404, 422),
                [
                    RUN_ID,
                    _query(
                        "offset",
                        {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                        "labels to skip",
                    ),
                    _query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": 1000},
                        "page size (100)",
                    ),
                ],
            )
        },
        "/api/v1/runs/{run_id}/print-jobs": {
            "post": _operation(
                "Ask for the run's labels as PDF sheets, a PDF roll or ZPL, rendered in the"
                " background; poll the job, then download its file",
                "createPrintJob",
                "cooperative_operator (own cooperative), union_officer",
                {
                    "202": {
                        **_json("PrintJob", "The queued job; Location is its URL"),
                        "headers": {"Location": {"schema": {"type": "string"}}},
                    }
                },
                WRITE,
                [RUN_ID],
                "PrintJobRequest",
            )
        },
        "/api/v1/print-jobs/{job_id}": {
            "get": _operation(
                "A print job: status and progress, and the file's URL once done",
                "getPrintJob",
                "cooperative_operator (own cooperative), union_officer",
                {"200": _json("PrintJob", "The print job")},
                (401, 403, 404),
                [_path_id("job_id")],
            )
        },
        "/api/v1/print-jobs/{job_id}/file": {
            "get": _operation(
                "The finished print job's file (PDF or ZPL); print PDFs at 100 %",
                "downloadPrintJob",
                "cooperative_operator (own cooperative), union_officer",
                {
                    "200": {
                        "description": "The file",
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                            "application/zpl": {"schema": {"type": "string", "format": "binary"}},
                        },
                    }
                },
                (401, 403, 404, 409),
                [_path_id("job_id")],
            )
        },
        "/api/v1/runs/{run_id}/void": {
            "post": _operation(
                "Void the run's labels at print positions first..last",
                "voidRange",
                "union_officer",
                {"200": _json("VoidResult", "How many labels were voided")},
                WRITE,
                [RUN_ID],
                "VoidRangeRequest",
            )
        },
        **_value_chain_paths(everyone),
    }


def _value_chain_paths(everyone: str) -> dict[str, Any]:
    """The value chain's operations (traceapp/web/api/value_chain.py)."""
    return {
        "/api/v1/partners": {
            "get": _operation(
                "Partner companies batches go to, by name",
                "listPartners",
                everyone.replace(" (own cooperative)", ""),
                {"200": _json("PartnerList", "The partners")},
                (401,),
            ),
            "post": _operation(
                "Register a partner company",
                "createPartner",
                "union_officer",
                {"201": _json("Partner", "The new partner")},
                (401, 403, 409, 422),
                body="PartnerCreate",
            ),
        },
        "/api/v1/batches/{batch_id}/chain-events": {
            "post": _operation(
                "Record a step of the batch's value chain as EPCIS 2.0 events",
                "recordChainStep",
                "cooperative_operator (own cooperative), union_officer",
                {"201": _json("ChainEvents", "The events recorded")},
                WRITE,
                [BATCH_ID],
                "ChainStepCreate",
            )
        },
        "/api/v1/batches/{batch_id}/epcis": {
            "get": _operation(
                "The batch's value-chain events as an EPCIS 2.0 JSON-LD document",
                "exportEpcis",
                everyone,
                {
                    "200": {
                        "description": "The EPCIS 2.0 document",
                        "content": {"application/ld+json": {"schema": _ref("EpcisDocument")}},
                    }
                },
                READ,
                [BATCH_ID],
            )
        },
        "/api/v1/epcis": {
            "post": _operation(
                "Import an EPCIS 2.0 JSON-LD document, all or nothing; every event must name a "
                "batch registered here, events already stored are skipped",
                "importEpcis",
                "union_officer",
                {"201": _json("ImportResult", "What was stored")},
                (401, 403, 422),
                body="EpcisDocument",
                media_types=("application/ld+json", "application/json"),
            )
        },
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document served at /api/v1/openapi.json."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TraceApp API",
            "version": "1.0.0",
            "description": "Batches, certifications, label issuance, recall and void "
            "for the Cooperative Union, and the batches' value chain "
            "as GS1 EPCIS 2.0 events. See docs/api.md.",
        },
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token made in the console (Console > API tokens).",
                }
            },
        },
        "security": [{"bearerAuth": []}],
    }
