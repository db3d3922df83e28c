"""English wording a Vietnamese reader must never see, found from the catalogue itself.

The English text of every catalogue entry whose Vietnamese differs from it, cut at its
placeholders, as whole-word patterns: a page (or a message) that contains one of them
shows English where Vietnamese was due. Used by the phone walk and the refusal tests.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).parents[1] / "traceapp/translations/vi/LC_MESSAGES/messages.po"


def _english_fragments() -> list[re.Pattern[str]]:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    fragments = set()
    vietnamese = " ".join(
        " ".join(m.string) if isinstance(m.string, tuple) else m.string for m in catalogue if m.id
    )
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if set(ids) & set(strings):
            continue  # the same in both languages (VietGAP, OCOP)
        for text in ids:
            for part in re.split(r"%\(\w+\)[sd]|%%", text):
                part = part.strip(" .,:;()?!-")
                # Terms both languages use (GTIN, EPCIS, OCOP) are not English wording.
                if len(part) >= 3 and re.search(r"[A-Za-z]{3}", part) and part not in vietnamese:
                    fragments.add(part)
    return [re.compile(rf"(?<![\w-]){re.escape(f)}(?![\w-])") for f in sorted(fragments)]


ENGLISH = _english_fragments()


def english_in(text: str) -> list[str]:
    """The catalogue's English fragments found in `text` (empty: none)."""
    return [p.pattern for p in ENGLISH if p.search(text)]
