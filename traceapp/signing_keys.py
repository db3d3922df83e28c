"""The issuer's key store as configured for this instance."""

from __future__ import annotations

from keys.keystore import KeyStore
from keys.signing import CodeSigner
from traceapp.config import Settings


def key_store(settings: Settings) -> KeyStore:
    return KeyStore(settings.keys_dir, settings.key_passphrase.encode("utf-8"))


def active_signer(settings: Settings) -> CodeSigner:
    """The signer for new labels; raises KeyStoreError if no key is active."""
    return key_store(settings).active_signer(settings.issuer, settings.public_base_url)
