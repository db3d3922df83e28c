"""What each verdict, reason, history event and flag is called on the public page."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel.support import Translations
from flask_babel import lazy_gettext as _l

from traceapp.web import vocabulary
from traceapp.web.formatting import moment_text

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"

VERDICT_TITLES = vocabulary.VERDICT

REASON_TEXTS = {
    "genuine": _l("This label was issued by the Cooperative Union for the product below."),
    "malformed": _l("This is not a valid label code. Do not trust this product."),
    "tampered": _l(
        "The code's signature does not match: it was altered or forged. Do not trust this product."
    ),
    "unknown_key": _l(
        "The code was signed with a key the Union never published. Do not trust this product."
    ),
    "unknown_code": _l("This serial number was never issued. Do not trust this product."),
    "revoked_key": _l(
        "The key that signed this label has been withdrawn by the Union. Do not trust this label."
    ),
    "voided": _l("The Union has cancelled this label. Do not trust this product."),
    "recalled": _l("This batch has been recalled. Do not eat or use this product."),
    "expired": _l("The label is real, but no certification of this batch is valid today."),
}

EVENT_NAMES = {
    "certified": _l("Certified"),
    "issued": _l("Labels issued"),
    "inspected": _l("Inspected"),
    "shipped": _l("Shipped"),
    "recalled": _l("Recalled"),
}

# One wording per stored value, kept with all the others (traceapp/web/vocabulary.py).
SCHEME_NAMES = vocabulary.SCHEME
FLAG_TEXTS = vocabulary.SCAN_FLAG


def verdict_title(verdict: str) -> str:
    return str(VERDICT_TITLES[verdict])


def reason_text(reason: str) -> str:
    return str(REASON_TEXTS[reason])


def scan_count_text(scans: int, first_scanned_at: datetime, language: str) -> str:
    """'Scanned 3 times since 25/11/2026 14:02.' in `language`.

    Needs no Flask context (the direct page path calls it outside one): the
    catalogue and the date format come from Babel itself, as Flask-Babel would.
    """
    return _scan_count_format(scans, language) % {
        "num": scans,
        "since": _short_moment(first_scanned_at, language),
    }


@lru_cache(maxsize=4096)
def _scan_count_format(scans: int, language: str) -> str:
    # A count's plural form in a language never changes: look it up in the catalogue once.
    return _catalogue(language).ungettext(
        "Scanned %(num)d time since %(since)s.", "Scanned %(num)d times since %(since)s.", scans
    )


@lru_cache(maxsize=16)
def _catalogue(language: str) -> Translations:
    return Translations.load(TRANSLATIONS_DIR, [language])


@lru_cache(maxsize=4096)
def _short_moment(moment: datetime, language: str) -> str:
    # A code's first scan never changes: format it (time zone, locale) once, in the
    # one style every page uses (traceapp/web/formatting.py).
    return moment_text(moment, language)
