"""What people call each stored value: statuses, schemes, roles, results, steps.

The one place where a stored value (a StrEnum member or its string) gets its wording
for people, in the reader's language through the Babel catalogues. Templates use the
filters registered below (``{{ batch.status | batch_status }}``), views and other
modules call :func:`term`. Keys are the stored values, so an enum member (a ``str``)
finds its wording as well as the plain string does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Flask
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

BATCH_STATUS = {
    "draft": _l("Waiting for the Union"),
    "certified": _l("Certified"),
    "recalled": _l("Recalled"),
}
LABEL_STATUS = {
    "active": _l("Active"),
    "voided": _l("Voided"),
}
KEY_STATUS = {
    "active": _l("In use"),
    "retired": _l("Retired (old labels stay genuine)"),
    "revoked": _l("Revoked"),
}
SCHEME = {
    "vietgap": _l("VietGAP"),
    "ocop": _l("OCOP"),
    "organic": _l("Organic"),
    "herbal_fed": _l("Herbal-fed"),
    "lab_test": _l("Lab test"),
}
ROLE = {
    "union_officer": _l("Union officer"),
    "cooperative_operator": _l("Cooperative staff"),
    "inspector": _l("Inspector"),
}
INSPECTION_RESULT = {
    "passed": _l("Passed"),
    "failed": _l("Failed"),
    "observations": _l("Passed with observations"),
}
PRODUCT_CATEGORY = {
    "eggs": _l("Eggs"),
    "poultry": _l("Poultry"),
    "vegetables": _l("Vegetables"),
    "fruit": _l("Fruit"),
    "mushrooms": _l("Mushrooms"),
    "rice": _l("Rice"),
    "tea": _l("Tea"),
    "silk": _l("Silk"),
    "processed": _l("Processed food"),
    "other": _l("Other"),
}
PARTNER_ROLE = {
    "buyer": _l("Buyer"),
    "processor": _l("Processor"),
    "exporter": _l("Exporter"),
    "supermarket": _l("Supermarket"),
    "hotel": _l("Hotel or restaurant"),
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

VOCABULARIES: Mapping[str, Mapping[str, object]] = {
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
}


def term(kind: str, value: object) -> str:
    """The wording of a stored `value` of `kind` in the current language (the value
    itself if the vocabulary has no entry, so an unexpected value is still shown)."""
    value = getattr(value, "value", value)  # an enum of keys/ (not a str) by its value
    wording = VOCABULARIES[kind].get(str(value))
    return str(wording) if wording is not None else str(value)


def choices(kind: str, values: Iterable[object]) -> list[SelectChoice]:
    """(value, wording) pairs for a form's select field, in `values`' order; the
    wordings are lazy, so a form class built at import speaks each request's language."""
    return [SelectChoice(str(v), VOCABULARIES[kind].get(str(v), str(v))) for v in values]


def init_app(app: Flask) -> None:
    for kind in VOCABULARIES:
        app.add_template_filter(lambda value, kind=kind: term(kind, value), kind)
