"""Fixtures for the keys/ tests: signers, key sets and key stores on temporary paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.keyset import KeyStatus, PublicKey, PublicKeySet
from keys.keystore import KeyStore
from keys.signing import CodeSigner, new_serials

ISSUER = "VN-CB-LMHTX"
# 25 characters: the size the QR budget is stated for.
BASE_URL = "https://trace.cao-bang.vn"
GTIN = "09506000134352"
PRODUCT_REF = "BH-EGG-HERB"
LOT = "BH-2025.03_A"
PASSPHRASE = b"correct horse battery staple"
ACTIVE_KID, RETIRED_KID, REVOKED_KID = "7K", "3Q", "X9"

assert len(BASE_URL) == 25


def _key(seed: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)


@pytest.fixture(scope="session")
def active_key() -> Ed25519PrivateKey:
    return _key(1)


@pytest.fixture(scope="session")
def retired_key() -> Ed25519PrivateKey:
    return _key(2)


@pytest.fixture(scope="session")
def revoked_key() -> Ed25519PrivateKey:
    return _key(3)


@pytest.fixture(scope="session")
def signer(active_key: Ed25519PrivateKey) -> CodeSigner:
    return CodeSigner(active_key, ACTIVE_KID, ISSUER, BASE_URL)


@pytest.fixture(scope="session")
def keyset(
    active_key: Ed25519PrivateKey, retired_key: Ed25519PrivateKey, revoked_key: Ed25519PrivateKey
) -> PublicKeySet:
    return PublicKeySet(
        ISSUER,
        [
            PublicKey(
                RETIRED_KID, retired_key.public_key(), KeyStatus.RETIRED, "2024-01-05T02:00:00Z"
            ),
            PublicKey(
                REVOKED_KID,
                revoked_key.public_key(),
                KeyStatus.REVOKED,
                "2024-06-01T02:00:00Z",
                revoked_at="2024-09-09T09:00:00Z",
            ),
            PublicKey(
                ACTIVE_KID, active_key.public_key(), KeyStatus.ACTIVE, "2025-01-05T02:00:00Z"
            ),
        ],
    )


@pytest.fixture(scope="session")
def gtin_codes(signer: CodeSigner) -> list[str]:
    """Genuine GS1-form codes, one per serial."""
    return [uri for _, uri in signer.sign_many(gtin=GTIN, lot=LOT, serials=new_serials(40))]


@pytest.fixture(scope="session")
def ref_codes(signer: CodeSigner) -> list[str]:
    """Genuine codes of a product without GTIN."""
    return [
        uri
        for _, uri in signer.sign_many(product_ref=PRODUCT_REF, lot="L1", serials=new_serials(40))
    ]


@pytest.fixture
def store(tmp_path: Path) -> KeyStore:
    return KeyStore(tmp_path / "keys", PASSPHRASE)
