from __future__ import annotations

import dataclasses
import re

import biip
import pytest
import qrcode
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from qrcode.constants import ERROR_CORRECT_M

from keys.codes import (
    MAX_URI_LENGTH,
    SIGFIELD_LENGTH,
    LabelCode,
    MalformedCode,
    build_uri,
    label_uri,
    normalize_base_url,
    parse_uri,
)
from keys.fields import InvalidField
from keys.signing import CodeSigner
from tests.keys.conftest import ACTIVE_KID, BASE_URL, GTIN, LOT, PRODUCT_REF

SERIAL = "7Q2MX9KD4RTZ"


def _qr_versions(text: str) -> tuple[int, int]:
    """The smallest QR version at error correction M, by segno and by qrcode."""
    by_segno = segno.make_qr(text, error="m", boost_error=False).version
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    return by_segno, qr.version


def test_gs1_form_has_the_documented_shape(signer: CodeSigner) -> None:
    uri = signer.sign(gtin=GTIN, lot=LOT, serial=SERIAL)
    prefix = f"{BASE_URL}/01/{GTIN}/10/{LOT}/21/{SERIAL}?8030=1{ACTIVE_KID}"
    assert uri.startswith(prefix)
    assert len(uri) == len(prefix) + 86
    assert len(uri.split("8030=")[1]) == SIGFIELD_LENGTH == 89


def test_non_gtin_form_has_the_documented_shape(signer: CodeSigner) -> None:
    uri = signer.sign(product_ref=PRODUCT_REF, lot="L1", serial=SERIAL)
    assert uri.startswith(f"{BASE_URL}/p/{PRODUCT_REF}/10/L1/21/{SERIAL}?8030=1{ACTIVE_KID}")


@pytest.mark.parametrize("item", [{"gtin": GTIN}, {"product_ref": PRODUCT_REF}])
def test_parse_and_build_round_trip(signer: CodeSigner, item: dict[str, str]) -> None:
    uri = signer.sign(**item, lot=LOT, serial=SERIAL)
    code = parse_uri(uri)
    assert (code.gtin, code.product_ref) == (item.get("gtin"), item.get("product_ref"))
    assert (code.lot, code.serial, code.key_id, code.base_url) == (
        LOT,
        SERIAL,
        ACTIVE_KID,
        BASE_URL,
    )
    assert len(code.signature) == 64
    assert build_uri(code) == uri
    assert (
        label_uri(BASE_URL, **item, lot=LOT, serial=SERIAL, signature_field=code.signature_field)
        == uri
    )


def test_base_url_with_a_path_round_trips(active_key: Ed25519PrivateKey) -> None:
    signer = CodeSigner(active_key, "7K", "VN-CB-LMHTX", "https://Example.ORG:8443/trace/v1/")
    assert signer.base_url == "https://example.org:8443/trace/v1"
    uri = signer.sign(gtin=GTIN, lot=LOT, serial=SERIAL)
    assert parse_uri(uri).base_url == "https://example.org:8443/trace/v1"


def test_percent_encoding_of_any_character_is_accepted(gtin_codes: list[str]) -> None:
    uri = gtin_codes[0]
    start = len(BASE_URL)
    head, tail = uri[:start], uri[start:]
    encoded = "".join(c if c in "/?=" else f"%{ord(c):02X}" for c in tail)
    lower_hex = "".join(c if c in "/?=" else f"%{ord(c):02x}" for c in tail)
    assert parse_uri(head + encoded) == parse_uri(uri) == parse_uri(head + lower_hex)


def test_scheme_and_host_case_and_surrounding_whitespace_are_ignored(gtin_codes: list[str]) -> None:
    uri = gtin_codes[0]
    shouted = "HTTPS://TRACE.CAO-BANG.VN" + uri[len(BASE_URL) :]
    assert parse_uri(shouted) == parse_uri(uri) == parse_uri(f"  {uri}\r\n")


MALFORMED = [
    ("{uri}&lang=vi", "only query parameter"),
    ("{uri}#top", "fragment"),
    ("{path}", "signature (?8030=...) is missing"),
    ("{path}?8030=", "empty"),
    ("{path}?8031={sig}", "only query parameter"),
    ("{path}?8030={sig}&8030={sig}", "only query parameter"),
    ("{path}?8030={sig}A", "89 characters"),
    ("{path}?8030={sig_short}", "89 characters"),
    ("{path}?8030=2{sig_rest}", "unsupported label format version '2'"),
    ("{path}?8030=1{kid}{b64_plus}", "base64url"),
    ("ftp://h.vn/01/{gtin}/10/L/21/{serial}?8030={sig}", "http(s)"),
    ("https://user@h.vn/01/{gtin}/10/L/21/{serial}?8030={sig}", "host"),
    ("https://h.vn:99999/01/{gtin}/10/L/21/{serial}?8030={sig}", "host"),
    ("https:/h.vn/01/{gtin}/10/L/21/{serial}?8030={sig}", "http(s) URL"),
    ("https://h.vn//01/{gtin}/10/L/21/{serial}?8030={sig}", "path before"),
    ("https://h.vn/01/{gtin}/10/L/21?8030={sig}", "path must end with"),
    ("https://h.vn/02/{gtin}/10/L/21/{serial}?8030={sig}", "path must end with"),
    ("https://h.vn/01/{gtin}/11/L/21/{serial}?8030={sig}", "path must end with"),
    ("https://h.vn/01/{gtin}/10/L/22/{serial}?8030={sig}", "path must end with"),
    ("https://h.vn/01/9506000134352/10/L/21/{serial}?8030={sig}", "14 digits"),
    ("https://h.vn/01/09506000134353/10/L/21/{serial}?8030={sig}", "check digit"),
    ("https://h.vn/01/{gtin}/10/_L/21/{serial}?8030={sig}", "lot"),
    ("https://h.vn/01/{gtin}/10/{long_lot}/21/{serial}?8030={sig}", "lot"),
    ("https://h.vn/01/{gtin}/10/a%2Fb/21/{serial}?8030={sig}", "lot"),
    ("https://h.vn/01/{gtin}/10/L%/21/{serial}?8030={sig}", "%-escape"),
    ("https://h.vn/01/{gtin}/10/L/21/{serial_lower}?8030={sig}", "serial"),
    ("https://h.vn/01/{gtin}/10/L/21/{serial}0?8030={sig}", "serial"),
    ("https://h.vn/p/../10/L/21/{serial}?8030={sig}", "product reference"),
    ("https://h.vn/p/{long_ref}/10/L/21/{serial}?8030={sig}", "product reference"),
    ("https://h.vn/01/{gtin}/10/L/21/{serial}?8030={sig} ", None),  # fine: whitespace stripped
    ("https://h.vn/01/{gtin}/10/L é/21/{serial}?8030={sig}", "cannot appear in a URL"),
    ("https://h.vn/01/{gtin}/10/L\n/21/{serial}?8030={sig}", "cannot appear in a URL"),
    ("", "empty"),
    ("   ", "empty"),
    ("{overlong}", f"at most {MAX_URI_LENGTH}"),
]


@pytest.mark.parametrize(("template", "message"), MALFORMED)
def test_malformed_codes_are_refused_with_a_message(
    gtin_codes: list[str], template: str, message: str | None
) -> None:
    uri = gtin_codes[0]
    path, sig = uri.split("?8030=")
    text = template.format(
        uri=uri,
        path=path,
        sig=sig,
        sig_short=sig[:-1],
        sig_rest=sig[1:],
        kid=sig[1:3],
        b64_plus=sig[3:-1] + "+",
        gtin=GTIN,
        serial=parse_uri(uri).serial,
        serial_lower=parse_uri(uri).serial.lower(),
        long_lot="L" * 21,
        long_ref="R" * 21,
        overlong=uri + "x" * (MAX_URI_LENGTH - len(uri) + 1),
    )
    if message is None:
        assert parse_uri(text).serial == parse_uri(uri).serial
        return
    with pytest.raises(MalformedCode, match=re.escape(message)):
        parse_uri(text)


@pytest.mark.parametrize("value", [None, b"https://h.vn", 42, ["x"]])
def test_non_text_is_malformed(value: object) -> None:
    with pytest.raises(MalformedCode, match="text"):
        parse_uri(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "base",
    [
        "trace.caobang.vn",
        "ftp://h.vn",
        "https://h.vn?x=1",
        "https://h.vn/a b",
        "https://u@h.vn",
        "https://h.vn/../x",
        "https://" + "h" * 200 + ".vn",
    ],
)
def test_bad_base_urls_are_refused(base: str) -> None:
    with pytest.raises(InvalidField):
        normalize_base_url(base)


def test_build_refuses_invalid_fields(gtin_codes: list[str]) -> None:
    code = parse_uri(gtin_codes[0])
    for change in (
        {"lot": "a/b"},
        {"serial": "x"},
        {"key_id": "7"},
        {"signature": b"x" * 63},
        {"gtin": None},
        {"product_ref": "P1"},
        {"base_url": "nope"},
    ):
        with pytest.raises(ValueError):
            build_uri(dataclasses.replace(code, **change))


def test_biip_reads_the_gs1_form(gtin_codes: list[str]) -> None:
    uri = gtin_codes[0]
    code = parse_uri(uri)
    result = biip.parse(uri)
    assert result.gs1_digital_link_uri_error is None
    assert result.gtin is not None and result.gtin.value == GTIN
    elements = {e.ai.ai: e.value for e in result.gs1_digital_link_uri.element_strings}
    assert elements == {"01": GTIN, "10": LOT, "21": code.serial, "8030": code.signature_field}


@pytest.mark.parametrize("lot", ["L", "BH-2025.03_A", "A" * 20, "Zz9._-" * 3 + "QQ"])
def test_gs1_codes_fit_qr_version_9_at_m_with_a_25_char_base(signer: CodeSigner, lot: str) -> None:
    uri = signer.sign(gtin=GTIN, lot=lot, serial=SERIAL)
    assert len(BASE_URL) == 25 and len(uri) <= 178
    assert max(_qr_versions(uri)) <= 9


def test_the_stated_lot_length_margin_holds() -> None:
    """The doc says 2 more lot characters than allowed would still fit version 9; 3 not."""
    fake_sig = "1" + ACTIVE_KID + "A" * 86

    def uri(lot_length: int) -> str:
        return f"{BASE_URL}/01/{GTIN}/10/{'L' * lot_length}/21/{SERIAL}?8030={fake_sig}"

    assert len(uri(22)) == 180 and segno.make_qr(uri(22), error="m", boost_error=False).version == 9
    assert segno.make_qr(uri(23), error="m", boost_error=False).version == 10


def test_non_gtin_codes_fit_version_9_while_ref_plus_lot_is_at_most_37(signer: CodeSigner) -> None:
    fits = signer.sign(product_ref="R" * 17, lot="L" * 20, serial=SERIAL)
    too_long = signer.sign(product_ref="R" * 18, lot="L" * 20, serial=SERIAL)
    assert len(fits) == 180 and max(_qr_versions(fits)) <= 9
    assert segno.make_qr(too_long, error="m", boost_error=False).version == 10


def test_label_code_is_frozen(gtin_codes: list[str]) -> None:
    code = parse_uri(gtin_codes[0])
    assert isinstance(code, LabelCode)
    with pytest.raises(dataclasses.FrozenInstanceError):
        code.lot = "X"  # type: ignore[misc]
