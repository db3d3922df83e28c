"""A certified batch with issued labels and where-to-buy links, and the official GS1
schemas the resolver's documents must satisfy."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tests.conftest import IssuedLabels
from traceapp.domain.where_to_buy import WhereToBuyDetails, add_link
from traceapp.models import WhereToBuyKind

SCHEMAS = Path(__file__).with_name("schemas")


def validator(name: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=FormatChecker())


@pytest.fixture(scope="session")
def linkset_schema() -> Draft7Validator:
    return validator("gs1-resolver-linkset-schema.json")


@pytest.fixture(scope="session")
def description_schema() -> Draft7Validator:
    return validator("gs1-resolver-description-file-schema.json")


@pytest.fixture
def labelled(issue, factory, db_session) -> IssuedLabels:
    """Three labels of a certified batch whose product is sold in three places.

    Ask for it before `client`: a request's session stays open until the test's app
    context ends, so the database fixtures must be torn down after it."""
    labels = issue(3, factory=factory)
    product = labels.batch.product
    for details in (
        WhereToBuyDetails(
            WhereToBuyKind.ONLINE_MARKET,
            "Chợ online Cao Bằng",
            url="https://chocaobang.vn/bao-hung",
            languages=("vi",),
        ),
        WhereToBuyDetails(
            WhereToBuyKind.SUPERMARKET_CHAIN,
            "Co.opmart Cao Bằng",
            url="https://www.co-opmart.com.vn/cao-bang",
            languages=("vi", "en"),
        ),
        WhereToBuyDetails(
            WhereToBuyKind.HOTEL_OR_RESTAURANT,
            "Khách sạn Max Boutique",
            address="Phố Kim Đồng, Cao Bằng",
            languages=("vi", "en", "fr"),
        ),
    ):
        add_link(db_session, product, details, "test")
    db_session.flush()
    return labels


@dataclass(frozen=True)
class PageWeight:
    """What a public page costs a phone, in bytes as served (before any compression)."""

    html: int
    css: int
    js: int
    image: int  # the lazy-loaded product photo, fetched only when scrolled to

    @property
    def page(self) -> int:
        """The page without its photo: the HTML and every stylesheet and script it loads."""
        return self.html + self.css + self.js


_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
_SCRIPT = re.compile(r'<script[^>]* src="([^"]+)"')
_LAZY_IMAGE = re.compile(r'<img[^>]* src="([^"]+)"[^>]* loading="lazy"')


def page_weight(client, path: str, headers: dict[str, str] | None = None) -> PageWeight:
    response = client.get(path, headers=headers or {})
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)

    def size(urls: list[str]) -> int:
        return sum(len(client.get(url).data) for url in dict.fromkeys(urls))

    return PageWeight(
        len(response.data),
        size(_STYLESHEET.findall(html)),
        size(_SCRIPT.findall(html)),
        size(_LAZY_IMAGE.findall(html)),
    )
