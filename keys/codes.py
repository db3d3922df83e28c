"""Label codes: the GS1 Digital Link URIs printed in the QR (docs/code-format.md).

    {base}/01/{GTIN-14}/10/{lot}/21/{serial}?8030={sigfield}    product with a GTIN
    {base}/p/{product_ref}/10/{lot}/21/{serial}?8030={sigfield}  product without one

`sigfield` is the format version "1", the 2-character key id and the 86-character
unpadded base64url Ed25519 signature (89 characters, within AI 8030's 90).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass

from keys.fields import (
    InvalidField,
    check_item,
    check_key_id,
    check_lot,
    check_product_ref,
    check_serial,
)
from keys.gtin import InvalidGTIN, normalize_gtin

FORMAT_VERSION = "1"
MAX_URI_LENGTH = 512
MAX_BASE_URL_LENGTH = 200
SIGNATURE_BYTES = 64
SIGNATURE_CHARS = 86
SIGFIELD_LENGTH = len(FORMAT_VERSION) + 2 + SIGNATURE_CHARS
GTIN_AI, LOT_AI, SERIAL_AI, SIGNATURE_AI = "01", "10", "21", "8030"
PRODUCT_REF_SEGMENT = "p"

_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_HEAD = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/]*)(?P<path>/.*)?")
_AUTHORITY = re.compile(
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?"
)
_BASE_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_ITEM_SHAPES = ("/01/{GTIN}/10/{lot}/21/{serial}", "/p/{product_ref}/10/{lot}/21/{serial}")


class MalformedCode(ValueError):
    """The text is not a well-formed label code; the message says what is wrong."""


@dataclass(frozen=True)
class LabelCode:
    """A label code taken apart: exactly one of `gtin` and `product_ref` is set."""

    gtin: str | None
    product_ref: str | None
    lot: str
    serial: str
    key_id: str
    signature: bytes
    base_url: str

    @property
    def signature_field(self) -> str:
        """The AI 8030 value: format version, key id and base64url signature."""
        return encode_signature_field(self.key_id, self.signature)


def normalize_base_url(base_url: str) -> str:
    """`base_url` with scheme and host in lower case and no trailing slash.

    It must be http(s)://host[:port][/path] with plain path segments (A-Z a-z 0-9
    . _ ~ -), no user info, query or fragment. Raises InvalidField otherwise.
    """
    if not isinstance(base_url, str) or len(base_url) > MAX_BASE_URL_LENGTH:
        raise InvalidField(f"base URL must be text of at most {MAX_BASE_URL_LENGTH} characters")
    head = _HEAD.fullmatch(base_url.rstrip("/"))
    if head is None or not _URI_CHARS.fullmatch(base_url) or "?" in base_url or "#" in base_url:
        raise InvalidField(f"base URL {base_url!r} must look like https://host[:port][/path]")
    try:
        return _base_url(head["scheme"], head["authority"], (head["path"] or "").split("/")[1:])
    except MalformedCode as exc:
        raise InvalidField(f"base URL {base_url!r}: {exc}") from None


def item_path(*, gtin: str | None = None, product_ref: str | None = None, lot: str) -> str:
    """The path part naming the product and lot: `/01/{GTIN-14}/10/{lot}` or `/p/{ref}/10/{lot}`.

    Raises InvalidGTIN or InvalidField (both ValueError) for bad input.
    """
    gtin, product_ref = check_item(gtin, product_ref)
    check_lot(lot)
    if gtin is not None:
        return f"/{GTIN_AI}/{gtin}/{LOT_AI}/{lot}"
    return f"/{PRODUCT_REF_SEGMENT}/{product_ref}/{LOT_AI}/{lot}"


def encode_signature_field(key_id: str, signature: bytes) -> str:
    """The AI 8030 value for a format-1 code: "1" + key id + 86 base64url characters."""
    check_key_id(key_id)
    if not isinstance(signature, bytes) or len(signature) != SIGNATURE_BYTES:
        raise InvalidField(f"an Ed25519 signature has {SIGNATURE_BYTES} bytes")
    return FORMAT_VERSION + key_id + base64.urlsafe_b64encode(signature)[:SIGNATURE_CHARS].decode()


def decode_signature_field(value: str) -> tuple[str, bytes]:
    """The (key id, signature) in an AI 8030 value, or raise MalformedCode.

    Only the canonical encoding is accepted: the 4 unused low bits of the last
    base64url character must be zero, so each signature has exactly one spelling.
    """
    if not value:
        raise MalformedCode("the signature (AI 8030) is empty")
    if value[0] != FORMAT_VERSION:
        raise MalformedCode(
            f"unsupported label format version {value[0]!r}: this verifier "
            f"reads format {FORMAT_VERSION}"
        )
    if len(value) != SIGFIELD_LENGTH:
        raise MalformedCode(
            f"the signature (AI 8030) must have {SIGFIELD_LENGTH} characters, not {len(value)}"
        )
    key_id, encoded = value[1:3], value[3:]
    if not _BASE64URL.fullmatch(value[1:]):
        raise MalformedCode(
            "the signature (AI 8030) must use only base64url characters A-Z a-z 0-9 _ -"
        )
    try:
        signature = base64.urlsafe_b64decode(encoded + "==")
    except (binascii.Error, ValueError):
        raise MalformedCode("the signature is not valid base64url") from None
    if base64.urlsafe_b64encode(signature)[:SIGNATURE_CHARS].decode() != encoded:
        raise MalformedCode("the signature's last character is not canonical base64url")
    return key_id, signature


def label_uri(
    base_url: str,
    *,
    gtin: str | None = None,
    product_ref: str | None = None,
    lot: str,
    serial: str,
    signature_field: str,
) -> str:
    """The full code URI from its parts and a stored AI 8030 value.

    Raises a ValueError (InvalidField, InvalidGTIN or MalformedCode) for bad parts.
    """
    decode_signature_field(signature_field)
    return (
        normalize_base_url(base_url)
        + item_path(gtin=gtin, product_ref=product_ref, lot=lot)
        + f"/{SERIAL_AI}/{check_serial(serial)}?{SIGNATURE_AI}={signature_field}"
    )


def build_uri(code: LabelCode) -> str:
    """The URI printed in the QR for `code`; raises a ValueError for invalid fields."""
    return label_uri(
        code.base_url,
        gtin=code.gtin,
        product_ref=code.product_ref,
        lot=code.lot,
        serial=code.serial,
        signature_field=code.signature_field,
    )


def parse_uri(uri: str) -> LabelCode:
    """Take a label code URI apart, or raise MalformedCode saying what is wrong.

    Accepts percent-encoded characters in the path and query, surrounding ASCII
    whitespace, and scheme and host in any case. Refuses anything else that is not
    exactly the documented shape: other query parameters, a fragment, more than
    512 characters. Raises nothing but MalformedCode, whatever the input.
    """
    if not isinstance(uri, str):
        raise MalformedCode(f"a label code is text, not {type(uri).__name__}")
    if len(uri) > MAX_URI_LENGTH:
        raise MalformedCode(f"a label code has at most {MAX_URI_LENGTH} characters")
    text = uri.strip(" \t\r\n")
    if not text:
        raise MalformedCode("the label code is empty")
    if not _URI_CHARS.fullmatch(text):
        raise MalformedCode(
            "the label code contains characters that cannot appear in a URL "
            "(spaces, control or non-ASCII characters)"
        )
    if "#" in text:
        raise MalformedCode("a label code has no #fragment")
    head, question, query = text.partition("?")
    if not question:
        raise MalformedCode("the signature (?8030=...) is missing")
    match = _HEAD.fullmatch(head)
    if match is None:
        raise MalformedCode("a label code is an http(s) URL")
    segments = [_unescape(segment) for segment in (match["path"] or "").split("/")[1:]]
    if len(segments) < 6:
        raise MalformedCode(f"the path must end with {' or '.join(_ITEM_SHAPES)}")
    kind, item, lot_ai, lot, serial_ai, serial = segments[-6:]
    gtin, product_ref = _item(kind, item)
    if lot_ai != LOT_AI or serial_ai != SERIAL_AI:
        raise MalformedCode(f"the path must end with {' or '.join(_ITEM_SHAPES)}")
    key_id, signature = decode_signature_field(_signature_parameter(query))
    return LabelCode(
        gtin=gtin,
        product_ref=product_ref,
        lot=_field(check_lot, lot),
        serial=_field(check_serial, serial),
        key_id=key_id,
        signature=signature,
        base_url=_base_url(match["scheme"], match["authority"], segments[:-6]),
    )


def _base_url(scheme: str, authority: str, path_segments: list[str]) -> str:
    scheme = scheme.lower()
    if scheme not in ("http", "https"):
        raise MalformedCode(f"a label code is an http(s) URL, not {scheme}")
    host = _AUTHORITY.fullmatch(authority)
    if host is None or (host["port"] is not None and int(host["port"]) > 65535):
        raise MalformedCode("the URL's host name is not valid")
    for segment in path_segments:
        if not _BASE_SEGMENT.fullmatch(segment) or segment in (".", ".."):
            raise MalformedCode("the URL's path before the product part is not valid")
    port = f":{host['port']}" if host["port"] is not None else ""
    base = f"{scheme}://{host['host'].lower()}{port}" + "".join(f"/{s}" for s in path_segments)
    if len(base) > MAX_BASE_URL_LENGTH:
        raise MalformedCode(f"the base URL has at most {MAX_BASE_URL_LENGTH} characters")
    return base


def _item(kind: str, item: str) -> tuple[str | None, str | None]:
    if kind == GTIN_AI:
        if len(item) != 14 or not (item.isascii() and item.isdigit()):
            raise MalformedCode("the GTIN in a label code is exactly 14 digits 0-9")
        try:
            return normalize_gtin(item), None
        except InvalidGTIN as exc:
            raise MalformedCode(str(exc)) from None
    if kind == PRODUCT_REF_SEGMENT:
        return None, _field(check_product_ref, item)
    raise MalformedCode(f"the path must end with {' or '.join(_ITEM_SHAPES)}")


def _signature_parameter(query: str) -> str:
    name, equals, value = query.partition("=")
    if "&" in query or _unescape(name) != SIGNATURE_AI or not equals:
        raise MalformedCode("the only query parameter of a label code is 8030 (the signature)")
    return _unescape(value)


def _field(check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except InvalidField as exc:
        raise MalformedCode(str(exc)) from None


def _unescape(part: str) -> str:
    if "%" not in part:
        return part
    if _BAD_ESCAPE.search(part):
        raise MalformedCode("the label code has a broken %-escape")
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), part)
