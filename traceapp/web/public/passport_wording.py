"""What the passport's fields, where-to-buy kinds and resolver link types are called
for people (vi/en/fr through the catalogues), keyed by their enums."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from traceapp.domain.resolver import LinkType
from traceapp.models import WhereToBuyKind
from traceapp.web import vocabulary
from traceapp.web.public.languages import LANGUAGE_NAMES

PASSPORT_FIELD_NAMES = vocabulary.PASSPORT_FIELD  # one wording per field

WHERE_TO_BUY_KIND_NAMES = {
    WhereToBuyKind.ONLINE_MARKET: _l("Online market"),
    WhereToBuyKind.SUPERMARKET_CHAIN: _l("Supermarket"),
    WhereToBuyKind.HOTEL_OR_RESTAURANT: _l("Hotel or restaurant"),
    WhereToBuyKind.COOPERATIVE_SHOP: _l("Cooperative's shop"),
    WhereToBuyKind.PARTNER_COMPANY: _l("Partner company"),
}

LINK_TITLES = {
    LinkType.DEFAULT_LINK: _l("Default page"),
    LinkType.PIP: _l("Product information"),
    LinkType.TRACEABILITY: _l("Batch traceability"),
    LinkType.CERTIFICATION_INFO: _l("Certifications"),
    LinkType.EPCIS: _l("EPCIS events of the batch"),
    LinkType.DPP: _l("Digital product passport"),
    LinkType.VERIFICATION_SERVICE: _l("Label verification"),
    LinkType.HAS_RETAILERS: _l("Where to buy"),
}


def language_names(codes: Iterable[str]) -> str:
    """'vi,en' -> 'Tiếng Việt, English' (each language in its own name)."""
    return ", ".join(LANGUAGE_NAMES.get(code, code) for code in codes)
