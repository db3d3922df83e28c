"""The identifiers events use for what (batch classes, boxes) and where (places,
parties). They never hold the service's address: moving the service to another
domain (TRACEAPP_PUBLIC_BASE_URL) changes nothing stored. Addresses for people (a
box's page, its label's QR code) are built from an identifier when rendering.

- A batch is an EPC class: `https://id.gs1.org/01/<gtin>/10/<lot>` (GS1 Digital Link,
  the same on every host), or `urn:traceapp:class:<product ref>:<lot>` for a product
  without a GTIN. `urn:epc:class:lgtin:` URNs are understood on import.
- A box is an EPC instance of the service's own: `urn:traceapp:box:<gtin|ref>:<lot>:<n>`;
  its page (and its label's QR code) is `<base>/chain/box/<gtin|ref>/<lot>/<n>`.
- A cooperative is `urn:traceapp:cooperative:<registration number>`; a partner is
  `https://id.gs1.org/414/<gln>` when it has a GLN, else `urn:traceapp:partner:<slug>`.
- A despatch or receipt document is `urn:traceapp:document:<reference>`.

Each part is percent-encoded (so a ':' inside a part is `%3A`). Addresses that earlier
versions stored (`<any host>/p/...`, `/chain/box/...`, `/chain/cooperatives/...`,
`/chain/partners/...`, `/chain/documents/...`) are still understood, and
`identifier_of` turns them into these identifiers (migration 0009 did so for stored
events).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from keys.gtin import gtin_check_digit

GS1_RESOLVER = "https://id.gs1.org"
OWN = "urn:traceapp"  # the service's own identifiers, the same on every host

_DL_CLASS = re.compile(r"^/01/(\d{14})/10/([^/]+)$")
_DL_INSTANCE = re.compile(r"^/01/(\d{14})/10/([^/]+)/21/([^/]+)$")
_REF_CLASS = re.compile(r"^/p/([^/]+)/10/([^/]+)$")
_REF_INSTANCE = re.compile(r"^/p/([^/]+)/10/([^/]+)/21/([^/]+)$")
_LGTIN = re.compile(r"^urn:epc:class:lgtin:(\d+)\.(\d+)\.(.+)$")
_BOX = re.compile(r"^/chain/box/([^/]+)/([^/]+)/(\d{1,6})$")
_OWN_CLASS = re.compile(r"^urn:traceapp:class:([^:/]+):([^:/]+)$")
_OWN_BOX = re.compile(r"^urn:traceapp:box:([^:/]+):([^:/]+):(\d{1,6})$")
# What earlier versions stored: addresses under the service's base URL, on any host.
_LEGACY = {
    "cooperative": re.compile(r"^/chain/cooperatives/([^/]+)$"),
    "partner": re.compile(r"^/chain/partners/([^/]+)$"),
    "document": re.compile(r"^/chain/documents/([^/]+)$"),
}


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


def _part(text: str) -> str:
    return quote(text, safe="")


def class_uri(gtin: str | None, product_ref: str, lot: str) -> str:
    """The EPC class URI of a batch (its lot of one product)."""
    if gtin:
        return f"{GS1_RESOLVER}/01/{gtin}/10/{_part(lot)}"
    return f"{OWN}:class:{_part(product_ref)}:{_part(lot)}"


def box_uri(product_key: str, lot: str, number: int) -> str:
    """The EPC instance URI of box `number` packed from a batch."""
    return f"{OWN}:box:{_part(product_key)}:{_part(lot)}:{number}"


def box_url(base_url: str, box: BoxRef) -> str:
    """The address of a box's public page, which its label's QR code holds."""
    return f"{base_url}/chain/box/{_part(box.product_key)}/{_part(box.lot)}/{box.number}"


def cooperative_uri(registration_number: str) -> str:
    return f"{OWN}:cooperative:{_part(registration_number)}"


def partner_uri(name: str, gln: str | None) -> str:
    if gln:
        return f"{GS1_RESOLVER}/414/{gln}"
    return f"{OWN}:partner:{slug(name)}"


def document_uri(reference: str) -> str:
    """A despatch advice's or receiving advice's number as a business transaction."""
    return f"{OWN}:document:{_part(reference)}"


def identifier_of(uri: str) -> str:
    """The identifier for a URI of ours as stored by earlier versions (an address under
    the service's base URL, on any host); any other URI unchanged."""
    path = urlsplit(uri).path if uri.startswith(("http://", "https://")) else ""
    if not path:
        return uri
    if (box := _BOX.match(path)) is not None:
        return f"{OWN}:box:{box[1]}:{box[2]}:{int(box[3])}"
    if (batch := _REF_CLASS.match(path)) is not None:
        return f"{OWN}:class:{batch[1]}:{batch[2]}"
    for kind, pattern in _LEGACY.items():
        if (match := pattern.match(path)) is not None:
            return f"{OWN}:{kind}:{match[1]}"
    return uri


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
    if match := _OWN_CLASS.match(uri):
        return ClassRef(None, _text(match[1]), _text(match[2]))
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
    """The box a box URI names (or, from earlier versions, a box page's address)."""
    path = urlsplit(uri).path if uri.startswith(("http://", "https://")) else ""
    match = _OWN_BOX.match(uri) or _BOX.match(path)
    if match is None:
        return None
    return BoxRef(_text(match[1]), _text(match[2]), int(match[3]))


def _gtin_from_lgtin(company_prefix: str, item_ref: str) -> str:
    # EPC Tag Data Standard: the item reference's first digit is the indicator digit.
    body = item_ref[:1] + company_prefix + item_ref[1:]
    return body + str(gtin_check_digit(body))
