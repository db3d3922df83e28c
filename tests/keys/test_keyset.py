from __future__ import annotations

import copy
import json
import string

import pytest

from keys.keyset import InvalidKeySet, KeyStatus, PublicKeySet
from tests.keys.conftest import ACTIVE_KID, ISSUER, REVOKED_KID

B64URL = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def test_document_round_trips(keyset: PublicKeySet) -> None:
    document = keyset.to_dict()
    assert document["issuer"] == ISSUER
    assert [k["kid"] for k in document["keys"]] == [k.kid for k in keyset.keys]
    again = PublicKeySet.from_json(keyset.to_json())
    assert again.to_dict() == document
    assert again.get(ACTIVE_KID).x == keyset.get(ACTIVE_KID).x


def test_jwk_members(keyset: PublicKeySet) -> None:
    active = keyset.get(ACTIVE_KID).to_jwk()
    assert active == {
        "kty": "OKP",
        "crv": "Ed25519",
        "kid": ACTIVE_KID,
        "x": active["x"],
        "use": "sig",
        "alg": "EdDSA",
        "status": "active",
        "created": "2025-01-05T02:00:00Z",
    }
    assert len(active["x"]) == 43
    revoked = keyset.get(REVOKED_KID)
    assert revoked.status is KeyStatus.REVOKED
    assert revoked.to_jwk()["revoked_at"] == "2024-09-09T09:00:00Z"
    assert keyset.get("ZZ") is None


def test_unknown_members_are_ignored(keyset: PublicKeySet) -> None:
    document = keyset.to_dict()
    document["published"] = "today"
    document["keys"][0]["note"] = "kept for 2024 labels"
    assert PublicKeySet.from_dict(document).to_dict() == keyset.to_dict()


def _broken(keyset: PublicKeySet, change: str) -> dict:
    document = copy.deepcopy(keyset.to_dict())
    key = document["keys"][0]
    match change:
        case "issuer":
            document["issuer"] = "bad issuer"
        case "no keys":
            del document["keys"]
        case "kty":
            key["kty"] = "RSA"
        case "crv":
            key["crv"] = "X25519"
        case "alg":
            key["alg"] = "ES256"
        case "use":
            key["use"] = "enc"
        case "kid":
            key["kid"] = "ABC"
        case "x short":
            key["x"] = key["x"][:-1]
        case "x padded":
            key["x"] = key["x"][:-1] + "="
        case "x not canonical":
            # 43 characters carry 258 bits for 32 bytes: set an unused low bit.
            key["x"] = key["x"][:-1] + B64URL[B64URL.index(key["x"][-1]) | 1]
        case "status":
            key["status"] = "expired"
        case "created":
            key["created"] = "last spring"
        case "revoked_at":
            key["revoked_at"] = 2024
        case "duplicate":
            document["keys"].append(dict(key))
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("issuer", "issuer"),
        ("no keys", "keys list"),
        ("kty", "OKP"),
        ("crv", "Ed25519"),
        ("alg", "EdDSA"),
        ("use", "sig"),
        ("kid", "key id"),
        ("x short", "43"),
        ("x padded", "43"),
        ("x not canonical", "canonical"),
        ("status", "status"),
        ("created", "created"),
        ("revoked_at", "revoked_at"),
        ("duplicate", "twice"),
    ],
)
def test_invalid_documents_are_refused(keyset: PublicKeySet, change: str, message: str) -> None:
    with pytest.raises(InvalidKeySet, match=message):
        PublicKeySet.from_dict(_broken(keyset, change))


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"issuer": "X"}', json.dumps([1])])
def test_invalid_json_is_refused(text: str) -> None:
    with pytest.raises(InvalidKeySet):
        PublicKeySet.from_json(text)
