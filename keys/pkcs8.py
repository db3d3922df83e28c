"""Encrypted PKCS#8 private keys with a chosen PBKDF2 work factor.

`cryptography` writes encrypted PKCS#8 only with OpenSSL's default of 2,048
PBKDF2 iterations (its encryption builder takes a round count for OpenSSH and
PKCS#12 only). This module writes the same standard structure (RFC 8018 PBES2:
PBKDF2-HMAC-SHA256 and AES-256-CBC, RFC 5958 EncryptedPrivateKeyInfo) with as
many iterations as asked, using `cryptography` for every primitive. Reading is
left to `cryptography.hazmat.primitives.serialization.load_pem_private_key`
(OpenSSL), which reads these keys and older ones alike.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

# OWASP Password Storage Cheat Sheet (2023 and since): PBKDF2-HMAC-SHA256, 600,000.
PBKDF2_ROUNDS = 600_000
SALT_BYTES = 16

_PBES2 = bytes.fromhex("06092a864886f70d01050d")  # 1.2.840.113549.1.5.13
_PBKDF2 = bytes.fromhex("06092a864886f70d01050c")  # 1.2.840.113549.1.5.12
_HMAC_SHA256 = bytes.fromhex("06082a864886f70d0209")  # 1.2.840.113549.2.9
_AES256_CBC = bytes.fromhex("060960864801650304012a")  # 2.16.840.1.101.3.4.1.42
_NULL = b"\x05\x00"


def encrypt_private_key(
    private_key: Ed25519PrivateKey, passphrase: bytes, rounds: int = PBKDF2_ROUNDS
) -> bytes:
    """The key as an "ENCRYPTED PRIVATE KEY" PEM (PKCS#8, PBES2) with `rounds` iterations."""
    if rounds < 1:
        raise ValueError("rounds must be a positive number")
    plain = private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    salt, iv = os.urandom(SALT_BYTES), os.urandom(16)
    key = PBKDF2HMAC(hashes.SHA256(), 32, salt, rounds).derive(passphrase)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    pbkdf2_params = _sequence(_octets(salt), _integer(rounds), _sequence(_HMAC_SHA256, _NULL))
    pbes2_params = _sequence(_sequence(_PBKDF2, pbkdf2_params), _sequence(_AES256_CBC, _octets(iv)))
    der = _sequence(_sequence(_PBES2, pbes2_params), _octets(encrypted))
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return (
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
        + "\n".join(lines)
        + "\n-----END ENCRYPTED PRIVATE KEY-----\n"
    ).encode("ascii")


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    encoded = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(encoded)]) + encoded


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


def _sequence(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _octets(data: bytes) -> bytes:
    return _tlv(0x04, data)


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))
