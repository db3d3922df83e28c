"""The issuer's public key set, read from the key store at most every few seconds
per process: the verification page must not re-read key files on every scan."""

from __future__ import annotations

import threading
import time

from keys.keyset import InvalidKeySet, PublicKeySet
from keys.keystore import KeyStoreError
from traceapp.config import Settings
from traceapp.domain.signing_keys import key_store

# Short enough that a revoked key shows as revoked within half a minute on every
# worker, long enough that a busy page reads the key index once per worker per TTL.
KEYSET_TTL_SECONDS = 30.0

_cache: dict[tuple[str, str], tuple[float, PublicKeySet]] = {}
_lock = threading.Lock()


def current_keyset(settings: Settings) -> PublicKeySet:
    """The instance's public key set; an empty set if the store cannot be read."""
    cache_key = (str(settings.keys_dir), settings.issuer)
    now = time.monotonic()
    cached = _cache.get(cache_key)
    if cached is not None and cached[0] > now:
        return cached[1]
    with _lock:
        try:
            keyset = key_store(settings).public_keyset(settings.issuer)
        except (KeyStoreError, InvalidKeySet):
            # No readable keys: every code then verifies as signed by an unknown key.
            keyset = PublicKeySet(settings.issuer, [])
        _cache[cache_key] = (now + KEYSET_TTL_SECONDS, keyset)
    return keyset


def forget_keysets() -> None:
    """Drop every cached key set (after a rotation or revocation in this process)."""
    with _lock:
        _cache.clear()
