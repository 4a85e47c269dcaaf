"""botbuilder's `Storage` on our database: dialogue state survives a restart and is shared by
every instance, with optimistic concurrency on the etag.

Values are serialised as plain JSON by storage/state_codec.py (botbuilder's DialogState and
DialogInstance as marked objects; jsonpickle, as Microsoft's own Blob and Cosmos storages use, only
for a value holding anything else, and for rows written before) and encrypted, because a draft
report holds personal data.

A turn costs the database two round trips: one that takes the incoming activity (so a
redelivery is dropped) and reads the state, one that saves the state. On PostgreSQL each is one
statement on an asyncpg connection of the state's own (storage/pg_connections.py). On SQLite
they run on a connection of the state's own, on the event loop's thread (_OwnConnection says
why), and the activity is recorded in the save's transaction: one commit a turn.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from botbuilder.core import ConversationState, Storage, TurnContext
from botbuilder.core.bot_state import CachedBotState
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.ext.asyncio.base import _run_to_completion
from sqlalchemy.util import greenlet_spawn

from domain.clock import utcnow
from storage import state_codec
from storage.crypto import FieldCipher
from storage.db import wait_to_write, writer_turn
from storage.models import DialogState, ProcessedActivity
from storage.pg_connections import PostgresConnections, connect_arguments
from storage.sqlite_driver import is_busy

DRAFT_LIFETIME = timedelta(days=14)
_ETAG = "e_tag"


class EtagConflict(KeyError):
    """Someone else saved this state since it was read (another instance, a parallel turn)."""


def _row_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def state_context(row_key: str) -> str:
    """What a stored state is bound to (AES-GCM associated data): its row."""
    return "dialog_state:" + row_key


# The statements of every turn, run on a driver connection (the state's own; on SQLite the
# pool's when its own cannot write): SQLAlchemy's execution (statement, compiled cache key,
# result, greenlet) cost more than the queries themselves, twice a turn (bench/steps.py). On
# PostgreSQL, the claim of the incoming activity and the read of the state are one statement,
# and each statement commits on its own: one round trip to start a turn and one to save it, and
# no BEGIN or COMMIT. Written once in PostgreSQL's numbered parameters; SQLite takes the same
# numbers as ?1, ?2 (so both take the same values).
_CLAIM = (
    f"INSERT INTO {ProcessedActivity.__tablename__} (key, created_at) VALUES ($1, $2)"
    " ON CONFLICT DO NOTHING"
)
_UPDATE = (
    f"UPDATE {DialogState.__tablename__} SET data = $2, etag = $3, updated_at = $4 WHERE key = $1"
)
_SQL = {
    "claim": _CLAIM,
    "claim_and_read": (  # PostgreSQL only: SQLite has no INSERT inside WITH
        f"WITH claimed AS ({_CLAIM} RETURNING 1)"
        " SELECT (SELECT count(*) FROM claimed) AS claimed, s.data, s.etag"
        f" FROM (SELECT 1) AS one LEFT JOIN {DialogState.__tablename__} AS s ON s.key = $3"
    ),
    "taken_and_read": (  # SQLite's own connection: the activity is recorded with the save
        f"SELECT (SELECT 1 FROM {ProcessedActivity.__tablename__} WHERE key = $1) AS taken,"
        f" s.data, s.etag FROM (SELECT 1) AS one LEFT JOIN {DialogState.__tablename__} AS s"
        " ON s.key = $2"
    ),
    "read": f"SELECT data, etag FROM {DialogState.__tablename__} WHERE key = $1",
    "update_any": _UPDATE,
    "update_if": _UPDATE + " AND etag = $5",
    "insert": (
        f"INSERT INTO {DialogState.__tablename__} (key, data, etag, updated_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
    ),
}
_SQL_FOR = {
    "postgresql": _SQL,
    "sqlite": {name: re.sub(r"\$(\d)", r"?\1", sql) for name, sql in _SQL.items()},
}


class _Dialect:
    """What the state's statements need to know of the database, worked out once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.postgres = engine.dialect.name == "postgresql"
        self.sql = _SQL_FOR[engine.dialect.name]
        # Times stored as SQLAlchemy stores them (UTC; on SQLite, its text form).
        bind = DialogState.__table__.c.updated_at.type.bind_processor(engine.dialect)
        self.time: Callable[[datetime], Any] = bind or (lambda value: value)


class _Driver:
    """The few calls the state makes on a driver connection (asyncpg or aiosqlite)."""

    def __init__(self, engine: AsyncEngine, dialect: _Dialect, db: Any, info: Any) -> None:
        self.engine = engine
        self.db = db
        # SQLite: the pool record's info, where this process's writer turn is kept.
        self.info = info
        self.postgres = dialect.postgres
        self.sql = dialect.sql
        self.time = dialect.time

    async def first(self, name: str, *args: Any) -> Any:
        if self.postgres:
            return await self.db.fetchrow(self.sql[name], *args)
        rows = await self.db.execute_fetchall(self.sql[name], args)
        return rows[0] if rows else None

    async def count(self, name: str, *args: Any) -> int:
        """Rows a write changed."""
        if self.postgres:
            status = await self.db.execute(self.sql[name], *args)  # "UPDATE 1", "INSERT 0 1"
            return int(status.rsplit(" ", 1)[-1])
        await wait_to_write(self.engine, self.info, self.sql[name])
        cursor = await self.db.execute(self.sql[name], args)
        return int(cursor.rowcount)


@contextlib.asynccontextmanager
async def _pooled(engine: AsyncEngine, dialect: _Dialect) -> AsyncIterator[_Driver]:
    """SQLite: a pooled connection's driver connection. Writes are committed by commit(); what
    is not committed is rolled back when the connection goes back to the pool (in a greenlet,
    as the pool's reset awaits the driver). Taken from the pool directly: an AsyncConnection
    around it cost a greenlet and two objects more."""
    raw = await engine.raw_connection()
    try:
        yield _Driver(engine, dialect, raw.driver_connection, raw.info)
    finally:
        # Back to the pool even when the turn is cancelled meanwhile, as SQLAlchemy gives back
        # its own connections (its _run_to_completion: a cancellation waits for the close).
        await _run_to_completion(greenlet_spawn(raw.close))


class Claim(NamedTuple):
    """An incoming activity taken (or not: another delivery of it took it first), with the
    conversation's state; `later`: it is still to be recorded as taken, with the turn's save."""

    taken: bool
    state: Any = None
    later: bool = False


class _OwnConnection:
    """SQLite only: the state's connection of its own, used on the event loop's thread.

    Every call handed to aiosqlite's thread cost far more than SQLite's work: the thread and
    then the event loop woke for it, and fought for the GIL. A state is read in microseconds
    and saved with one fsync (about 0.2 ms on this machine), so here both run directly, in the
    same calls as _Driver's. SQLite's busy handler is off on this connection: when another
    process (the CLI) holds the write lock, SQLite says so at once and the caller goes through
    the pool, whose thread may wait, rather than stop the event loop."""

    def __init__(self, path: str, dialect: _Dialect) -> None:
        self._path = path
        self._db: sqlite3.Connection | None = None
        self.sql = dialect.sql
        self.time = dialect.time

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            # Autocommit: BEGIN and COMMIT are ours. Used on one thread at a time, but not
            # always the one that opened it (a test's event loop, the next test's).
            db = sqlite3.connect(
                self._path, timeout=0, isolation_level=None, check_same_thread=False
            )
            db.execute("PRAGMA foreign_keys=ON")
            # A saved draft is on disk by the next commit that waits for the disk (a report
            # sent, anything through the pool) or checkpoint, not by its own: in WAL mode a
            # power cut may take back the last answers of a draft (never a sent report, and
            # the file stays whole), and a crash of the bot alone takes nothing. It spares the
            # event loop's thread an fsync a turn (bench/turns.py: 410 -> 450 turns/s).
            db.execute("PRAGMA synchronous=NORMAL")
            self._db = db
        return self._db

    async def first(self, name: str, *args: Any) -> Any:
        return self.db.execute(self.sql[name], args).fetchone()

    async def count(self, name: str, *args: Any) -> int:
        return int(self.db.execute(self.sql[name], args).rowcount)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class SqlStorage(Storage):
    def __init__(self, sessions: async_sessionmaker[Any], cipher: FieldCipher) -> None:
        super().__init__()
        self._sessions = sessions
        self._cipher = cipher
        # The per-turn reads and writes go to the driver directly (see _SQL); the rest, through
        # the ORM session.
        self._engine: AsyncEngine = sessions.kw["bind"]
        self._dialect = _Dialect(self._engine)
        database = self._engine.url.database
        self._own = (
            _OwnConnection(database, self._dialect)
            if self._engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
            else None
        )
        # PostgreSQL: connections of the state's own (storage/pg_connections.py says why).
        self._postgres = (
            PostgresConnections(connect_arguments(self._engine.dialect, self._engine.url))
            if self._dialect.postgres
            else None
        )

    @property
    def own_connection(self) -> sqlite3.Connection | None:
        """SQLite's connection for the state, opened on first use (None on PostgreSQL)."""
        return self._own.db if self._own is not None else None

    def close(self) -> None:
        """Close the state's own connections (the pool's are the engine's to close)."""
        if self._own is not None:
            self._own.close()
        if self._postgres is not None:
            self._postgres.close()

    @contextlib.asynccontextmanager
    async def _driver(self) -> AsyncIterator[_Driver]:
        """A driver connection for the state's statements: on PostgreSQL one of its own, on
        SQLite the pool's (when its own connection cannot write now, or for an in-memory
        database, which has no connection of the state's own)."""
        if self._postgres is None:
            async with _pooled(self._engine, self._dialect) as driver:
                yield driver
            return
        async with self._postgres.connection() as connection:
            yield _Driver(self._engine, self._dialect, connection, None)

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
        if self._own is not None:
            try:
                return await self._read(self._own, keys)
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
        async with self._driver() as driver:
            return await self._read(driver, keys)

    async def _read(self, driver: _Driver | _OwnConnection, keys: list[str]) -> dict[str, Any]:
        found = {}
        for key in keys:
            row_key = _row_key(key)
            row = await driver.first("read", row_key)
            if row is not None:
                found[key] = self._value(row_key, row[0], row[1])
        return found

    async def claim_and_read(self, activity_key: str, key: str) -> Claim:
        """Take an incoming activity (see storage/activities.py) and read the conversation's
        state, in one round trip (PostgreSQL) instead of two.

        On SQLite's own connection the activity is only looked up: it is recorded with the
        turn's save (`write(…, activity_key=…)`) or by `record_claim`, in the one transaction
        the turn writes anyway. No other turn can take it meanwhile: SQLite serves one process,
        whose turns of a conversation run one at a time (bot/middleware.py's ExactlyOnce)."""
        row_key = _row_key(key)
        if self._own is not None:
            try:
                row = await self._own.first("taken_and_read", activity_key, row_key)
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
            else:
                if row[0]:
                    return Claim(taken=False)
                return Claim(taken=True, state=self._stored(row_key, row[1], row[2]), later=True)
        async with self._driver() as driver:
            now = driver.time(utcnow())
            if driver.postgres:
                row = await driver.first("claim_and_read", activity_key, now, row_key)
                if not row["claimed"]:
                    return Claim(taken=False)
                data, etag = row["data"], row["etag"]
            else:
                if not await driver.count("claim", activity_key, now):
                    return Claim(taken=False)
                row = await driver.first("read", row_key)
                await driver.db.commit()
                data, etag = (row[0], row[1]) if row is not None else (None, None)
        return Claim(taken=True, state=self._stored(row_key, data, etag))

    def _stored(self, row_key: str, data: bytes | None, etag: str | None) -> Any:
        return None if data is None else self._value(row_key, data, etag or "")

    async def write(self, changes: dict[str, Any], activity_key: str | None = None) -> None:
        """Save each state in `changes`, and record `activity_key` as taken (a claim left for
        the save by claim_and_read) in the same transaction."""
        if changes is None:
            raise ValueError("changes are required when writing")
        if self._own is not None:
            async with writer_turn(self._engine, "BEGIN IMMEDIATE") as ours:
                if ours and await self._write_own(self._own, changes, activity_key):
                    return
        async with self._driver() as driver:
            if driver.postgres and (len(changes) > 1 or activity_key):
                async with driver.db.transaction():
                    await self._write_all(driver, changes, activity_key)
            else:
                await self._write_all(driver, changes, activity_key)
            if not driver.postgres:
                await driver.db.commit()

    async def record_claim(self, activity_key: str) -> None:
        """Record an activity as taken, when the turn that took it saved no state."""
        await self.write({}, activity_key)

    async def _write_own(
        self, own: _OwnConnection, changes: dict[str, Any], activity_key: str | None
    ) -> bool:
        """On SQLite's own connection, while this process's writer turn is held: False when
        another process holds SQLite's write lock (nothing was written; the pool will wait)."""
        try:
            # IMMEDIATE: the write lock is taken here or not at all, so nothing after it waits.
            own.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if is_busy(error):
                return False
            raise
        try:
            # No statement of own's ever waits (it is sqlite3, on this thread): the transaction
            # is over before any other task runs.
            await self._write_all(own, changes, activity_key)
            own.db.execute("COMMIT")
        except BaseException:
            own.db.execute("ROLLBACK")
            raise
        return True

    async def _write_all(
        self,
        driver: _Driver | _OwnConnection,
        changes: dict[str, Any],
        activity_key: str | None,
    ) -> None:
        for key, value in changes.items():
            await self._write_one(driver, key, value)
        if activity_key is not None:
            await driver.count("claim", activity_key, driver.time(utcnow()))

    async def _write_one(self, driver: _Driver | _OwnConnection, key: str, value: Any) -> None:
        row_key = _row_key(key)
        expected = value.get(_ETAG) if isinstance(value, dict) else getattr(value, _ETAG, None)
        if isinstance(value, dict):
            stored = {k: v for k, v in value.items() if k != _ETAG}
        else:
            stored = value
        new_etag = uuid.uuid4().hex
        data = self._encode(row_key, stored)
        values = (row_key, data, new_etag, driver.time(utcnow()))
        if expected and expected != "*":
            if await driver.count("update_if", *values, expected) != 1:
                raise EtagConflict(f"state changed since it was read ({row_key[:8]})")
        elif await driver.count("update_any", *values) != 1:
            if not await driver.count("insert", *values):
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
        if isinstance(obj, dict) and _ETAG in obj:
            # The storage's, new after every save: not a change of the state, and left out, the
            # snapshot taken before a save still holds after it (one pickling less a turn).
            obj = {k: v for k, v in obj.items() if k != _ETAG}
        try:
            return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # something pickle cannot take: botbuilder's own way
            return super().compute_hash(obj)


class SnapshotConversationState(ConversationState):
    """ConversationState on our storage, whose per-turn cache is a StateSnapshot."""

    def __init__(self, storage: SqlStorage) -> None:
        super().__init__(storage)
        self._sql = storage
        # Set in a turn's state once the stored state was read in that turn.
        self._read_key = self._context_service_key + ".read"
        # The incoming activity, while it is still to be recorded as taken (SQLite).
        self._claim_key = self._context_service_key + ".claim"

    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        cached = self.get_cached_state(turn_context)
        # botbuilder reads again whenever the cached state is empty; a conversation with no state
        # yet, already read this turn, has nothing more to find.
        if force or not cached or not (cached.state or turn_context.turn_state.get(self._read_key)):
            key = self.get_storage_key(turn_context)
            value = (await self._storage.read([key])).get(key)
            turn_context.turn_state[self._context_service_key] = StateSnapshot(value)
            turn_context.turn_state[self._read_key] = True

    async def claim_and_load(self, turn_context: TurnContext, activity_key: str) -> bool:
        """Take the incoming activity and load the state in one round trip (SqlStorage.
        claim_and_read); False when the activity was taken already. Where the activity is to be
        recorded later, the turn's save does it, or else `record_claim`."""
        key = self.get_storage_key(turn_context)
        claim = await self._sql.claim_and_read(activity_key, key)
        if claim.taken:
            turn_context.turn_state[self._context_service_key] = StateSnapshot(claim.state)
            turn_context.turn_state[self._read_key] = True
            if claim.later:
                turn_context.turn_state[self._claim_key] = activity_key
        return claim.taken

    async def save_changes(self, turn_context: TurnContext, force: bool = False) -> None:
        """botbuilder's save, which also records the turn's activity as taken, when that was
        left to it, in the same transaction."""
        cached = self.get_cached_state(turn_context)
        snapshot = cached.compute_hash(cached.state) if cached is not None else None
        if force or (cached is not None and snapshot != cached.hash):
            key = self.get_storage_key(turn_context)
            activity_key = turn_context.turn_state.pop(self._claim_key, None)
            await self._sql.write({key: cached.state}, activity_key)
            cached.hash = snapshot

    async def record_claim(self, turn_context: TurnContext) -> None:
        """After the turn: record its activity as taken if that is still to do (no state was
        saved)."""
        activity_key = turn_context.turn_state.pop(self._claim_key, None)
        if activity_key is not None:
            await self._sql.record_claim(activity_key)
