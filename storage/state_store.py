"""botbuilder's `Storage` on our database: dialogue state survives a restart and is shared by
every instance, with optimistic concurrency on the etag.

Values are serialised as plain JSON by storage/state_codec.py (botbuilder's DialogState and
DialogInstance as marked objects; jsonpickle, as Microsoft's own Blob and Cosmos storages use, only
for a value holding anything else, and for rows written before) and encrypted, because a draft
report holds personal data.
"""

from __future__ import annotations

import hashlib
import pickle
import uuid
from datetime import datetime, timedelta
from typing import Any

from botbuilder.core import ConversationState, Storage, TurnContext
from botbuilder.core.bot_state import CachedBotState
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from storage import state_codec
from storage.activities import CLAIM
from storage.crypto import FieldCipher
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


# The statements of every turn, built once: building a statement and its cache key costs more
# than a small query itself (measured in bench/turns.py's profile).
_READ = select(DialogState.key, DialogState.data, DialogState.etag).where(
    DialogState.key.in_(bindparam("keys", expanding=True))
)
_READ_ONE = select(DialogState.data, DialogState.etag).where(DialogState.key == bindparam("key"))
_UPDATE_ANY = (
    update(DialogState)
    .where(DialogState.key == bindparam("row_key"))
    .values(data=bindparam("data"), etag=bindparam("new_etag"), updated_at=bindparam("now"))
)
_UPDATE_IF = _UPDATE_ANY.where(DialogState.etag == bindparam("expected"))
_INSERT = {
    dialect: insert(DialogState)
    .values(
        key=bindparam("key"),
        data=bindparam("data"),
        etag=bindparam("etag"),
        updated_at=bindparam("updated_at"),
    )
    .on_conflict_do_nothing()
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


class SqlStorage(Storage):
    def __init__(self, sessions: async_sessionmaker[Any], cipher: FieldCipher) -> None:
        super().__init__()
        self._sessions = sessions
        self._cipher = cipher
        # Core connections for the per-turn reads and writes (the ORM session's own work is
        # not needed for a row read or written whole).
        self._engine: AsyncEngine = sessions.kw["bind"]

    def _encode(self, row_key: str, value: Any) -> bytes:
        return self._cipher.encrypt(state_codec.encode(value), state_context(row_key))

    def _decode(self, row_key: str, blob: bytes) -> Any:
        return state_codec.decode(self._cipher.decrypt(blob, state_context(row_key)))

    def _value(self, row_key: str, data: bytes, etag: str) -> Any:
        value = self._decode(row_key, data)
        if isinstance(value, dict):
            value[_ETAG] = etag
        elif value is not None and hasattr(value, _ETAG):
            value.e_tag = etag
        return value

    async def read(self, keys: list[str]) -> dict[str, Any]:
        if not keys:
            return {}
        by_row = {_row_key(k): k for k in keys}
        async with self._engine.connect() as conn:
            rows = (await conn.execute(_READ, {"keys": list(by_row)})).all()
        return {by_row[row.key]: self._value(row.key, row.data, row.etag) for row in rows}

    async def claim_and_read(self, activity_key: str, key: str) -> tuple[bool, Any]:
        """Take an incoming activity (see storage/activities.py) and read the conversation's state
        in one transaction: one round trip at the start of a turn instead of two. (False, None)
        when the activity was taken already."""
        row_key = _row_key(key)
        async with self._engine.begin() as conn:
            claim = CLAIM[conn.dialect.name]
            result = await conn.execute(claim, {"key": activity_key, "now": utcnow()})
            if not result.rowcount:
                return False, None
            row = (await conn.execute(_READ_ONE, {"key": row_key})).first()
        if row is None:
            return True, None
        return True, self._value(row_key, row.data, row.etag)

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise ValueError("changes are required when writing")
        async with self._engine.begin() as conn:
            for key, value in changes.items():
                await self._write_one(conn, key, value)

    async def _write_one(self, conn: AsyncConnection, key: str, value: Any) -> None:
        row_key = _row_key(key)
        expected = value.get(_ETAG) if isinstance(value, dict) else getattr(value, _ETAG, None)
        if isinstance(value, dict):
            stored = {k: v for k, v in value.items() if k != _ETAG}
        else:
            stored = value
        new_etag = uuid.uuid4().hex
        data = self._encode(row_key, stored)
        now = utcnow()
        values = {"row_key": row_key, "data": data, "new_etag": new_etag, "now": now}
        if expected and expected != "*":
            result = await conn.execute(_UPDATE_IF, {**values, "expected": expected})
            if result.rowcount != 1:
                raise EtagConflict(f"state changed since it was read ({row_key[:8]})")
        else:
            result = await conn.execute(_UPDATE_ANY, values)
            if result.rowcount != 1:
                row = {"key": row_key, "data": data, "etag": new_etag, "updated_at": now}
                inserted = await conn.execute(_INSERT[conn.dialect.name], row)
                if not inserted.rowcount:
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


class StateSnapshot(CachedBotState):
    """botbuilder's per-turn cache of a state, which tells at the end of the turn whether the
    state changed by comparing a snapshot taken when it was read. botbuilder snapshots with
    jsonpickle's pure-Python flatten, three times a turn (a twentieth of a turn's CPU); pickle's
    C encoder tells the same. It may take an unchanged state for changed (one write too many),
    never the other way round."""

    def compute_hash(self, obj: object) -> Any:
        try:
            return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # something pickle cannot take: botbuilder's own way
            return super().compute_hash(obj)


class SnapshotConversationState(ConversationState):
    """ConversationState on our storage, whose per-turn cache is a StateSnapshot."""

    def __init__(self, storage: SqlStorage) -> None:
        super().__init__(storage)
        self._sql = storage

    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        cached = self.get_cached_state(turn_context)
        if force or not cached or not cached.state:
            key = self.get_storage_key(turn_context)
            value = (await self._storage.read([key])).get(key)
            turn_context.turn_state[self._context_service_key] = StateSnapshot(value)

    async def claim_and_load(self, turn_context: TurnContext, activity_key: str) -> bool:
        """Take the incoming activity and load the state in one round trip (SqlStorage.
        claim_and_read); False when the activity was taken already. A state not yet stored is
        left for load(), as before."""
        key = self.get_storage_key(turn_context)
        claimed, stored = await self._sql.claim_and_read(activity_key, key)
        if claimed and stored:
            turn_context.turn_state[self._context_service_key] = StateSnapshot(stored)
        return claimed
