"""The conversations' dialogue state in our database: it survives a restart and is shared by every
instance, with optimistic concurrency on the etag.

A turn loads its conversation's state (ConversationStates), the dialogues read and change the
dict it holds (dialogs/turn.py's Turn.state), and the turn saves it if it changed. Values are
serialised as plain JSON by storage/state_codec.py (jsonpickle only for a value holding anything
else, and for rows written before) and encrypted, because a draft report holds personal data.

A turn costs the database two round trips: one that takes the incoming activity (so a
redelivery is dropped) and reads the state, one that saves the state. On PostgreSQL each is one
statement on an asyncpg connection of the state's own (storage/pg_connections.py). On SQLite
they run on a connection of the state's own, on the event loop's thread (_OwnConnection says
why), and the activity is recorded in the save's transaction: one commit a turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import pickle
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.util import greenlet_spawn

from domain.clock import utcnow
from storage import state_codec
from storage.crypto import FieldCipher
from storage.db import wait_to_write, writer_turn
from storage.models import DialogState, ProcessedActivity
from storage.pg_connections import PostgresConnections, connect_arguments
from storage.sqlite_driver import is_busy

log = logging.getLogger(__name__)

DRAFT_LIFETIME = timedelta(days=14)
_T = TypeVar("_T")


class EtagConflict(KeyError):
    """Someone else saved this state since it was read (another instance, a parallel turn)."""


def conversation_key(channel_id: str, conversation_id: str) -> str:
    """The key a conversation's state is stored under: botbuilder's ConversationState's
    (`{channel}/conversations/{conversation}`), so that every row written before is found."""
    if not channel_id or not conversation_id:
        raise ValueError("a conversation's state needs its channel and conversation ids")
    return f"{channel_id}/conversations/{conversation_id}"


def row_key_of(key: str) -> str:
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


async def _until_done(work: Awaitable[_T]) -> _T:
    """Wait for `work` to finish even when the waiting task is cancelled meanwhile (then raised
    once it has finished): a connection's return to the pool is never left half-done."""
    task = asyncio.ensure_future(work)
    cancelled: asyncio.CancelledError | None = None
    while True:
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError as error:
            if task.done():
                raise
            cancelled = error
        else:
            break
    if cancelled is not None:
        raise cancelled
    return result


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
        # its own connections (a cancellation waits for the close).
        await _until_done(greenlet_spawn(raw.close))


class StoredState(NamedTuple):
    """A state as stored, and the etag it was read with. Written with its etag, it replaces only
    the state it was read from; with none, whatever is stored under its key."""

    value: Any
    etag: str | None = None


class Claim(NamedTuple):
    """An incoming activity taken (or not: another delivery of it took it first), with the
    conversation's state (None: nothing stored yet); `later`: the activity is still to be
    recorded as taken, with the turn's save."""

    taken: bool
    state: StoredState | None = None
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


class SqlStorage:
    """The states by key: read, written (with the etag each was read with), deleted, purged."""

    def __init__(self, sessions: async_sessionmaker[Any], cipher: FieldCipher) -> None:
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

    def _stored(self, row_key: str, data: bytes | None, etag: str | None) -> StoredState | None:
        if data is None:
            return None
        value = state_codec.decode(self._cipher.decrypt(data, state_context(row_key)))
        return StoredState(value, etag or "")

    async def read(self, keys: Iterable[str]) -> dict[str, StoredState]:
        """The states stored under `keys` (a key with none is left out)."""
        keys = list(keys)
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

    async def _read(
        self, driver: _Driver | _OwnConnection, keys: list[str]
    ) -> dict[str, StoredState]:
        found = {}
        for key in keys:
            row_key = row_key_of(key)
            row = await driver.first("read", row_key)
            stored = self._stored(row_key, row[0], row[1]) if row is not None else None
            if stored is not None:
                found[key] = stored
        return found

    async def claim_and_read(self, activity_key: str, key: str) -> Claim:
        """Take an incoming activity (see storage/activities.py) and read the conversation's
        state, in one round trip (PostgreSQL) instead of two.

        On SQLite's own connection the activity is only looked up: it is recorded with the
        turn's save (`write(…, activity_key=…)`) or by `record_claim`, in the one transaction
        the turn writes anyway. No other turn can take it meanwhile: SQLite serves one process,
        whose turns of a conversation run one at a time (bot/middleware.py's ExactlyOnce)."""
        row_key = row_key_of(key)
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

    async def write(
        self, changes: Mapping[str, StoredState], activity_key: str | None = None
    ) -> dict[str, str]:
        """Save each state in `changes`, all or none (EtagConflict: one was saved by someone
        else since it was read), and record `activity_key` as taken (a claim left for the save
        by claim_and_read) in the same transaction. Returns each state's new etag."""
        if self._own is not None:
            async with writer_turn(self._engine, "BEGIN IMMEDIATE") as ours:
                if ours:
                    etags = await self._write_own(self._own, changes, activity_key)
                    if etags is not None:
                        return etags
        async with self._driver() as driver:
            if driver.postgres and (len(changes) > 1 or activity_key):
                async with driver.db.transaction():
                    etags = await self._write_all(driver, changes, activity_key)
            else:
                etags = await self._write_all(driver, changes, activity_key)
            if not driver.postgres:
                await driver.db.commit()
        return etags

    async def record_claim(self, activity_key: str) -> None:
        """Record an activity as taken, when the turn that took it saved no state."""
        await self.write({}, activity_key)

    async def _write_own(
        self,
        own: _OwnConnection,
        changes: Mapping[str, StoredState],
        activity_key: str | None,
    ) -> dict[str, str] | None:
        """On SQLite's own connection, while this process's writer turn is held: None when
        another process holds SQLite's write lock (nothing was written; the pool will wait)."""
        try:
            # IMMEDIATE: the write lock is taken here or not at all, so nothing after it waits.
            own.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if is_busy(error):
                return None
            raise
        try:
            # No statement of own's ever waits (it is sqlite3, on this thread): the transaction
            # is over before any other task runs.
            etags = await self._write_all(own, changes, activity_key)
            own.db.execute("COMMIT")
        except BaseException:
            own.db.execute("ROLLBACK")
            raise
        return etags

    async def _write_all(
        self,
        driver: _Driver | _OwnConnection,
        changes: Mapping[str, StoredState],
        activity_key: str | None,
    ) -> dict[str, str]:
        etags = {key: await self._write_one(driver, key, stored) for key, stored in changes.items()}
        if activity_key is not None:
            await driver.count("claim", activity_key, driver.time(utcnow()))
        return etags

    async def _write_one(
        self, driver: _Driver | _OwnConnection, key: str, stored: StoredState
    ) -> str:
        row_key = row_key_of(key)
        new_etag = uuid.uuid4().hex
        data = self._encode(row_key, stored.value)
        values = (row_key, data, new_etag, driver.time(utcnow()))
        if stored.etag:
            if await driver.count("update_if", *values, stored.etag) != 1:
                raise EtagConflict(f"state changed since it was read ({row_key[:8]})")
        elif await driver.count("update_any", *values) != 1:
            if not await driver.count("insert", *values):
                raise EtagConflict(f"state created in parallel ({row_key[:8]})")
        return new_etag

    async def delete(self, keys: Iterable[str]) -> None:
        row_keys = [row_key_of(k) for k in keys]
        if not row_keys:
            return
        async with self._sessions() as session, session.begin():
            await session.execute(delete(DialogState).where(DialogState.key.in_(row_keys)))

    async def purge_untouched(self, now: datetime | None = None) -> int:
        """Delete state (and so report drafts) untouched for 14 days. Returns how many."""
        cutoff = (now or utcnow()) - DRAFT_LIFETIME
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(DialogState).where(DialogState.updated_at < cutoff)
            )
            return int(result.rowcount or 0)


# --- a conversation's state for one turn -----------------------------------------------------


def _snapshot(state: dict[str, Any]) -> bytes | None:
    """What tells, at the end of a turn, whether the state changed: its pickle, by pickle's C
    encoder, not a pure-Python flatten on every turn. Two equal states may pickle differently (a dict's keys in another order): one
    write too many, never one too few. None when pickle cannot take the state: then it is
    always written."""
    try:
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return None


@dataclass(eq=False)
class LoadedState:
    """A conversation's state as a turn loaded it: `state` is the dict the turn's dialogues read
    and change (dialogs/turn.py's Turn.state), saved by ConversationStates.save if it changed."""

    key: str
    state: dict[str, Any]
    # The etag of the row it was read from (or last saved to); None while nothing is stored.
    etag: str | None = None
    # The turn's activity, when it is still to be recorded as taken, with the save (SQLite).
    claim: str | None = None
    # The snapshot of what is stored (see _snapshot), taken when loaded and after each save.
    saved: bytes | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.saved = _snapshot(self.state)

    @property
    def changed(self) -> bool:
        """Whether the state differs from what is stored (or may: see _snapshot)."""
        return self.saved is None or _snapshot(self.state) != self.saved


class ConversationStates:
    """Each conversation's dialogue state, by conversation_key: loaded at the start of a turn
    (with the claim of the turn's activity, in the same round trip), saved at its end."""

    def __init__(self, storage: SqlStorage) -> None:
        self._storage = storage

    @staticmethod
    def _loaded(key: str, stored: StoredState | None, claim: str | None = None) -> LoadedState:
        if stored is None:
            return LoadedState(key, {}, claim=claim)
        if not isinstance(stored.value, dict):
            # Never written by this bot; a turn needs a dict, and its save replaces the value.
            log.warning(
                "conversation state stored as %s: begun afresh", type(stored.value).__name__
            )
            return LoadedState(key, {}, etag=stored.etag, claim=claim)
        return LoadedState(key, stored.value, etag=stored.etag, claim=claim)

    async def load(self, conversation_key: str) -> LoadedState:
        """The conversation's state (an empty dict when none is stored)."""
        stored = (await self._storage.read([conversation_key])).get(conversation_key)
        return self._loaded(conversation_key, stored)

    async def claim_and_load(self, conversation_key: str, activity_key: str) -> LoadedState | None:
        """Take the turn's activity and load the conversation's state in one round trip
        (SqlStorage.claim_and_read); None when the activity was taken already. Where the
        activity is to be recorded later, `save` does it, or else `record_claim`."""
        claim = await self._storage.claim_and_read(activity_key, conversation_key)
        if not claim.taken:
            return None
        return self._loaded(conversation_key, claim.state, activity_key if claim.later else None)

    async def save(self, loaded: LoadedState) -> None:
        """Write the state if it changed since it was loaded (or last saved), with the activity's
        claim if that is still to be recorded. A state read from a row replaces only that row
        (EtagConflict when someone saved it since); one loaded when nothing was stored is written
        over whatever is there by now, as botbuilder's ConversationState did. The same
        LoadedState may be saved again later in the turn."""
        snapshot = _snapshot(loaded.state)
        if snapshot is not None and snapshot == loaded.saved:
            return
        stored = StoredState(loaded.state, loaded.etag)
        etags = await self._storage.write({loaded.key: stored}, loaded.claim)
        loaded.claim = None
        loaded.etag = etags[loaded.key]
        loaded.saved = snapshot

    async def record_claim(self, loaded: LoadedState) -> None:
        """After the turn: record its activity as taken if that is still to do (no state was
        saved)."""
        if loaded.claim is not None:
            await self._storage.record_claim(loaded.claim)
            loaded.claim = None
