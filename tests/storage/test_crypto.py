"""Personal fields are sealed with AES-GCM under a key id, bound to where they are stored."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from storage.crypto import (
    DataKey,
    DataKeyError,
    DecryptionError,
    FieldCipher,
    new_key_id,
    new_key_spec,
    parse_keys,
)
from tests.conftest import DATA_KEY

DRAFT = {"person_name": "Kari Nordmann", "birth": {"year": 1941, "month": 3, "day": 12}}
CONTEXT = "cases.personal:case-1"


def cipher(spec: str = DATA_KEY) -> FieldCipher:
    return FieldCipher(parse_keys(spec))


def test_a_value_decrypts_to_what_was_encrypted() -> None:
    sealed = cipher().encrypt(DRAFT, CONTEXT)
    assert cipher().decrypt(sealed, CONTEXT) == DRAFT


def test_the_ciphertext_does_not_contain_the_plaintext() -> None:
    sealed = cipher().encrypt(DRAFT, CONTEXT)
    assert b"Kari" not in sealed
    assert b"Nordmann" not in sealed


def test_the_same_value_encrypts_differently_each_time() -> None:
    assert cipher().encrypt(DRAFT, CONTEXT) != cipher().encrypt(DRAFT, CONTEXT)


def test_after_rotation_values_written_with_the_old_key_still_decrypt() -> None:
    old, new = new_key_spec("k1"), new_key_spec("k2")
    sealed = cipher(old).encrypt(DRAFT, CONTEXT)
    assert cipher(f"{new},{old}").decrypt(sealed, CONTEXT) == DRAFT


def test_after_rotation_new_values_are_written_with_the_first_key() -> None:
    old, new = new_key_spec("k1"), new_key_spec("k2")
    sealed = cipher(f"{new},{old}").encrypt(DRAFT, CONTEXT)
    assert cipher(new).decrypt(sealed, CONTEXT) == DRAFT
    with pytest.raises(DecryptionError):
        cipher(old).decrypt(sealed, CONTEXT)


def test_a_value_under_a_key_no_longer_held_does_not_decrypt() -> None:
    sealed = cipher(new_key_spec("k1")).encrypt(DRAFT, CONTEXT)
    with pytest.raises(DecryptionError):
        cipher(new_key_spec("k2")).decrypt(sealed, CONTEXT)


def test_a_different_key_under_the_same_id_does_not_decrypt() -> None:
    sealed = cipher(new_key_spec("k1")).encrypt(DRAFT, CONTEXT)
    with pytest.raises(DecryptionError):
        cipher(new_key_spec("k1")).decrypt(sealed, CONTEXT)


def test_a_tampered_value_does_not_decrypt() -> None:
    sealed = bytearray(cipher().encrypt(DRAFT, CONTEXT))
    sealed[-1] ^= 0x01
    with pytest.raises(DecryptionError):
        cipher().decrypt(bytes(sealed), CONTEXT)


def test_a_truncated_value_does_not_decrypt() -> None:
    sealed = cipher().encrypt(DRAFT, CONTEXT)
    with pytest.raises(DecryptionError):
        cipher().decrypt(sealed[:20], CONTEXT)


def test_a_value_of_an_unknown_format_does_not_decrypt() -> None:
    sealed = cipher().encrypt(DRAFT, CONTEXT)
    with pytest.raises(DecryptionError):
        cipher().decrypt(b"\x02" + sealed[1:], CONTEXT)


def test_a_value_read_in_another_context_does_not_decrypt() -> None:
    sealed = cipher().encrypt(DRAFT, CONTEXT)
    with pytest.raises(DecryptionError):
        cipher().decrypt(sealed, "cases.personal:case-2")


def test_parse_keys_reads_every_key_first_one_first() -> None:
    keys = parse_keys(f"{new_key_spec('k2')}, {new_key_spec('k1')}")
    assert [k.key_id for k in keys] == ["k2", "k1"]
    assert all(len(k.secret) == 32 for k in keys)


@pytest.mark.parametrize("length", [16, 31, 33, 64])
def test_parse_keys_rejects_a_key_of_the_wrong_length(length: int) -> None:
    encoded = base64.urlsafe_b64encode(bytes(length)).decode()
    with pytest.raises(ValueError):
        parse_keys(f"k1:{encoded}")


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("", id="empty"),
        pytest.param(" , ", id="only-separators"),
        pytest.param(":" + "A" * 43, id="no-key-id"),
        pytest.param("k" * 33 + ":" + "A" * 43, id="key-id-too-long"),
    ],
)
def test_parse_keys_rejects_a_malformed_spec(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_keys(spec)


def test_a_cipher_needs_a_key() -> None:
    with pytest.raises(ValueError):
        FieldCipher([])


def test_the_same_key_id_twice_is_refused_naming_the_id_and_not_the_keys() -> None:
    new, old = new_key_spec("k1"), new_key_spec("k1")
    with pytest.raises(DataKeyError) as refused:
        parse_keys(f"{new},{old}")
    assert "k1 twice" in str(refused.value)
    assert new.split(":")[1] not in str(refused.value)
    assert old.split(":")[1] not in str(refused.value)


def test_a_cipher_refuses_two_keys_under_one_id() -> None:
    with pytest.raises(DataKeyError):
        FieldCipher([DataKey("k1", b"1" * 32), DataKey("k1", b"2" * 32)])


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("k1:" + "A" * 20, id="too-short"),
        pytest.param("A" * 43, id="no-id"),
        pytest.param("k1:" + "Å" * 43, id="not-ascii"),
        pytest.param("k1:" + "A" * 42 + "*", id="not-base64"),
    ],
)
def test_a_malformed_key_is_named_by_its_place_and_never_shown(spec: str) -> None:
    with pytest.raises(DataKeyError) as refused:
        parse_keys(f"{new_key_spec('k0')},{spec}")
    message = str(refused.value)
    assert "key 2" in message and "\n" not in message
    assert spec.rpartition(":")[2] not in message


def test_each_new_key_has_an_id_of_its_own_beginning_with_the_day() -> None:
    ids = {new_key_spec().partition(":")[0] for _ in range(50)}
    assert len(ids) == 50
    assert new_key_id(date(2026, 11, 29)).startswith("20261129-")


def test_a_new_key_reads_back_as_one_32_byte_key() -> None:
    [key] = parse_keys(new_key_spec())
    assert len(key.secret) == 32
