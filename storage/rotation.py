"""Key rotation: re-encrypt every stored personal value with the current (first) data key.

The keys are proven against the database first (storage/data_keys.py): a first key that is not
the one its id stands for would otherwise seal values beside others under the same id that it
cannot read. Every value is then decrypted, also one already under the current key, so that
what is counted has been read, and written back with the first key, in small transactions, so
the bot can keep running. A value already under the current key is left as it is, which makes
a second run harmless. Nothing here logs or prints a value.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.cases import personal_context
from storage.crypto import DecryptionError, FieldCipher, key_id_of
from storage.data_keys import (
    DIALOG_STATE,
    EVENT_SECRET,
    PERSONAL,
    SHARED_TEXT,
    EncryptedColumn,
    retire_other_checks,
    verify_data_keys,
)
from storage.models import Case, DialogState
from storage.name_digests import NameDigests

DEFAULT_BATCH_SIZE = 200


@dataclass
class RotationCount:
    """What happened to one table's values."""

    rotated: int = 0
    # Read with the current key, so left as they are.
    already_current: int = 0
    # Not decrypted by any listed key, so not re-encrypted: the run must be repeated with the
    # missing key listed.
    unreadable: int = 0
    # Changed by someone else between read and write (a dialogue turn): written with the
    # current key by that writer already.
    changed_meanwhile: int = 0


@dataclass
class RotationReport:
    key_id: str
    cases: RotationCount
    dialog_state: RotationCount
    # The channel texts coordinators approved, and what people wrote in the chronology (notes,
    # questions to the reporter, answers).
    shared_texts: RotationCount = field(default_factory=RotationCount)
    chronology: RotationCount = field(default_factory=RotationCount)
    # Cases whose names the channel guard knows again under the current key.
    name_digests: int = 0
    # Other keys that stored values are still sealed under after the run (their check values
    # are removed once there are none).
    still_under: tuple[str, ...] = ()

    @property
    def counts(self) -> tuple[RotationCount, ...]:
        return (self.cases, self.dialog_state, self.shared_texts, self.chronology)

    @property
    def unreadable(self) -> int:
        return sum(count.unreadable for count in self.counts)

    @property
    def complete(self) -> bool:
        return not self.unreadable

    @property
    def all_current(self) -> bool:
        """Every value was read with the current key and none needed re-encrypting."""
        return not any(
            count.rotated or count.unreadable or count.changed_meanwhile for count in self.counts
        )


async def rotate_keys(
    sessions: async_sessionmaker[Any], cipher: FieldCipher, batch_size: int = DEFAULT_BATCH_SIZE
) -> RotationReport:
    """Raises KeyCheckFailed, having changed nothing, when the keys do not read the database."""
    await verify_data_keys(sessions, cipher)
    report = await _pass(sessions, cipher, batch_size, write=True)
    report.name_digests = await _rekey_name_digests(sessions, cipher, batch_size)
    report.still_under = await retire_other_checks(sessions, cipher)
    return report


async def count_values(
    sessions: async_sessionmaker[Any], cipher: FieldCipher, batch_size: int = DEFAULT_BATCH_SIZE
) -> RotationReport:
    """What rotate_keys would find, changing nothing: `rotated` counts the values readable
    under an older key."""
    return await _pass(sessions, cipher, batch_size, write=False)


async def _pass(
    sessions: async_sessionmaker[Any], cipher: FieldCipher, batch_size: int, write: bool
) -> RotationReport:
    def table(
        read_batch: Callable[[AsyncSession, str, int], Awaitable[list[_Row]]],
        rewrite: Callable[[AsyncSession, _Row, bytes], Awaitable[bool]],
    ) -> Awaitable[RotationCount]:
        return _rotate_table(sessions, cipher, batch_size, read_batch, rewrite, write)

    cases = await table(*_PERSONAL.reader_writer())
    state = await table(_state_batch, _rewrite_state)
    shared = await table(*_SHARED_TEXT.reader_writer())
    chronology = await table(*_SECRET.reader_writer())
    return RotationReport(cipher.current_key_id, cases, state, shared, chronology)


# A row as rotation sees it: (key, stored blob, encryption context, version guard).
_Row = tuple[str, bytes, str, Any]


async def _rotate_table(
    sessions: async_sessionmaker[Any],
    cipher: FieldCipher,
    batch_size: int,
    read_batch: Callable[[AsyncSession, str, int], Awaitable[list[_Row]]],
    rewrite: Callable[[AsyncSession, _Row, bytes], Awaitable[bool]],
    write: bool,
) -> RotationCount:
    count = RotationCount()
    after = ""
    while True:
        async with sessions() as session:
            batch = await read_batch(session, after, batch_size)
        if not batch:
            return count
        fresh_rows: list[tuple[_Row, bytes]] = []
        for row in batch:
            _, blob, context, _ = row
            try:
                # Decrypted even when its key id is the current one: under that id may be a
                # value sealed with another key of the same name, which no one can read.
                value = cipher.decrypt(blob, context)
                current = key_id_of(blob) == cipher.current_key_id
            except DecryptionError:
                count.unreadable += 1
                continue
            if current:
                count.already_current += 1
            elif write:
                fresh_rows.append((row, cipher.encrypt(value, context)))
            else:
                count.rotated += 1
        if fresh_rows:
            async with sessions() as session, session.begin():
                for row, fresh in fresh_rows:
                    if await rewrite(session, row, fresh):
                        count.rotated += 1
                    else:
                        count.changed_meanwhile += 1
        after = batch[-1][0]


async def _rekey_name_digests(
    sessions: async_sessionmaker[Any], cipher: FieldCipher, batch_size: int
) -> int:
    """The channel guard's digests of each case's name, made again with the current key: once
    an old key is removed, digests made with it would match nothing."""
    digests = NameDigests(sessions, cipher)
    rekeyed = 0
    after = ""
    while True:
        async with sessions() as session:
            rows = (
                await session.execute(
                    select(Case.id, Case.team_id, Case.personal)
                    .where(Case.id > after, Case.personal_erased_at.is_(None))
                    .order_by(Case.id)
                    .limit(batch_size)
                )
            ).all()
        if not rows:
            return rekeyed
        async with sessions() as session, session.begin():
            for case_id, team_id, blob in rows:
                try:
                    personal = cipher.decrypt(blob, personal_context(case_id))
                except DecryptionError:
                    continue  # counted as unreadable by the cases' own rotation
                name = personal.get("name") if isinstance(personal, dict) else None
                if name:
                    await digests.record(session, case_id, team_id, name)
                    rekeyed += 1
        after = rows[-1][0]


@dataclass(frozen=True)
class _Column:
    """An encrypted column (storage/data_keys.py), and what is written back as it was."""

    column: EncryptedColumn
    # Written as they are: a new key is no change to the row (a case keeps its updated_at).
    unchanged: tuple[Any, ...] = ()

    def reader_writer(
        self,
    ) -> tuple[
        Callable[[AsyncSession, str, int], Awaitable[list[_Row]]],
        Callable[[AsyncSession, _Row, bytes], Awaitable[bool]],
    ]:
        return self._batch, self._rewrite

    async def _batch(self, session: AsyncSession, after: str, limit: int) -> list[_Row]:
        column = self.column
        rows = await session.execute(
            select(column.key, column.value)
            .where(column.key > after, column.value.is_not(None))
            .order_by(column.key)
            .limit(limit)
        )
        return [(key, blob, column.context(key), blob) for key, blob in rows.all() if blob]

    async def _rewrite(self, session: AsyncSession, row: _Row, fresh: bytes) -> bool:
        key, blob, _, _ = row
        column = self.column
        result = await session.execute(
            update(column.key.class_)
            .where(column.key == key, column.value == blob)
            .values({column.value.key: fresh, **{c.key: c for c in self.unchanged}})
        )
        return cast(CursorResult[Any], result).rowcount == 1


_PERSONAL = _Column(PERSONAL, (Case.updated_at,))
_SHARED_TEXT = _Column(SHARED_TEXT, (Case.updated_at,))
_SECRET = _Column(EVENT_SECRET)


async def _state_batch(session: AsyncSession, after: str, limit: int) -> list[_Row]:
    rows = await session.execute(
        select(DialogState.key, DialogState.data, DialogState.etag)
        .where(DialogState.key > after)
        .order_by(DialogState.key)
        .limit(limit)
    )
    return [(key, blob, DIALOG_STATE.context(key), etag) for key, blob, etag in rows.all()]


async def _rewrite_state(session: AsyncSession, row: _Row, fresh: bytes) -> bool:
    key, _, _, etag = row
    # Same etag and updated_at: the dialogue holding this state reads the same value, and the
    # draft clean-up still sees when a person last touched it.
    result = await session.execute(
        update(DialogState)
        .where(DialogState.key == key, DialogState.etag == etag)
        .values(data=fresh)
    )
    return cast(CursorResult[Any], result).rowcount == 1
