from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.fields import SERIAL_ALPHABET, InvalidField
from keys.gtin import InvalidGTIN
from keys.keyset import PublicKeySet
from keys.serials import new_serial
from keys.signing import CodeSigner, new_serials, signing_payload
from keys.verify import Verdict, verify_code
from tests.keys.conftest import ACTIVE_KID, BASE_URL, GTIN, ISSUER, LOT, PRODUCT_REF

# The test vector printed in docs/code-format.md (private key: 32 bytes of 0x01).
VECTOR_PAYLOAD = (
    b"TRACEAPP-LABEL/1\nissuer=VN-CB-LMHTX\nkid=7K\ngtin=09506000134352\n"
    b"lot=BH-2025.03_A\nserial=7Q2MX9KD4RTZ\n"
)
VECTOR_URI = (
    "https://trace.caobang.vn/01/09506000134352/10/BH-2025.03_A/21/7Q2MX9KD4RTZ"
    "?8030=17K77bajHvrdn72b3OGOEQMK-y0E3FoVaf0IHDwJ45oZsmsMTnIbe6wE7TZ7wPd1EAo6N3m"
    "GUGqI3yKhHisfsZBBQ"
)


def test_payload_and_uri_match_the_documented_test_vector(active_key: Ed25519PrivateKey) -> None:
    assert (
        signing_payload(
            ISSUER, gtin="9506000134352", lot="BH-2025.03_A", serial="7Q2MX9KD4RTZ", key_id="7K"
        )
        == VECTOR_PAYLOAD
    )
    signer = CodeSigner(active_key, "7K", ISSUER, "https://trace.caobang.vn")
    assert signer.sign(gtin=GTIN, lot="BH-2025.03_A", serial="7Q2MX9KD4RTZ") == VECTOR_URI


def test_gtin_and_product_ref_payloads_cannot_collide() -> None:
    as_gtin = signing_payload(ISSUER, gtin=GTIN, lot=LOT, serial="7Q2MX9KD4RTZ", key_id="7K")
    as_ref = signing_payload(ISSUER, product_ref=GTIN, lot=LOT, serial="7Q2MX9KD4RTZ", key_id="7K")
    assert as_gtin != as_ref
    assert b"\ngtin=" in as_gtin and b"\nref=" in as_ref


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"gtin": GTIN, "product_ref": PRODUCT_REF}, InvalidField),
        ({}, InvalidField),
        ({"gtin": "9506000134353"}, InvalidGTIN),
        ({"gtin": GTIN, "lot": "a\nb"}, InvalidField),
        ({"gtin": GTIN, "serial": "7Q2MX9KD4RTI"}, InvalidField),
        ({"gtin": GTIN, "key_id": "7K\n"}, InvalidField),
        ({"gtin": GTIN, "issuer": "VN CB"}, InvalidField),
    ],
)
def test_payload_refuses_invalid_fields(fields: dict[str, str], error: type[Exception]) -> None:
    arguments = {"issuer": ISSUER, "lot": LOT, "serial": "7Q2MX9KD4RTZ", "key_id": "7K"}
    arguments.update(fields)
    with pytest.raises(error):
        signing_payload(arguments.pop("issuer"), **arguments)


def test_every_code_from_sign_many_verifies_genuine(
    signer: CodeSigner, keyset: PublicKeySet
) -> None:
    serials = new_serials(500)
    signed = list(signer.sign_many(gtin=GTIN, lot=LOT, serials=serials))
    assert [serial for serial, _ in signed] == serials
    for serial, uri in signed:
        result = verify_code(uri, keyset)
        assert result.verdict is Verdict.GENUINE, result.detail
        assert result.code is not None and result.code.serial == serial


def test_non_gtin_codes_verify_genuine(ref_codes: list[str], keyset: PublicKeySet) -> None:
    assert {verify_code(uri, keyset).verdict for uri in ref_codes} == {Verdict.GENUINE}


def test_sign_and_sign_many_agree(signer: CodeSigner) -> None:
    serial = new_serial()
    assert (
        signer.sign(product_ref=PRODUCT_REF, lot=LOT, serial=serial)
        == next(signer.sign_many(product_ref=PRODUCT_REF, lot=LOT, serials=[serial]))[1]
    )


def test_sign_many_checks_constant_fields_before_iterating(signer: CodeSigner) -> None:
    with pytest.raises(InvalidField):
        signer.sign_many(gtin=GTIN, lot="../x", serials=[])
    signed = signer.sign_many(gtin=GTIN, lot=LOT, serials=[new_serial(), "bad serial"])
    next(signed)
    with pytest.raises(InvalidField, match="serial"):
        next(signed)


def test_the_base_url_is_not_signed(
    signer: CodeSigner, keyset: PublicKeySet, gtin_codes: list[str]
) -> None:
    moved = "https://truy-xuat.example.org/v2" + gtin_codes[0][len(BASE_URL) :]
    assert verify_code(moved, keyset).verdict is Verdict.GENUINE


def test_signer_validates_its_settings(active_key: Ed25519PrivateKey) -> None:
    with pytest.raises(InvalidField):
        CodeSigner(active_key, "7", ISSUER, BASE_URL)
    with pytest.raises(InvalidField):
        CodeSigner(active_key, "7K", "", BASE_URL)
    with pytest.raises(InvalidField):
        CodeSigner(active_key, "7K", ISSUER, "trace.caobang.vn")
    with pytest.raises(TypeError):
        CodeSigner(b"\x01" * 32, "7K", ISSUER, BASE_URL)  # type: ignore[arg-type]


def test_signer_repr_shows_no_key_material(signer: CodeSigner) -> None:
    assert repr(signer) == (
        f"CodeSigner(key_id='{ACTIVE_KID}', issuer='{ISSUER}', base_url='{BASE_URL}')"
    )


def test_new_serials_are_unique_random_crockford_strings() -> None:
    # How fast they come is measured by benchmarks/bench_signing.py, not here.
    serials = new_serials(100_000)
    assert len(serials) == len(set(serials)) == 100_000
    assert all(len(s) == 12 and set(s) <= set(SERIAL_ALPHABET) for s in serials)
    # Every character appears at every position: no position is fixed or biased away.
    for position in range(12):
        assert {s[position] for s in serials[:5000]} == set(SERIAL_ALPHABET)
    assert new_serials(0) == [] and len(new_serials(3)) == 3
    assert new_serials(10) != new_serials(10)


@pytest.mark.parametrize("n", [-1, 1.5, "3"])
def test_new_serials_refuses_a_bad_count(n: object) -> None:
    with pytest.raises(ValueError):
        new_serials(n)  # type: ignore[arg-type]
