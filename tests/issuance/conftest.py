"""Fixtures for issuing real signed labels: a key store with one active key."""

from __future__ import annotations

import pytest

from keys.keystore import KeyStore
from keys.signing import CodeSigner
from traceapp.signing_keys import active_signer, key_store


@pytest.fixture
def keystore(test_settings) -> KeyStore:
    store = key_store(test_settings)
    store.generate()
    return store


@pytest.fixture
def signer(test_settings, keystore) -> CodeSigner:
    return active_signer(test_settings)


@pytest.fixture
def keyset(test_settings, keystore):
    return keystore.public_keyset(test_settings.issuer)
