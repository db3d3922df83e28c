"""What each verdict, reason, history event and flag is called on the public page."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from flask_babel import lazy_gettext as _l

from traceapp.web import vocabulary
from traceapp.web.formatting import moment_text

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"


def N_(message: str) -> str:
    """Marks a message for the catalogues (pybabel extract -k N_); it is translated
    when used, in the language asked for (translated())."""
    return message


VERDICT_TITLES = vocabulary.VERDICT

# Worded without a Flask request: the scan answer (web/public/scan.py) may run outside one.
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

# One wording per stored value, kept with all the others (traceapp/web/vocabulary.py).
SCHEME_NAMES = vocabulary.SCHEME
FLAG_TEXTS = vocabulary.SCAN_FLAG


def verdict_title(verdict: str, language: str) -> str:
    return translated(VERDICT_TITLES[verdict], language)


def reason_text(reason: str, language: str) -> str:
    return translated(REASON_TEXTS[reason], language)


def translated(message: object, language: str) -> str:
    """`message` (a plain msgid, or a lazy string of the vocabulary) in `language`,
    from the catalogues: no Flask context needed."""
    lazy_args = getattr(message, "_args", None)  # flask_babel.LazyString keeps its msgid
    msgid = lazy_args[0] if lazy_args else str(message)
    return _catalogue(language).gettext(msgid)


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
    # A code's first scan never changes: format it (time zone, locale) once, in the
    # one style every page uses (traceapp/web/formatting.py).
    return moment_text(moment, language)
