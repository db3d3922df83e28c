"""The words of the value-chain timeline and box page, translated through the same
Babel catalogues as the rest of the public pages (traceapp/translations)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from traceapp.web import vocabulary

STEP_NAMES = vocabulary.STEP  # one wording per step (traceapp/web/vocabulary.py)
WORDS = {
    "heading": _l("Value chain"),
    "at": _l("At"),
    "to": _l("To"),
    "lot": _l("Lot"),
    "boxes": _l("%s boxes × %s"),
    "box_count": _l("%s boxes"),
    "first_box": _l("See the first box"),
    "made_from": _l("Made from:"),
    "became": _l("Processed into"),
    "external": _l("External reference:"),
    "box": _l("Box"),
    "cooperative": _l("Cooperative"),
    "status": _l("Status"),
    "certified": _l("Certified"),
    "recalled": _l("Recalled"),
    "not_certified": _l("Not certified"),
    "last_step": _l("Latest step"),
    "certifications": _l("Certifications"),
}


def chain_step_name(step: str) -> str:
    """A CBV business step as people say it, e.g. 'shipping' -> 'Xuất hàng'."""
    return str(STEP_NAMES[step]) if step in STEP_NAMES else step


def chain_word(key: str) -> str:
    return str(WORDS[key])
