"""The issuer's private signing keys on disk, encrypted at rest.

Layout of the key directory (mode 0700):

    keys.json   index of every key ever made: kid, status, dates, public key (0600)
    {kid}.pem   the private key as PKCS#8 PEM, encrypted with the passphrase (0600;
                PBKDF2-HMAC-SHA256 with keys/pkcs8.py's PBKDF2_ROUNDS iterations and
                AES-256-CBC; keys written with fewer iterations stay readable)

The passphrase comes from the caller (the CLI reads TRACEAPP_KEY_PASSPHRASE); it is
needed to generate and to sign, not to list keys or export the public key set.
Nothing here prints or logs private key material.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from keys.fields import SERIAL_ALPHABET, check_key_id
from keys.keyset import KeyStatus, PublicKey, PublicKeySet, decode_public_key, encode_public_key
from keys.pkcs8 import PBKDF2_ROUNDS, encrypt_private_key
from keys.signing import CodeSigner

try:  # POSIX; without it (Windows) concurrent writers are not serialised.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

PASSPHRASE_ENV = "TRACEAPP_KEY_PASSPHRASE"
INDEX_FILE = "keys.json"
LOCK_FILE = ".lock"
INDEX_FORMAT = 1
# A long passphrase on top of the PBKDF2 work factor.
MIN_PASSPHRASE_LENGTH = 12
# Decrypting a key costs PBKDF2_ROUNDS iterations (about 0.4 s): each process keeps
# the keys it has decrypted, keyed by the file's bytes and a MAC of the passphrase,
# so a wrong passphrase or a changed file is never answered from here.
_decrypted: dict[tuple[bytes, bytes], Ed25519PrivateKey] = {}
_DECRYPTED_KEPT = 16
# Key ids: two Crockford base32 characters, drawn at random among ids never used here.
KEY_ID_ALPHABET = SERIAL_ALPHABET
ALL_KEY_IDS = tuple(a + b for a in KEY_ID_ALPHABET for b in KEY_ID_ALPHABET)


class KeyStoreError(Exception):
    """A key store operation cannot be done; the message says why and what to do."""


class KeyIndexMissing(KeyStoreError):
    """The store has no index: no keys.json, or no key directory at all.

    A new store looks like this, and so does a lost, unmounted or misplaced one (a
    wrong directory); only a caller that knows whether keys must exist can tell which.
    """


def utc_now() -> str:
    """The current UTC time as ISO 8601 to the second, e.g. 2025-01-31T08:00:00Z."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class KeyInfo:
    """What the index records about one key; never any private material."""

    kid: str
    created_at: str
    status: KeyStatus
    public_key: str
    retired_at: str | None = None
    revoked_at: str | None = None

    def to_public_key(self) -> PublicKey:
        """The entry for this key in the public key set."""
        return PublicKey(
            kid=self.kid,
            public_key=decode_public_key(self.public_key),
            status=self.status,
            created=self.created_at,
            revoked_at=self.revoked_at,
        )

    def to_record(self) -> dict[str, Any]:
        """The JSON object stored in the index."""
        return {
            "kid": self.kid,
            "created_at": self.created_at,
            "status": self.status.value,
            "x": self.public_key,
            "retired_at": self.retired_at,
            "revoked_at": self.revoked_at,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> KeyInfo:
        """Read one index entry; raises KeyError, TypeError or ValueError if damaged."""
        return cls(
            kid=check_key_id(record["kid"]),
            created_at=record["created_at"],
            status=KeyStatus(record["status"]),
            public_key=record["x"],
            retired_at=record.get("retired_at"),
            revoked_at=record.get("revoked_at"),
        )


class KeyStore:
    """The issuer's signing keys in `directory`, encrypted with `passphrase`."""

    def __init__(self, directory: Path, passphrase: bytes | None = None) -> None:
        """Nothing is read or created until a method needs it."""
        self.directory = Path(directory)
        self._passphrase = passphrase or None

    def __repr__(self) -> str:
        """The directory only: the passphrase is never shown."""
        return f"KeyStore({str(self.directory)!r})"

    def list(self) -> builtins.list[KeyInfo]:
        """Every key ever made here, oldest first."""
        return self._read_index()

    def active(self) -> KeyInfo | None:
        """The key new labels are signed with, if there is one."""
        return next((k for k in self._read_index() if k.status is KeyStatus.ACTIVE), None)

    def generate(self) -> KeyInfo:
        """Make the first signing key, active at once.

        Refuses (KeyStoreError) if a key is already active: use rotate() for that.
        """
        passphrase = self._require_passphrase(new_key=True)
        with self._locked():
            infos = self._read_index()
            active = [k.kid for k in infos if k.status is KeyStatus.ACTIVE]
            if active:
                raise KeyStoreError(f"key {active[0]} is already active; rotate to replace it")
            self._check_passphrase(infos)
            info = self._new_key(infos, passphrase)
            self._write_index([*infos, info])
        return info

    def rotate(self) -> KeyInfo:
        """Make a new active key; the previous active key becomes retired.

        Labels signed with a retired key keep verifying as genuine.
        """
        passphrase = self._require_passphrase(new_key=True)
        with self._locked():
            infos = self._read_index()
            # A wrong passphrase must not retire the good key for one nobody can use
            # alongside the others.
            self._check_passphrase(infos)
            now = utc_now()
            infos = [
                replace(k, status=KeyStatus.RETIRED, retired_at=now)
                if k.status is KeyStatus.ACTIVE
                else k
                for k in infos
            ]
            info = self._new_key(infos, passphrase)
            self._write_index([*infos, info])
        return info

    def revoke(self, kid: str) -> KeyInfo:
        """Mark key `kid` revoked: every label it signed then verifies as REVOKED_KEY.

        Revoking the active key leaves no active key until the next rotate().
        Its id is never given to another key.
        """
        with self._locked(create=False):
            infos = self._read_index()
            found = [k for k in infos if k.kid == kid]
            if not found:
                raise KeyStoreError(f"there is no key {kid!r} in {self.directory}")
            if found[0].status is KeyStatus.REVOKED:
                raise KeyStoreError(f"key {kid} is already revoked")
            revoked = replace(found[0], status=KeyStatus.REVOKED, revoked_at=utc_now())
            self._write_index([revoked if k.kid == kid else k for k in infos])
        return revoked

    def active_signer(self, issuer: str, base_url: str) -> CodeSigner:
        """A CodeSigner with the active key; KeyStoreError if none or the passphrase is wrong.

        A bad issuer id or base URL raises InvalidField (a ValueError).
        """
        kid, private_key = self.active_private_key()
        return CodeSigner(private_key, kid, issuer, base_url)

    def active_private_key(self) -> tuple[str, Ed25519PrivateKey]:
        """(key id, private key) of the active key, e.g. for signed statements.

        KeyStoreError if no key is active or the passphrase is wrong.
        """
        info = self.active()
        if info is None:
            raise KeyStoreError(
                f"no active signing key in {self.directory}: generate one (traceapp keys generate)"
            )
        return info.kid, self._private_key(info)

    def check_passphrase(self) -> KeyInfo | None:
        """Decrypt the key the passphrase must open (the active key, else the newest
        usable one): KeyStoreError with a clear message if it cannot. Returns that key's
        info, or None when there is no key yet."""
        return self._check_passphrase(self._read_index())

    def _check_passphrase(self, infos: builtins.list[KeyInfo]) -> KeyInfo | None:
        usable = [k for k in infos if k.status is not KeyStatus.REVOKED]
        active = [k for k in usable if k.status is KeyStatus.ACTIVE]
        current = (active or usable[-1:])[0] if (active or usable) else None
        if current is not None:
            self._private_key(current)
        return current

    def _private_key(self, info: KeyInfo) -> Ed25519PrivateKey:
        passphrase = self._require_passphrase()
        try:
            pem = (self.directory / f"{info.kid}.pem").read_bytes()
        except OSError as exc:
            raise KeyStoreError(f"cannot read key {info.kid}: {exc.strerror}") from None
        cache_key = _cache_key(pem, passphrase)
        private_key = _decrypted.get(cache_key)
        if private_key is None:
            try:
                loaded = load_pem_private_key(pem, password=passphrase)
            except (ValueError, TypeError):
                raise KeyStoreError(
                    f"cannot decrypt key {info.kid}: wrong passphrase in {PASSPHRASE_ENV}?"
                ) from None
            if not isinstance(loaded, Ed25519PrivateKey):
                raise KeyStoreError(f"{info.kid}.pem does not hold an Ed25519 key")
            private_key = _remember(cache_key, loaded)
        if encode_public_key(private_key.public_key()) != info.public_key:
            raise KeyStoreError(f"{info.kid}.pem does not hold the key listed in {INDEX_FILE}")
        return private_key

    def public_keyset(self, issuer: str, *, missing_ok: bool = True) -> PublicKeySet:
        """The public key document for verifiers: every key, with its status.

        A store with no index is a new store with no key yet, unless `missing_ok` is
        False: then KeyIndexMissing, for a caller that knows keys must exist.
        """
        infos = self._read_index(missing_ok=missing_ok)
        return PublicKeySet(issuer, [info.to_public_key() for info in infos])

    def _require_passphrase(self, new_key: bool = False) -> bytes:
        if not self._passphrase:
            raise KeyStoreError(
                f"no key passphrase: set {PASSPHRASE_ENV} to the passphrase "
                "that encrypts the signing keys"
            )
        if new_key and len(self._passphrase) < MIN_PASSPHRASE_LENGTH:
            raise KeyStoreError(
                f"{PASSPHRASE_ENV} is too short to protect a new key: use at "
                f"least {MIN_PASSPHRASE_LENGTH} characters"
            )
        return self._passphrase

    def _new_key(self, infos: builtins.list[KeyInfo], passphrase: bytes) -> KeyInfo:
        kid = self._unused_key_id(infos)
        private_key = Ed25519PrivateKey.generate()
        pem = encrypt_private_key(private_key, passphrase, PBKDF2_ROUNDS)
        self._write_private(self.directory / f"{kid}.pem", pem)
        _remember(_cache_key(pem, passphrase), private_key)
        return KeyInfo(
            kid=kid,
            created_at=utc_now(),
            status=KeyStatus.ACTIVE,
            public_key=encode_public_key(private_key.public_key()),
        )

    def _unused_key_id(self, infos: builtins.list[KeyInfo]) -> str:
        used = {k.kid for k in infos} | {p.stem for p in self.directory.glob("*.pem")}
        free = [kid for kid in ALL_KEY_IDS if kid not in used]
        if not free:
            raise KeyStoreError("all 1,024 key ids are used up")
        return secrets.choice(free)

    def _read_index(self, missing_ok: bool = True) -> builtins.list[KeyInfo]:
        path = self.directory / INDEX_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if missing_ok:
                return []
            no_directory = "" if self.directory.is_dir() else ", nor does its directory"
            raise KeyIndexMissing(f"{path} does not exist{no_directory}") from None
        except OSError as exc:
            raise KeyStoreError(f"cannot read {path}: {exc.strerror}") from None
        try:
            document = json.loads(text)
            return [KeyInfo.from_record(record) for record in document["keys"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyStoreError(
                f"{path} is damaged ({exc.__class__.__name__}); restore it from a backup"
            ) from None

    def _write_index(self, infos: builtins.list[KeyInfo]) -> None:
        document = {"format": INDEX_FORMAT, "keys": [info.to_record() for info in infos]}
        data = (json.dumps(document, indent=2) + "\n").encode("utf-8")
        temporary = self.directory / f".{INDEX_FILE}.{secrets.token_hex(4)}.tmp"
        self._write_private(temporary, data)
        os.replace(temporary, self.directory / INDEX_FILE)
        _fsync_directory(self.directory)

    @staticmethod
    def _write_private(path: Path, data: bytes) -> None:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())

    @contextmanager
    def _locked(self, create: bool = True) -> Iterator[None]:
        if not self.directory.is_dir():
            if not create:
                raise KeyStoreError(f"there are no keys in {self.directory}")
            self.directory.mkdir(parents=True, mode=0o700)
            os.chmod(self.directory, 0o700)
        descriptor = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)


def _cache_key(pem: bytes, passphrase: bytes) -> tuple[bytes, bytes]:
    return hashlib.sha256(pem).digest(), hmac.new(pem, passphrase, hashlib.sha256).digest()


def _remember(cache_key: tuple[bytes, bytes], key: Ed25519PrivateKey) -> Ed25519PrivateKey:
    if len(_decrypted) >= _DECRYPTED_KEPT:
        _decrypted.pop(next(iter(_decrypted)))
    _decrypted[cache_key] = key
    return key


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
