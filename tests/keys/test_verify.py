from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.codes import parse_uri
from keys.keyset import PublicKeySet
from keys.signing import CodeSigner, new_serials
from keys.verify import Verdict, verify_code
from tests.keys.conftest import BASE_URL, GTIN, ISSUER, LOT, RETIRED_KID, REVOKED_KID


def _codes(key: Ed25519PrivateKey, kid: str, issuer: str = ISSUER) -> list[str]:
    signer = CodeSigner(key, kid, issuer, BASE_URL)
    return [uri for _, uri in signer.sign_many(gtin=GTIN, lot=LOT, serials=new_serials(5))]


def test_genuine_code(gtin_codes: list[str], keyset: PublicKeySet) -> None:
    result = verify_code(gtin_codes[0], keyset)
    assert result.verdict is Verdict.GENUINE and result.genuine
    assert result.code == parse_uri(gtin_codes[0])
    assert "VN-CB-LMHTX" in result.detail


def test_retired_keys_codes_stay_genuine(
    retired_key: Ed25519PrivateKey, keyset: PublicKeySet
) -> None:
    for uri in _codes(retired_key, RETIRED_KID):
        result = verify_code(uri, keyset)
        assert result.verdict is Verdict.GENUINE
        assert "retired" in result.detail


def test_revoked_keys_codes_are_revoked_key(
    revoked_key: Ed25519PrivateKey, keyset: PublicKeySet
) -> None:
    for uri in _codes(revoked_key, REVOKED_KID):
        result = verify_code(uri, keyset)
        assert result.verdict is Verdict.REVOKED_KEY and not result.genuine
        assert "2024-09-09" in result.detail


def test_unknown_key_id(keyset: PublicKeySet) -> None:
    uri = _codes(Ed25519PrivateKey.generate(), "ZZ")[0]
    result = verify_code(uri, keyset)
    assert result.verdict is Verdict.UNKNOWN_KEY
    assert result.code is not None and result.code.key_id == "ZZ"


def test_a_key_under_the_wrong_kid_is_tampered(keyset: PublicKeySet) -> None:
    uri = _codes(Ed25519PrivateKey.generate(), RETIRED_KID)[0]
    assert verify_code(uri, keyset).verdict is Verdict.TAMPERED


def test_the_issuer_is_bound(active_key: Ed25519PrivateKey, keyset: PublicKeySet) -> None:
    uri = _codes(active_key, "7K", issuer="VN-HG-LMHTX")[0]
    assert verify_code(uri, keyset).verdict is Verdict.TAMPERED


def test_signature_of_another_serial_is_tampered(
    gtin_codes: list[str], keyset: PublicKeySet
) -> None:
    first, second = gtin_codes[:2]
    swapped = first.split("?")[0] + "?" + second.split("?")[1]
    result = verify_code(swapped, keyset)
    assert result.verdict is Verdict.TAMPERED


@pytest.mark.parametrize("text", ["", "hello", "https://trace.cao-bang.vn/", None, b"bytes"])
def test_malformed_input_gives_a_verdict_not_an_exception(
    text: object, keyset: PublicKeySet
) -> None:
    result = verify_code(text, keyset)  # type: ignore[arg-type]
    assert result.verdict is Verdict.MALFORMED and result.code is None and result.detail


def test_verdict_labels() -> None:
    assert [v.label for v in Verdict] == [
        "genuine",
        "tampered",
        "unknown key",
        "revoked key",
        "malformed",
    ]
    assert Verdict.GENUINE == "genuine"
