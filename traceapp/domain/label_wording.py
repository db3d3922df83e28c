"""The words printed on a label, in the label's language (vi by default, en for export).

`labels/` translates nothing: the texts are looked up here, in the same message
catalogues as the web pages, and handed to it as data.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from labels import LabelWording

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"

#: Languages a label can be printed in; the first is the default.
LABEL_LANGUAGES = ("vi", "en", "fr")
DEFAULT_LABEL_LANGUAGE = LABEL_LANGUAGES[0]


@lru_cache(maxsize=8)
def catalogue(language: str) -> NullTranslations:
    """The message catalogue of ``language`` (no Flask context needed)."""
    return Translations.load(TRANSLATIONS_DIR, [language])


@lru_cache(maxsize=8)
def label_wording(language: str) -> LabelWording:
    """The fixed label words (lot, best before, the scan prompt) in ``language``."""
    t = catalogue(language)
    return LabelWording(
        lot_prefix=t.gettext("Lot:"),
        best_before_prefix=t.gettext("Best before:"),
        scan_prompt=t.gettext("Scan to verify"),
    )


def translate(text: str, language: str) -> str:
    """``text`` (a catalogue message id) in ``language``."""
    return catalogue(language).gettext(text)
