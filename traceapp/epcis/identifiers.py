"""The URIs events use for what (batch classes, boxes) and where (places, parties).

- A batch is an EPC class: `https://id.gs1.org/01/<gtin>/10/<lot>` (GS1 Digital Link),
  or `<base>/p/<product ref>/10/<lot>` for a product without a GTIN (the same path
  the service's own label codes use). `urn:epc:class:lgtin:` URNs are understood on import.
- A box is an EPC instance of the service's own: `<base>/chain/box/<gtin|ref>/<lot>/<n>`,
  which is also the address of the box's public page (its label's QR code).
- A cooperative is `<base>/chain/cooperatives/<registration number>`; a partner is
  `https://id.gs1.org/414/<gln>` when it has a GLN, else `<base>/chain/partners/<slug>`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

GS1_RESOLVER = "https://id.gs1.org"

_DL_CLASS = re.compile(r"^/01/(\d{14})/10/([^/]+)$")
_DL_INSTANCE = re.compile(r"^/01/(\d{14})/10/([^/]+)/21/([^/]+)$")
_REF_CLASS = re.compile(r"^/p/([^/]+)/10/([^/]+)$")
_REF_INSTANCE = re.compile(r"^/p/([^/]+)/10/([^/]+)/21/([^/]+)$")
_LGTIN = re.compile(r"^urn:epc:class:lgtin:(\d+)\.(\d+)\.(.+)$")
_BOX = re.compile(r"^/chain/box/([^/]+)/([^/]+)/(\d{1,6})$")


@dataclass(frozen=True)
class ClassRef:
    """A batch named by an EPC class or instance: a GTIN or a product ref, and a lot."""

    gtin: str | None
    product_ref: str | None
    lot: str


@dataclass(frozen=True)
class BoxRef:
    product_key: str
    lot: str
    number: int


class _ControlCharacter(ValueError):
    pass


def _text(segment: str) -> str:
    """A decoded URI segment; control characters (%00 and the like) name nothing here."""
    text = unquote(segment)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _ControlCharacter(segment)
    return text


def _or_none(parse):
    """`parse` answering None, like any other URI it does not understand, for a URI
    whose identifiers hold control characters."""

    @functools.wraps(parse)
    def wrapper(uri: str):
        try:
            return parse(uri)
        except _ControlCharacter:
            return None

    return wrapper


def class_uri(base_url: str, gtin: str | None, product_ref: str, lot: str) -> str:
    """The EPC class URI of a batch (its lot of one product)."""
    if gtin:
        return f"{GS1_RESOLVER}/01/{gtin}/10/{quote(lot, safe='')}"
    return f"{base_url}/p/{quote(product_ref, safe='')}/10/{quote(lot, safe='')}"


def box_uri(base_url: str, product_key: str, lot: str, number: int) -> str:
    """The EPC instance URI of box `number` packed from a batch."""
    return f"{base_url}/chain/box/{quote(product_key, safe='')}/{quote(lot, safe='')}/{number}"


def cooperative_uri(base_url: str, registration_number: str) -> str:
    return f"{base_url}/chain/cooperatives/{quote(registration_number, safe='')}"


def partner_uri(base_url: str, name: str, gln: str | None) -> str:
    if gln:
        return f"{GS1_RESOLVER}/414/{gln}"
    return f"{base_url}/chain/partners/{slug(name)}"


def slug(name: str) -> str:
    """ASCII words joined by hyphens: 'Siêu thị Co.opmart' -> 'sieu-thi-co-opmart'."""
    text = name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@_or_none
def parse_class_uri(uri: str) -> ClassRef | None:
    """The batch an EPC class URI names, or None for a form not understood here."""
    match = _LGTIN.match(uri)
    if match:
        prefix, item, lot = match.groups()
        return ClassRef(_gtin_from_lgtin(prefix, item), None, _text(lot))
    path = urlsplit(uri).path if uri.startswith(("http://", "https://")) else ""
    if match := _DL_CLASS.match(path):
        return ClassRef(match[1], None, _text(match[2]))
    if match := _REF_CLASS.match(path):
        return ClassRef(None, _text(match[1]), _text(match[2]))
    return None


@_or_none
def parse_instance_uri(uri: str) -> ClassRef | None:
    """The batch an EPC instance (a labelled item or a box) belongs to, if understood."""
    path = urlsplit(uri).path if uri.startswith(("http://", "https://")) else ""
    if match := _DL_INSTANCE.match(path):
        return ClassRef(match[1], None, _text(match[2]))
    if match := _REF_INSTANCE.match(path):
        return ClassRef(None, _text(match[1]), _text(match[2]))
    if box := parse_box_uri(uri):
        key = box.product_key
        return (
            ClassRef(key, None, box.lot)
            if key.isdigit() and len(key) == 14
            else ClassRef(None, key, box.lot)
        )
    return None


@_or_none
def parse_box_uri(uri: str) -> BoxRef | None:
    path = urlsplit(uri).path if uri.startswith(("http://", "https://")) else ""
    match = _BOX.match(path)
    if match is None:
        return None
    return BoxRef(_text(match[1]), _text(match[2]), int(match[3]))


def _gtin_from_lgtin(company_prefix: str, item_ref: str) -> str:
    # EPC Tag Data Standard: the item reference's first digit is the indicator digit.
    body = item_ref[:1] + company_prefix + item_ref[1:]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)
