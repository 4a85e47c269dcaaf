"""botbuilder's `Storage` on our database: dialogue state survives a restart and is shared by
every instance, with optimistic concurrency on the etag.

Values are serialised with jsonpickle (as Microsoft's own Blob and Cosmos storages do, since
dialogue state holds botbuilder objects) and encrypted, because a draft report holds personal data.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

import jsonpickle
from botbuilder.core import Storage
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.crypto import FieldCipher
from storage.db import insert_if_absent
from storage.models import DialogState, utcnow

DRAFT_LIFETIME = timedelta(days=14)
_ETAG = "e_tag"


class EtagConflict(KeyError):
    """Someone else saved this state since it was read (another instance, a parallel turn)."""


def _row_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def state_context(row_key: str) -> str:
    """What a stored state is bound to (AES-GCM associated data): its row."""
    return "dialog_state:" + row_key


class SqlStorage(Storage):
    def __init__(self, sessions: async_sessionmaker[Any], cipher: FieldCipher) -> None:
        super().__init__()
        self._sessions = sessions
        self._cipher = cipher

    def _encode(self, row_key: str, value: Any) -> bytes:
        return self._cipher.encrypt(jsonpickle.encode(value, keys=True), state_context(row_key))

    def _decode(self, row_key: str, blob: bytes) -> Any:
        return jsonpickle.decode(self._cipher.decrypt(blob, state_context(row_key)), keys=True)

    async def read(self, keys: list[str]) -> dict[str, Any]:
        if not keys:
            return {}
        by_row = {_row_key(k): k for k in keys}
        async with self._sessions() as session:
            rows = (
                await session.execute(select(DialogState).where(DialogState.key.in_(by_row)))
            ).scalars()
            result: dict[str, Any] = {}
            for row in rows:
                value = self._decode(row.key, row.data)
                if isinstance(value, dict):
                    value[_ETAG] = row.etag
                elif value is not None and hasattr(value, _ETAG):
                    value.e_tag = row.etag
                result[by_row[row.key]] = value
            return result

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise ValueError("changes are required when writing")
        async with self._sessions() as session, session.begin():
            for key, value in changes.items():
                await self._write_one(session, key, value)

    async def _write_one(self, session: Any, key: str, value: Any) -> None:
        row_key = _row_key(key)
        expected = value.get(_ETAG) if isinstance(value, dict) else getattr(value, _ETAG, None)
        if isinstance(value, dict):
            stored = {k: v for k, v in value.items() if k != _ETAG}
        else:
            stored = value
        new_etag = uuid.uuid4().hex
        data = self._encode(row_key, stored)
        now = utcnow()
        if expected and expected != "*":
            result = await session.execute(
                update(DialogState)
                .where(DialogState.key == row_key, DialogState.etag == expected)
                .values(data=data, etag=new_etag, updated_at=now)
            )
            if result.rowcount != 1:
                raise EtagConflict(f"state changed since it was read ({row_key[:8]})")
        else:
            result = await session.execute(
                update(DialogState)
                .where(DialogState.key == row_key)
                .values(data=data, etag=new_etag, updated_at=now)
            )
            if result.rowcount != 1:
                row = {"key": row_key, "data": data, "etag": new_etag, "updated_at": now}
                if not await insert_if_absent(session, DialogState, row):
                    raise EtagConflict(f"state created in parallel ({row_key[:8]})")
        # botbuilder keeps the same dict for the rest of the turn: a second save must match.
        if isinstance(value, dict):
            value[_ETAG] = new_etag
        elif hasattr(value, _ETAG):
            value.e_tag = new_etag

    async def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(DialogState).where(DialogState.key.in_([_row_key(k) for k in keys]))
            )

    async def purge_untouched(self, now: datetime | None = None) -> int:
        """Delete state (and so report drafts) untouched for 14 days. Returns how many."""
        cutoff = (now or utcnow()) - DRAFT_LIFETIME
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(DialogState).where(DialogState.updated_at < cutoff)
            )
            return int(result.rowcount or 0)
