"""The data keys given against what the database holds.

Before the bot reads or writes a personal value it proves that
- every key id the stored values are sealed under is among the keys given, and
- each key given reads what the database holds under its id: the check value sealed with it
  (table data_key_checks), or, for a key from before the check values, one stored value.
The first key's check value is written when it has none, so that the next start, and every
other instance, is held to the same key. A second key under a known id (two keys called k1) or
a missing key thus stops the bot instead of writing values that nobody can read again.
Messages name key ids, never keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import LargeBinary, delete, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.clock import utcnow
from storage.cases import personal_context, shared_text_context
from storage.casework import event_secret_context
from storage.crypto import (
    DataKeyError,
    DecryptionError,
    FieldCipher,
    is_sealed_head,
    sealed_prefix,
)
from storage.db import insert_if_absent
from storage.models import Case, CaseEvent, DataKeyCheck, DialogState
from storage.state_store import state_context

CHECK_VALUE = "tryggest data key check"


def check_context(key_id: str) -> str:
    return "data_key_checks:" + key_id


@dataclass(frozen=True)
class EncryptedColumn:
    """A column of values sealed by FieldCipher, its table's key, and how a value's encryption
    context is named."""

    key: Any
    value: Any
    context: Callable[[str], str]


PERSONAL = EncryptedColumn(Case.id, Case.personal, personal_context)
# The channel texts coordinators approved, and what people wrote in the chronology.
SHARED_TEXT = EncryptedColumn(Case.id, Case.shared_text, shared_text_context)
EVENT_SECRET = EncryptedColumn(CaseEvent.id, CaseEvent.secret, event_secret_context)
# Dialogue state: report drafts.
DIALOG_STATE = EncryptedColumn(DialogState.key, DialogState.data, state_context)
ENCRYPTED_COLUMNS = (PERSONAL, SHARED_TEXT, EVENT_SECRET, DIALOG_STATE)


class KeyCheckFailed(DataKeyError):
    """The keys given do not read the database: `needed` are the key ids to give (the one given
    wrongly, or those missing)."""

    def __init__(self, message: str, needed: tuple[str, ...], reason: str) -> None:
        super().__init__(message)
        self.needed = needed
        # A few words for the readiness endpoint.
        self.reason = reason


def _missing(needed: list[str], listed: tuple[str, ...]) -> KeyCheckFailed:
    many = len(needed) > 1
    ids = ", ".join(needed)
    return KeyCheckFailed(
        f"The database holds values sealed with the data key{'s' if many else ''} {ids}, which "
        f"{'are' if many else 'is'} not among the keys given ({', '.join(listed)}): list "
        f"{'them' if many else 'it'} after the first key.",
        tuple(needed),
        f"needs data key {ids}",
    )


def _wrong(key_id: str) -> KeyCheckFailed:
    return KeyCheckFailed(
        f"The key given as {key_id} is not the key {key_id} that the database's values were "
        f"sealed with (another key under the same id): give the original {key_id}.",
        (key_id,),
        f"data key {key_id} does not match the database",
    )


@dataclass(frozen=True)
class _Sample:
    """One stored value under a key id, and where it is stored."""

    column: EncryptedColumn
    row_key: str
    blob: bytes


async def stored_key_ids(session: AsyncSession) -> dict[str, _Sample]:
    """Every key id that stored values are sealed under, each with one such value. The ids are
    read by the database (a value begins with its key id), so no value leaves it but the
    samples."""
    found: dict[str, _Sample] = {}
    for column in ENCRYPTED_COLUMNS:
        value = column.value
        head = func.substr(value, 1, 2, type_=LargeBinary)
        heads = (await session.execute(select(head).where(value.is_not(None)).distinct())).all()
        for (raw_head,) in heads:
            if raw_head is None or not is_sealed_head(bytes(raw_head)):
                continue  # not this format: rotate-key counts it as unreadable
            head_bytes = bytes(raw_head)
            length = head_bytes[1]
            key_id_bytes = func.substr(value, 3, length, type_=LargeBinary)
            ids = (
                await session.execute(select(key_id_bytes).where(head == head_bytes).distinct())
            ).all()
            for (raw_id,) in ids:
                key_id = bytes(raw_id).decode(errors="replace")
                if key_id in found:
                    continue
                prefix = sealed_prefix(key_id)
                sample = (
                    await session.execute(
                        select(column.key, value)
                        .where(func.substr(value, 1, len(prefix), type_=LargeBinary) == prefix)
                        .limit(1)
                    )
                ).first()
                if sample is not None:
                    found[key_id] = _Sample(column, sample[0], bytes(sample[1]))
    return found


async def _checks(session: AsyncSession) -> dict[str, bytes]:
    rows = await session.execute(select(DataKeyCheck.key_id, DataKeyCheck.sealed))
    return {key_id: bytes(sealed) for key_id, sealed in rows.all()}


def _reads(cipher: FieldCipher, blob: bytes, context: str, expected: Any = None) -> bool:
    try:
        value = cipher.decrypt(blob, context)
    except DecryptionError:
        return False
    return expected is None or value == expected


def _check_reads(cipher: FieldCipher, key_id: str, sealed: bytes) -> bool:
    return _reads(cipher, sealed, check_context(key_id), CHECK_VALUE)


async def verify_data_keys(sessions: async_sessionmaker[Any], cipher: FieldCipher) -> None:
    """Prove the keys against the database (see the module's text), writing the first key's
    check value when it has none. Raises KeyCheckFailed."""
    async with sessions() as session:
        checks = await _checks(session)
        used = await stored_key_ids(session)
    needed = sorted((set(checks) | set(used)) - set(cipher.key_ids))
    if needed:
        raise _missing(needed, cipher.key_ids)
    for key_id in cipher.key_ids:
        if key_id in checks:
            if not _check_reads(cipher, key_id, checks[key_id]):
                raise _wrong(key_id)
        elif key_id in used:
            sample = used[key_id]
            if not _reads(cipher, sample.blob, sample.column.context(sample.row_key)):
                raise _wrong(key_id)
    first = cipher.current_key_id
    if first in checks:
        return
    async with sessions() as session, session.begin():
        await insert_if_absent(
            session,
            DataKeyCheck,
            {
                "key_id": first,
                "sealed": cipher.encrypt(CHECK_VALUE, check_context(first)),
                "created_at": utcnow(),
            },
        )
    # Another instance may have written its own at the same moment: the stored one counts.
    async with sessions() as session:
        stored = await session.scalar(
            select(DataKeyCheck.sealed).where(DataKeyCheck.key_id == first)
        )
    if stored is None or not _check_reads(cipher, first, bytes(stored)):
        raise _wrong(first)


async def key_check_problem(sessions: async_sessionmaker[Any], cipher: FieldCipher) -> str | None:
    """For readiness, in a few words: None when the keys read the check values. Reads only the
    check values, unless the first key has none yet (then the whole check runs once)."""
    async with sessions() as session:
        checks = await _checks(session)
    needed = sorted(set(checks) - set(cipher.key_ids))
    if needed:
        return _missing(needed, cipher.key_ids).reason
    for key_id, sealed in checks.items():
        if not _check_reads(cipher, key_id, sealed):
            return _wrong(key_id).reason
    if cipher.current_key_id not in checks:
        try:
            await verify_data_keys(sessions, cipher)
        except KeyCheckFailed as failed:
            return failed.reason
    return None


async def retire_other_checks(
    sessions: async_sessionmaker[Any], cipher: FieldCipher
) -> tuple[str, ...]:
    """After a rotation: the ids of other keys that stored values are still sealed under. When
    there are none, the other keys' check values are removed, so that a start with the first
    key alone is accepted."""
    first = cipher.current_key_id
    async with sessions() as session:
        used = await stored_key_ids(session)
    still_used = tuple(sorted(set(used) - {first}))
    if not still_used:
        async with sessions() as session, session.begin():
            await session.execute(delete(DataKeyCheck).where(DataKeyCheck.key_id != first))
    return still_used


async def holds_encrypted_data(engine: AsyncEngine) -> bool:
    """Whether the database holds any sealed value or check value: a database whose key is
    lost must not be given a new one. False for a database without the tables yet."""
    async with engine.connect() as conn:
        tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        for column in (
            *ENCRYPTED_COLUMNS,
            EncryptedColumn(DataKeyCheck.key_id, DataKeyCheck.sealed, check_context),
        ):
            if column.value.class_.__tablename__ not in tables:
                continue
            found = await conn.execute(select(column.key).where(column.value.is_not(None)).limit(1))
            if found.first() is not None:
                return True
    return False
