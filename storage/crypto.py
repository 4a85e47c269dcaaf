"""Encryption of personal fields in the application (AES-GCM), with a key id for rotation.

A value is bound to where it is stored (associated data: table and row key), so a ciphertext
copied to another row does not decrypt there.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted: a wrong or missing key, or tampering."""


@dataclass(frozen=True)
class DataKey:
    key_id: str
    secret: bytes


def parse_keys(spec: str) -> list[DataKey]:
    """'k2:BASE64,k1:BASE64' — the first key encrypts, all of them decrypt."""
    keys = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, _, encoded = item.partition(":")
        secret = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        if len(secret) != 32 or not key_id or len(key_id) > 32:
            raise ValueError("each data key must be 'id:' followed by 32 bytes in base64")
        keys.append(DataKey(key_id, secret))
    if not keys:
        raise ValueError("no data key given")
    return keys


def new_key_spec(key_id: str = "k1") -> str:
    return f"{key_id}:" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


class FieldCipher:
    def __init__(self, keys: list[DataKey]) -> None:
        if not keys:
            raise ValueError("no data key given")
        self._current = keys[0]
        self._by_id = {k.key_id: AESGCM(k.secret) for k in keys}
        self._keys = tuple(keys)

    @property
    def current_key_id(self) -> str:
        """The id of the key that encrypts (the first one given)."""
        return self._current.key_id

    def derived_keys(self, purpose: str) -> list[bytes]:
        """A 32-byte key for another use (`purpose`, e.g. keyed hashes) from each data key
        (HKDF-SHA256), the current key's first. The data keys themselves never leave here."""
        return [
            HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose.encode()).derive(k.secret)
            for k in self._keys
        ]

    def encrypt(self, value: Any, context: str) -> bytes:
        plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        nonce = os.urandom(_NONCE_BYTES)
        key_id = self._current.key_id.encode()
        sealed = self._by_id[self._current.key_id].encrypt(nonce, plaintext, context.encode())
        return _VERSION + bytes([len(key_id)]) + key_id + nonce + sealed

    def decrypt(self, blob: bytes, context: str) -> Any:
        try:
            if blob[:1] != _VERSION:
                raise DecryptionError("unknown format")
            id_len = blob[1]
            key_id = blob[2 : 2 + id_len].decode()
            rest = blob[2 + id_len :]
            aead = self._by_id.get(key_id)
            if aead is None:
                raise DecryptionError(f"no key with id {key_id!r}")
            plaintext = aead.decrypt(rest[:_NONCE_BYTES], rest[_NONCE_BYTES:], context.encode())
        except DecryptionError:
            raise
        except Exception as exc:  # the library's InvalidTag, or a truncated blob
            raise DecryptionError("cannot decrypt") from exc
        return json.loads(plaintext)


def key_id_of(blob: bytes) -> str:
    """The id of the key a stored value was encrypted with (read without decrypting)."""
    if blob[:1] != _VERSION or len(blob) < 2:
        raise DecryptionError("unknown format")
    id_len = blob[1]
    try:
        return blob[2 : 2 + id_len].decode()
    except UnicodeDecodeError as exc:
        raise DecryptionError("unknown format") from exc
