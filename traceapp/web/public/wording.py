"""What each verdict, reason, history event and flag is called on the public page."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_datetime
from babel.support import NullTranslations, Translations
from flask_babel import lazy_gettext as _l

from traceapp.clock import to_local

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"


def N_(message: str) -> str:
    """Marks a message for the catalogues (pybabel extract -k N_); it is translated
    when used, in the language asked for (translated())."""
    return message


# Worded without a Flask request: the scan answer (web/public/scan.py) may run outside one.
VERDICT_TITLES = {
    "genuine": N_("Genuine"),
    "not_genuine": N_("Not genuine"),
    "revoked_key": N_("Signed with a revoked key"),
    "voided": N_("Voided label"),
    "recalled": N_("Recalled"),
    "expired": N_("Certification expired"),
}

REASON_TEXTS = {
    "genuine": N_("This label was issued by the Cooperative Union for the product below."),
    "malformed": N_("This is not a valid label code. Do not trust this product."),
    "tampered": N_(
        "The code's signature does not match: it was altered or forged. Do not trust this product."
    ),
    "unknown_key": N_(
        "The code was signed with a key the Union never published. Do not trust this product."
    ),
    "unknown_code": N_("This serial number was never issued. Do not trust this product."),
    "revoked_key": N_(
        "The key that signed this label has been withdrawn by the Union. Do not trust this label."
    ),
    "voided": N_("The Union has cancelled this label. Do not trust this product."),
    "recalled": N_("This batch has been recalled. Do not eat or use this product."),
    "expired": N_("The label is real, but no certification of this batch is valid today."),
}

EVENT_NAMES = {
    "certified": _l("Certified"),
    "issued": _l("Labels issued"),
    "inspected": _l("Inspected"),
    "recalled": _l("Recalled"),
}

SCHEME_NAMES = {
    "vietgap": _l("VietGAP"),
    "ocop": _l("OCOP"),
    "organic": _l("Organic"),
    "herbal_fed": _l("Herbal-fed"),
    "lab_test": _l("Lab test"),
}

FLAG_TEXTS = {
    "too_many_clients": _l("scanned by more phones than one item plausibly meets"),
    "too_many_scans": _l("scanned far more often than one item plausibly is"),
    "distant_places": _l("scanned in places hundreds of kilometres apart within hours"),
}


def verdict_title(verdict: str, language: str) -> str:
    return translated(VERDICT_TITLES[verdict], language)


def reason_text(reason: str, language: str) -> str:
    return translated(REASON_TEXTS[reason], language)


def translated(message: str, language: str) -> str:
    """`message` in `language`, from the catalogues (no Flask context needed)."""
    return _catalogue(language).gettext(message)


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
def _catalogue(language: str) -> NullTranslations:
    return Translations.load(TRANSLATIONS_DIR, [language])


@lru_cache(maxsize=4096)
def _short_moment(moment: datetime, language: str) -> str:
    # A code's first scan never changes: format it (time zone, locale) once.
    return format_datetime(to_local(moment), "short", locale=language)
