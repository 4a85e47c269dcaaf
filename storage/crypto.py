"""Encryption of personal fields in the application (AES-GCM), with a key id for rotation.

A value is bound to where it is stored (associated data: table and row key), so a ciphertext
copied to another row does not decrypt there.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted: a wrong or missing key, or tampering."""


class DataKeyError(ValueError):
    """The data keys given cannot be used. The message names key ids and positions, never a
    key: it is printed to whoever started the bot."""


@dataclass(frozen=True)
class DataKey:
    key_id: str
    secret: bytes


# What a key id may be: it is written into every value and shown in messages, and holds none of
# TRYGGEST_DATA_KEYS' separators.
_KEY_ID = re.compile(r"[^\s,:]{1,32}")
_FORMAT = "'id:' followed by 32 bytes in base64 (`tryggest new-data-key` makes one)"


def parse_keys(spec: str, source: str = "TRYGGEST_DATA_KEYS") -> list[DataKey]:
    """'k2:BASE64,k1:BASE64' — the first key encrypts, all of them decrypt. `source` names where
    the keys came from in the error."""
    keys: list[DataKey] = []
    for position, item in enumerate((i.strip() for i in spec.split(",") if i.strip()), 1):
        key_id, colon, encoded = item.partition(":")
        if not colon or not _KEY_ID.fullmatch(key_id):
            # Without a valid id the item may be a bare key: it is not echoed.
            raise DataKeyError(f"{source}: key {position} is not {_FORMAT}.")
        try:
            secret = base64.b64decode(
                encoded + "=" * (-len(encoded) % 4), altchars=b"-_", validate=True
            )
        except ValueError:  # binascii.Error, or a character outside ASCII
            secret = b""
        if len(secret) != 32:
            raise DataKeyError(f"{source}: key {position} ({key_id}) is not {_FORMAT}.")
        if any(k.key_id == key_id for k in keys):
            raise DataKeyError(
                f"{source} lists the key id {key_id} twice: each key needs an id of its own "
                "(`tryggest new-data-key` makes one)."
            )
        keys.append(DataKey(key_id, secret))
    if not keys:
        raise DataKeyError(f"{source} holds no data key.")
    return keys


def new_key_id(today: date | None = None) -> str:
    """The day it was made and a random part, so that two keys never share an id."""
    return f"{today or datetime.now(UTC).date():%Y%m%d}-{secrets.token_hex(3)}"


def new_key_spec(key_id: str | None = None) -> str:
    key_id = key_id or new_key_id()
    return f"{key_id}:" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


class FieldCipher:
    def __init__(self, keys: list[DataKey]) -> None:
        if not keys:
            raise DataKeyError("no data key given")
        if len({k.key_id for k in keys}) != len(keys):
            # A second key under one id would silently replace the first here.
            raise DataKeyError("a key id is listed twice")
        self._current = keys[0]
        self._by_id = {k.key_id: AESGCM(k.secret) for k in keys}
        self._keys = tuple(keys)

    @property
    def current_key_id(self) -> str:
        """The id of the key that encrypts (the first one given)."""
        return self._current.key_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Every key's id, the current one first."""
        return tuple(k.key_id for k in self._keys)

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
        sealed = self._by_id[self._current.key_id].encrypt(nonce, plaintext, context.encode())
        return sealed_prefix(self._current.key_id) + nonce + sealed

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


def sealed_prefix(key_id: str) -> bytes:
    """The bytes every value sealed under `key_id` begins with (to find them in the database)."""
    encoded = key_id.encode()
    return _VERSION + bytes([len(encoded)]) + encoded


def is_sealed_head(head: bytes) -> bool:
    """Whether a value's first two bytes are this format's (its version and key id length)."""
    return len(head) == 2 and head[:1] == _VERSION
