"""What the passport's fields, where-to-buy kinds and resolver link types are called
for people (vi/en/fr through the catalogues), keyed by their enums."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from traceapp.domain.passport import PassportField
from traceapp.domain.resolver import LinkType
from traceapp.models import WhereToBuyKind
from traceapp.web.public.languages import LANGUAGE_NAMES

PASSPORT_FIELD_NAMES = {
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
    LinkType.PRODUCT_PASSPORT: _l("Digital product passport"),
    LinkType.VERIFICATION_SERVICE: _l("Label verification"),
    LinkType.HAS_RETAILERS: _l("Where to buy"),
}


def language_names(codes: list[str]) -> str:
    """'vi,en' -> 'Tiếng Việt, English' (each language in its own name)."""
    return ", ".join(LANGUAGE_NAMES.get(code, code) for code in codes)
