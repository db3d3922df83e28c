"""What people call each stored value: statuses, schemes, roles, results, steps.

The one place where a stored value gets its wording for people, in the reader's
language through the Babel catalogues. Each vocabulary is keyed by the model's StrEnum
(a member equals its stored string, so a plain string finds its wording too); a test
checks that every member has one. Templates use the filters registered below
(``{{ batch.status | batch_status }}``); views and other modules call :func:`term`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from keys.keyset import KeyStatus
from traceapp.domain.certifications import SCHEME_NAMES
from traceapp.domain.passport import PassportField
from traceapp.models import (
    BatchStatus,
    CertificationScheme,
    InspectionResult,
    LabelStatus,
    PartnerRole,
    PrintJobStatus,
    ProductCategory,
    Role,
)

BATCH_STATUS = {
    BatchStatus.DRAFT: _l("Waiting for the Union"),
    BatchStatus.CERTIFIED: _l("Certified"),
    BatchStatus.RECALLED: _l("Recalled"),
}
LABEL_STATUS = {
    LabelStatus.ACTIVE: _l("Active"),
    LabelStatus.VOIDED: _l("Voided"),
}
KEY_STATUS = {
    KeyStatus.ACTIVE: _l("In use"),
    KeyStatus.RETIRED: _l("Retired (old labels stay genuine)"),
    KeyStatus.REVOKED: _l("Revoked"),
}
SCHEME = {scheme: _l(name) for scheme, name in SCHEME_NAMES.items()}
ROLE = {
    Role.UNION_OFFICER: _l("Union officer"),
    Role.COOPERATIVE_OPERATOR: _l("Cooperative staff"),
    Role.INSPECTOR: _l("Inspector"),
}
INSPECTION_RESULT = {
    InspectionResult.PASSED: _l("Passed"),
    InspectionResult.FAILED: _l("Failed"),
    InspectionResult.OBSERVATIONS: _l("Passed with observations"),
}
PRODUCT_CATEGORY = {
    ProductCategory.EGGS: _l("Eggs"),
    ProductCategory.POULTRY: _l("Poultry"),
    ProductCategory.VEGETABLES: _l("Vegetables"),
    ProductCategory.FRUIT: _l("Fruit"),
    ProductCategory.MUSHROOMS: _l("Mushrooms"),
    ProductCategory.RICE: _l("Rice"),
    ProductCategory.TEA: _l("Tea"),
    ProductCategory.SILK: _l("Silk"),
    ProductCategory.PROCESSED: _l("Processed food"),
    ProductCategory.OTHER: _l("Other"),
}
PARTNER_ROLE = {
    PartnerRole.BUYER: _l("Buyer"),
    PartnerRole.PROCESSOR: _l("Processor"),
    PartnerRole.EXPORTER: _l("Exporter"),
    PartnerRole.SUPERMARKET: _l("Supermarket"),
    PartnerRole.HOTEL: _l("Hotel or restaurant"),
}
# CBV business steps of the value chain.
STEP = {
    "commissioning": _l("Harvested / produced"),
    "inspecting": _l("Inspected"),
    "packing": _l("Packed"),
    "shipping": _l("Shipped"),
    "receiving": _l("Received"),
    "transforming": _l("Processed"),
}
# The public page's verdicts ("copied": genuine, but scanned as one item cannot be).
VERDICT = {
    "genuine": _l("Genuine"),
    "not_genuine": _l("Not genuine"),
    "revoked_key": _l("Signed with a withdrawn key"),
    "voided": _l("Voided label"),
    "recalled": _l("Recalled"),
    "expired": _l("Certification expired"),
    "copied": _l("May have been copied"),
}
# CBV dispositions a timeline warns about.
DISPOSITION = {
    "non_conformant": _l("Not conformant"),
    "recalled": _l("Recalled"),
    "damaged": _l("Damaged"),
    "destroyed": _l("Destroyed"),
}
SCAN_FLAG = {
    "too_many_clients": _l("Scanned by more phones than one item plausibly meets."),
    "too_many_scans": _l("Scanned far more often than one item plausibly is."),
    "distant_places": _l("Scanned in places hundreds of kilometres apart within hours."),
}

# Mandatory fields of the digital product passport (domain/passport.py).
PASSPORT_FIELD = {
    PassportField.PRODUCT_NAME: _l("Product name"),
    PassportField.GTIN: _l("GTIN"),
    PassportField.PRODUCT_IMAGE: _l("Product image"),
    PassportField.SAFETY_WARNINGS: _l("Safety warnings"),
    PassportField.PRODUCER_NAME: _l("Producer"),
    PassportField.PRODUCER_ADDRESS: _l("Producer's address"),
    PassportField.PRODUCER_IDENTIFIER: _l("Producer's registration number"),
    PassportField.ORIGIN: _l("Origin"),
    PassportField.PRODUCTION_DATE: _l("Produced on"),
    PassportField.EXPIRY_DATE: _l("Best before"),
    PassportField.CERTIFICATES: _l("Certification valid today"),
}

# Names of the fields and records a refusal speaks of (traceapp.errors.Term): the
# form or the API names the field itself; a name missing here is shown as it is.
FIELD = {
    "role": _l("role"),
    "category": _l("category"),
    "scheme": _l("scheme"),
    "result": _l("result"),
    "kind": _l("kind"),
    "status": _l("status"),
    "step": _l("step"),
    "from": _l("from"),
    "to": _l("to"),
    "run": _l("run"),
    "limit": _l("limit"),
    "offset": _l("offset"),
    "produced_on": _l("produced on"),
    "best_before": _l("best before"),
    "valid_from": _l("valid from"),
    "valid_to": _l("valid to"),
    "inspected_on": _l("inspection date"),
    "photo": _l("photo"),
}
RECORD = {
    "batch": _l("batch"),
    "cooperative": _l("cooperative"),
    "job": _l("print job"),
    "link": _l("where-to-buy link"),
    "number": _l("packing"),
    "product": _l("product"),
    "report": _l("report"),
    "run": _l("issuance run"),
    "sequence": _l("checkpoint"),
    "token": _l("token"),
    "user": _l("account"),
}

PRINT_JOB_STATUS = {
    PrintJobStatus.QUEUED: _l("Waiting for the print worker"),
    PrintJobStatus.RENDERING: _l("Rendering"),
    PrintJobStatus.DONE: _l("Ready to download"),
    PrintJobStatus.FAILED: _l("Failed"),
}
VOCABULARIES: Mapping[str, Mapping[Any, object]] = {
    "batch_status": BATCH_STATUS,
    "label_status": LABEL_STATUS,
    "key_status": KEY_STATUS,
    "scheme": SCHEME,
    "role": ROLE,
    "inspection_result": INSPECTION_RESULT,
    "product_category": PRODUCT_CATEGORY,
    "partner_role": PARTNER_ROLE,
    "step": STEP,
    "disposition": DISPOSITION,
    "scan_flag": SCAN_FLAG,
    "verdict": VERDICT,
    "passport_field": PASSPORT_FIELD,
    "print_job_status": PRINT_JOB_STATUS,
    "field_name": FIELD,
    "record_name": RECORD,
}
# The vocabulary of each enumeration, for values that carry their type.
BY_ENUM: Mapping[type, str] = {
    BatchStatus: "batch_status",
    LabelStatus: "label_status",
    KeyStatus: "key_status",
    CertificationScheme: "scheme",
    Role: "role",
    InspectionResult: "inspection_result",
    ProductCategory: "product_category",
    PartnerRole: "partner_role",
    PassportField: "passport_field",
    PrintJobStatus: "print_job_status",
}


def term(kind: str, value: object) -> str:
    """The wording of a stored `value` of `kind` in the current language (the value
    itself if the vocabulary has no entry, so an unexpected value is still shown)."""
    wording = VOCABULARIES[kind].get(value)
    return str(wording) if wording is not None else str(value)


def wording(value: object) -> str:
    """The wording of an enum member, found by its type (other values as they are)."""
    kind = BY_ENUM.get(type(value))
    return term(kind, value) if kind else str(value)


def choices(kind: str, values: Iterable[object]) -> list[SelectChoice]:
    """(value, wording) pairs for a form's select field, in `values`' order; the
    wordings are lazy, so a form class built at import speaks each request's language."""
    return [SelectChoice(str(v), VOCABULARIES[kind].get(v, str(v))) for v in values]


def init_app(app: Flask) -> None:
    for kind in VOCABULARIES:
        app.add_template_filter(lambda value, kind=kind: term(kind, value), kind)
