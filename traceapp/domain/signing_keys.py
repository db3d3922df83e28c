"""The issuer's key store as configured for this instance, and key events.

keys/ knows no database, so every change to the key store goes through here:
the store changes first, then the event is appended to the audit log in the
caller's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from keys.keyset import PublicKeySet
from keys.keystore import KeyIndexMissing, KeyInfo, KeyStore, KeyStoreError
from keys.signing import CodeSigner
from traceapp.config import ConfigError, Settings
from traceapp.domain.audit_log import record_key_event
from traceapp.errors import Conflict
from traceapp.models import AuditEntry, Label

T = TypeVar("T")
Sessions = Callable[[], AbstractContextManager[Session]]

log = logging.getLogger(__name__)


def key_store(settings: Settings) -> KeyStore:
    return KeyStore(settings.keys_dir, settings.key_passphrase.encode("utf-8"))


def active_signer(settings: Settings) -> CodeSigner:
    """The signer for new labels; raises KeyStoreError if no key is active."""
    return key_store(settings).active_signer(settings.issuer, settings.public_base_url)


def public_keyset(settings: Settings, sessions: Sessions) -> PublicKeySet:
    """The issuer's public key set, as verifiers get it.

    A key store with no index (no keys.json, or no key directory) is a new instance's
    only while no label has been issued: an empty set is then the truth. Once labels
    exist it is lost or misplaced (a wrong TRACEAPP_KEYS_DIR, an unmounted volume), and
    an empty set would call every genuine label "not genuine": KeyIndexMissing.
    """
    try:
        return key_store(settings).public_keyset(settings.issuer, missing_ok=False)
    except KeyIndexMissing:
        with sessions() as session:
            if session.scalar(select(Label.id).limit(1)) is not None:
                raise
        return PublicKeySet(settings.issuer, [])


def check_signing_keys(settings: Settings, sessions: Sessions) -> None:
    """ConfigError unless the web app can use its signing keys; it refuses to start
    rather than serve a console whose key operations all fail, or a public page that
    can only answer 503.

    TRACEAPP_KEY_PASSPHRASE must open the active signing key. In production, the key
    store must also be found once labels have been issued (`public_keyset`).
    """
    try:
        key_store(settings).check_passphrase()
    except KeyStoreError as exc:
        raise ConfigError(
            f"the signing keys in {settings.keys_dir} cannot be used: {exc} "
            "(set TRACEAPP_KEY_PASSPHRASE to the passphrase the keys were made with)"
        ) from None
    if not settings.is_production:
        return
    try:
        public_keyset(settings, sessions)
    except KeyIndexMissing as exc:
        raise ConfigError(
            f"labels have been issued but the key store cannot be found: {exc} "
            "(set TRACEAPP_KEYS_DIR, or TRACEAPP_INSTANCE_DIR, to where the keys are, "
            "or restore them from a backup)"
        ) from None
    except SQLAlchemyError as exc:
        # No database yet (not migrated, not up): the public page still fails closed.
        log.warning("cannot tell whether labels were issued: %s", exc.__class__.__name__)


def generate_key(session: Session, settings: Settings, actor: str) -> KeyInfo:
    """The first signing key (refused while one is active: rotate instead)."""
    _require_audit_log(session)
    info = _change(lambda store: store.generate(), settings)
    record_key_event(session, actor, "key.generated", info.kid)
    return info


def rotate_key(session: Session, settings: Settings, actor: str) -> KeyInfo:
    """A new active key; the current one is retired and its labels stay valid.
    With no key yet, this makes the first one."""
    _require_audit_log(session)
    previous = _change(lambda store: store.active(), settings)
    if previous is None and not _change(lambda store: store.list(), settings):
        return generate_key(session, settings, actor)
    info = _change(lambda store: store.rotate(), settings)
    record_key_event(
        session, actor, "key.rotated", info.kid, {"retired": previous.kid if previous else None}
    )
    return info


def revoke_key(session: Session, settings: Settings, kid: str, reason: str, actor: str) -> KeyInfo:
    """Revoke `kid`: labels it signed then verify as "revoked key"."""
    _require_audit_log(session)
    info = _change(lambda store: store.revoke(kid), settings)
    record_key_event(session, actor, "key.revoked", info.kid, {"reason": reason})
    return info


def _require_audit_log(session: Session) -> None:
    # The key store cannot be rolled back with the database: make sure the event can
    # be logged before anything is written to it.
    try:
        with session.begin_nested():
            session.execute(select(AuditEntry.id).limit(1))
    except DBAPIError as exc:
        raise Conflict(
            "the database is not ready for key changes (has `traceapp db upgrade` run?): %(error)s",
            error=exc.orig.__class__.__name__,
        ) from None


def _change(action: Callable[[KeyStore], T], settings: Settings) -> T:
    try:
        return action(key_store(settings))
    except (KeyStoreError, ValueError) as exc:
        raise key_store_refusal(exc) from exc


def key_store_refusal(exc: Exception) -> Conflict:
    """The key store refused: its reason (keys/keystore.py, English, naming files and
    key ids) is for the operator's log and the CLI; the console says what to do."""
    return Conflict(
        "the signing keys cannot be changed or read now: %(reason)s; run `traceapp keys list` "
        "on the server to see why",
        reason=str(exc),
    )
