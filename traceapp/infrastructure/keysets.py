"""The issuer's public key set, read from the key store at most every few seconds
per process: the verification page must not re-read key files on every scan."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from keys.keyset import InvalidKeySet, PublicKeySet
from keys.keystore import KeyStoreError
from traceapp.errors import Unavailable
from traceapp.infrastructure.caches import ExpiringCache

# Short enough that a revoked key shows as revoked within half a minute on every
# worker, long enough that a busy page reads the key index once per worker per TTL.
KEYSET_TTL_SECONDS = 30.0

log = logging.getLogger(__name__)


class KeysUnavailable(Unavailable):
    """The key store cannot be read: no verdict can be given (never "not genuine")."""


class KeysetCache:
    """The current public key set, as `read` gives it (signing_keys.public_keyset),
    kept KEYSET_TTL_SECONDS."""

    def __init__(
        self, read: Callable[[], PublicKeySet], seconds: float = KEYSET_TTL_SECONDS
    ) -> None:
        self._read_keyset = read
        self._cache: ExpiringCache[PublicKeySet] = ExpiringCache(seconds, maxsize=1)

    def current(self) -> PublicKeySet:
        """The key set; raises KeysUnavailable if the store cannot be read (nothing is
        kept then, so the next request tries again)."""
        return self._cache.get("keyset", self._read)

    def forget(self) -> None:
        """Read the store again on the next request (after a rotation or revocation)."""
        self._cache.clear()

    def _read(self) -> PublicKeySet:
        try:
            return self._read_keyset()
        except (KeyStoreError, InvalidKeySet, OSError, SQLAlchemyError) as exc:
            # A damaged, unreadable or missing store (or none that can be told from a
            # new one): an empty set would call every genuine label "not genuine".
            log.error("the key store cannot be read: %s", exc)
            raise KeysUnavailable(
                "verification is temporarily unavailable: the issuer's keys cannot be read"
            ) from exc
