"""The conversations' dialogue state in our database, encrypted, with etags (SQLite and
PostgreSQL): SqlStorage by key, and ConversationStates, a conversation's state for one turn."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import sqlite3
import warnings
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from domain.clock import utcnow
from storage.crypto import DecryptionError, FieldCipher, parse_keys
from storage.db import make_engine, make_sessionmaker
from storage.models import DialogState, ProcessedActivity
from storage.state_store import (
    Claim,
    ConversationStates,
    EtagConflict,
    LoadedState,
    SqlStorage,
    StoredState,
    conversation_key,
    row_key_of,
)
from tests.conftest import DATA_KEY, sqlite_only

KEY = "msteams/conversations/a:personal-7faf8ab2"
OTHER_KEY = "msteams/conversations/a:personal-0c0ffee0"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def draft_state(name: str = "Kari Nordmann") -> dict[str, Any]:
    return {
        "report": {
            "step": "violence",
            "draft": {
                "answers": {"person_name": name, "vulnerability": ["dementia", "old_age"]},
                "municipalities": [{"id": "m1", "name": "Sarpsborg"}],
            },
        },
        "turns": 3,
    }


@pytest.fixture
def store(sessions: Any) -> Iterator[SqlStorage]:
    store = SqlStorage(sessions, FieldCipher(parse_keys(DATA_KEY)))
    yield store
    store.close()


@pytest.fixture
def states(store: SqlStorage) -> ConversationStates:
    return ConversationStates(store)


async def stored_row(sessions: Any, key: str) -> DialogState | None:
    async with sessions() as session:
        return await session.scalar(select(DialogState).where(DialogState.key == row_key_of(key)))


async def touched_at(sessions: Any, key: str, when: datetime) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(DialogState).where(DialogState.key == row_key_of(key)).values(updated_at=when)
        )


async def write(store: SqlStorage, key: str, value: Any, etag: str | None = None) -> str:
    """Write one state; its new etag."""
    return (await store.write({key: StoredState(value, etag)}))[key]


# --- where a conversation's state is stored ---------------------------------------------------


def test_a_conversations_state_is_stored_under_the_key_botbuilder_stored_it_under() -> None:
    # botbuilder's ConversationState.get_storage_key: "{channel_id}/conversations/{id}", and the
    # row's key its SHA-256 (rows written by the bot on botbuilder are found).
    key = conversation_key("msteams", "a:personal-7faf8ab2")

    assert key == "msteams/conversations/a:personal-7faf8ab2"
    assert row_key_of(key) == hashlib.sha256(key.encode()).hexdigest()


@pytest.mark.parametrize(("channel", "conversation"), [("", "a:1"), ("msteams", "")])
def test_a_state_needs_the_channel_and_the_conversation(channel: str, conversation: str) -> None:
    with pytest.raises(ValueError):
        conversation_key(channel, conversation)


# --- SqlStorage: states by key, with etags ------------------------------------------------------


async def test_written_state_reads_back_with_its_nested_values(store: SqlStorage) -> None:
    await write(store, KEY, draft_state())
    read = await store.read([KEY])
    assert read[KEY].value == draft_state()


async def test_read_state_carries_an_etag(store: SqlStorage) -> None:
    await write(store, KEY, draft_state())
    read = await store.read([KEY])
    assert read[KEY].etag


async def test_reading_a_key_never_written_gives_nothing(store: SqlStorage) -> None:
    assert await store.read([KEY]) == {}


async def test_a_write_with_a_stale_etag_is_refused(store: SqlStorage) -> None:
    await write(store, KEY, draft_state())
    mine, theirs = (await store.read([KEY]))[KEY], (await store.read([KEY]))[KEY]
    await write(store, KEY, {**theirs.value, "turns": 4}, theirs.etag)
    with pytest.raises(EtagConflict):
        await write(store, KEY, {**mine.value, "turns": 99}, mine.etag)


async def test_a_refused_write_keeps_the_newer_value(store: SqlStorage) -> None:
    await write(store, KEY, draft_state())
    mine, theirs = (await store.read([KEY]))[KEY], (await store.read([KEY]))[KEY]
    await write(store, KEY, {**theirs.value, "turns": 4}, theirs.etag)
    with pytest.raises(EtagConflict):
        await write(store, KEY, {**mine.value, "turns": 99}, mine.etag)
    assert (await store.read([KEY]))[KEY].value["turns"] == 4


async def test_a_write_without_an_etag_overwrites_whatever_is_there(store: SqlStorage) -> None:
    await write(store, KEY, draft_state())
    await write(store, KEY, {**draft_state(), "turns": 7})
    assert (await store.read([KEY]))[KEY].value["turns"] == 7


async def test_a_write_gives_the_etag_the_state_is_stored_under(store: SqlStorage) -> None:
    etag = await write(store, KEY, draft_state())
    assert (await store.read([KEY]))[KEY].etag == etag


async def test_state_read_then_written_twice_is_saved_both_times(store: SqlStorage) -> None:
    await write(store, KEY, draft_state())
    read = (await store.read([KEY]))[KEY]
    etag = await write(store, KEY, {**read.value, "turns": 4}, read.etag)
    await write(store, KEY, {**read.value, "turns": 5}, etag)
    assert (await store.read([KEY]))[KEY].value["turns"] == 5


async def test_one_write_can_hold_several_keys(store: SqlStorage) -> None:
    await store.write(
        {KEY: StoredState(draft_state("Kari")), OTHER_KEY: StoredState(draft_state("Ola"))}
    )
    read = await store.read([KEY, OTHER_KEY])
    names = {k: v.value["report"]["draft"]["answers"]["person_name"] for k, v in read.items()}
    assert names == {KEY: "Kari", OTHER_KEY: "Ola"}


async def test_a_write_refused_for_one_key_writes_none_of_the_batch(store: SqlStorage) -> None:
    await write(store, KEY, draft_state())
    stale = (await store.read([KEY]))[KEY]
    await write(store, KEY, {**stale.value, "turns": 4}, stale.etag)
    with pytest.raises(EtagConflict):
        await store.write({OTHER_KEY: StoredState(draft_state("Ola")), KEY: stale})
    assert await store.read([OTHER_KEY]) == {}


async def test_delete_removes_the_state(store: SqlStorage) -> None:
    await store.write({KEY: StoredState(draft_state()), OTHER_KEY: StoredState(draft_state("Ola"))})
    await store.delete([KEY])
    assert set(await store.read([KEY, OTHER_KEY])) == {OTHER_KEY}


async def test_purge_deletes_only_state_untouched_for_14_days(
    store: SqlStorage, sessions: Any
) -> None:
    await store.write({KEY: StoredState(draft_state()), OTHER_KEY: StoredState(draft_state("Ola"))})
    await touched_at(sessions, KEY, NOW - timedelta(days=14, minutes=1))
    await touched_at(sessions, OTHER_KEY, NOW - timedelta(days=13, hours=23))

    assert await store.purge_untouched(now=NOW) == 1
    assert set(await store.read([KEY, OTHER_KEY])) == {OTHER_KEY}


async def test_the_stored_bytes_do_not_hold_the_plaintext(store: SqlStorage, sessions: Any) -> None:
    await write(store, KEY, draft_state("Kari Nordmann"))
    row = await stored_row(sessions, KEY)
    assert row is not None
    assert b"Nordmann" not in row.data
    assert b"dementia" not in row.data


async def test_the_row_key_does_not_hold_the_conversation_id(
    store: SqlStorage, sessions: Any
) -> None:
    await write(store, KEY, draft_state())
    row = await stored_row(sessions, KEY)
    assert row is not None
    assert "personal" not in row.key


async def test_state_copied_to_another_key_does_not_decrypt(
    store: SqlStorage, sessions: Any
) -> None:
    await store.write(
        {KEY: StoredState(draft_state("Kari")), OTHER_KEY: StoredState(draft_state("Ola"))}
    )
    row = await stored_row(sessions, KEY)
    assert row is not None
    async with sessions() as session, session.begin():
        await session.execute(
            update(DialogState)
            .where(DialogState.key == row_key_of(OTHER_KEY))
            .values(data=row.data)
        )
    with pytest.raises(DecryptionError):
        await store.read([OTHER_KEY])


async def test_claiming_an_activity_reads_the_state_in_the_same_transaction(
    store: SqlStorage,
) -> None:
    await write(store, KEY, draft_state())

    claim = await store.claim_and_read("activity-1", KEY)

    assert claim.taken
    assert claim.state is not None
    assert claim.state.value == draft_state()
    changed = StoredState({**claim.state.value, "turns": 4}, claim.state.etag)
    await store.write({KEY: changed}, "activity-1")  # the etag read is the current one
    assert (await store.read([KEY]))[KEY].value["turns"] == 4


async def test_an_activity_saved_with_its_turns_state_is_not_taken_again(
    store: SqlStorage,
) -> None:
    await write(store, KEY, draft_state())
    claim = await store.claim_and_read("activity-1", KEY)
    assert claim.state is not None
    await store.write({KEY: claim.state}, "activity-1")

    assert await store.claim_and_read("activity-1", KEY) == Claim(taken=False)


async def test_an_activity_recorded_by_a_turn_that_saved_nothing_is_not_taken_again(
    store: SqlStorage,
) -> None:
    await store.claim_and_read("activity-1", KEY)
    await store.record_claim("activity-1")

    assert not (await store.claim_and_read("activity-1", KEY)).taken


async def test_claiming_in_a_conversation_without_state_gives_none(store: SqlStorage) -> None:
    claim = await store.claim_and_read("activity-1", OTHER_KEY)

    assert (claim.taken, claim.state) == (True, None)


# --- ConversationStates: a conversation's state for one turn -----------------------------------


async def test_a_conversation_with_nothing_stored_loads_an_empty_state(
    states: ConversationStates,
) -> None:
    loaded = await states.load(KEY)

    assert (loaded.state, loaded.etag, loaded.changed) == ({}, None, False)


async def test_a_loaded_state_is_the_stored_one_with_its_etag(
    store: SqlStorage, states: ConversationStates
) -> None:
    etag = await write(store, KEY, draft_state())

    loaded = await states.load(KEY)

    assert (loaded.state, loaded.etag) == (draft_state(), etag)


async def test_a_change_deep_inside_the_state_is_a_change() -> None:
    loaded = LoadedState(KEY, draft_state(), etag="read")
    assert not loaded.changed

    loaded.state["report"]["draft"]["answers"]["vulnerability"].append("illness")
    assert loaded.changed


async def test_a_changed_state_is_saved_and_reads_back(
    store: SqlStorage, states: ConversationStates
) -> None:
    await write(store, KEY, draft_state())
    loaded = await states.load(KEY)
    loaded.state["turns"] = 4

    await states.save(loaded)

    assert (await store.read([KEY]))[KEY].value["turns"] == 4


async def test_a_saved_state_takes_the_new_etag_and_is_unchanged_until_changed_again(
    store: SqlStorage, states: ConversationStates
) -> None:
    await write(store, KEY, draft_state())
    loaded = await states.load(KEY)
    loaded.state["draft"] = loaded.state.pop("report")["draft"]
    assert loaded.changed

    await states.save(loaded)

    assert loaded.etag == (await store.read([KEY]))[KEY].etag
    assert not loaded.changed


async def test_a_state_saved_twice_in_a_turn_is_saved_both_times(
    store: SqlStorage, states: ConversationStates
) -> None:
    loaded = await states.load(KEY)
    loaded.state.update(draft_state())
    await states.save(loaded)
    first_etag = loaded.etag
    loaded.state["turns"] = 4

    await states.save(loaded)

    assert loaded.etag != first_etag
    assert (await store.read([KEY]))[KEY].value["turns"] == 4


async def test_an_unchanged_state_is_not_written(
    store: SqlStorage, states: ConversationStates, sessions: Any
) -> None:
    etag = await write(store, KEY, draft_state())
    await touched_at(sessions, KEY, NOW)
    loaded = await states.load(KEY)

    await states.save(loaded)

    row = await stored_row(sessions, KEY)
    assert row is not None
    assert (row.etag, row.updated_at.replace(tzinfo=UTC)) == (etag, NOW)


async def test_a_conversation_whose_turn_changed_nothing_stores_nothing(
    store: SqlStorage, states: ConversationStates
) -> None:
    await states.save(await states.load(KEY))

    assert await store.read([KEY]) == {}


async def test_a_state_saved_by_someone_else_since_it_was_loaded_is_not_overwritten(
    store: SqlStorage, states: ConversationStates
) -> None:
    await write(store, KEY, draft_state())
    mine, theirs = await states.load(KEY), await states.load(KEY)
    theirs.state["turns"] = 4
    await states.save(theirs)
    mine.state["turns"] = 99

    with pytest.raises(EtagConflict):
        await states.save(mine)
    assert (await store.read([KEY]))[KEY].value["turns"] == 4


async def test_claim_and_load_gives_the_state_and_none_for_an_activity_taken_already(
    store: SqlStorage, states: ConversationStates
) -> None:
    await write(store, KEY, draft_state())

    loaded = await states.claim_and_load(KEY, "activity-1")
    assert loaded is not None
    assert loaded.state == draft_state()
    await states.save(loaded)  # unchanged: writes nothing, and the claim waits for record_claim
    await states.record_claim(loaded)

    assert await states.claim_and_load(KEY, "activity-1") is None


async def test_an_activity_claimed_is_recorded_with_the_turns_save(
    states: ConversationStates,
) -> None:
    loaded = await states.claim_and_load(KEY, "activity-1")
    assert loaded is not None
    loaded.state.update(draft_state())

    await states.save(loaded)

    assert loaded.claim is None  # recorded (on SQLite with the save; PostgreSQL at the claim)
    assert await states.claim_and_load(KEY, "activity-1") is None


def test_a_state_pickle_cannot_take_is_always_taken_for_changed() -> None:
    # One write too many, never one too few.
    loaded = LoadedState(KEY, {"callback": lambda: None})

    assert loaded.changed


@pytest.fixture
async def impatient(engine: Any, database_url: str) -> AsyncIterator[tuple[Any, SqlStorage]]:
    """Sessions and a state store on an engine of their own whose SQLite statements give up on
    another connection's write lock after 50 ms (the database is `engine`'s, migrated)."""
    impatient = make_engine(database_url, sqlite_busy_ms=50)
    sessions = make_sessionmaker(impatient)
    store = SqlStorage(sessions, FieldCipher(parse_keys(DATA_KEY)))
    yield sessions, store
    store.close()
    await impatient.dispose()


async def test_a_turn_waits_its_turn_to_write_behind_a_longer_writer(
    impatient: tuple[Any, SqlStorage],
) -> None:
    # The claim and the state go to the driver directly, past SQLAlchemy's cursor events (on
    # SQLite, on a connection of their own): they must still queue behind this process's other
    # writers, or SQLite (here with a 50 ms busy timeout, and none on the state's own
    # connection) says "database is locked" while a longer transaction holds its write lock.
    sessions, store = impatient
    writing = asyncio.Event()

    async def longer_writer() -> None:
        async with sessions() as session, session.begin():
            session.add(ProcessedActivity(key="other-activity", created_at=utcnow()))
            await session.flush()
            writing.set()
            await asyncio.sleep(0.3)

    async def turn() -> bool:
        await writing.wait()
        claim = await store.claim_and_read("activity-1", KEY)
        await store.write({KEY: StoredState(draft_state())}, "activity-1")
        return claim.taken

    _, claimed = await asyncio.gather(longer_writer(), turn())
    stored = await store.read([KEY])
    assert claimed is True
    assert stored[KEY].value == draft_state()


@sqlite_only
async def test_a_save_inside_the_same_tasks_own_write_transaction_fails_instead_of_waiting_for_ever(
    impatient: tuple[Any, SqlStorage],
) -> None:
    sessions, store = impatient
    async with sessions() as session, session.begin():
        session.add(ProcessedActivity(key="other-activity", created_at=utcnow()))
        await session.flush()  # this task now has the writer turn, through the pool
        # Waiting for the turn it has itself would never end: SQLite's own lock answers.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with asyncio.timeout(10):  # in this task: wait_for would make another
                await store.write({KEY: StoredState(draft_state())})


async def test_a_save_cancelled_while_it_waits_to_write_gives_back_what_it_held(
    engine: Any, database_url: str
) -> None:
    crowded = make_engine(database_url)
    sessions = make_sessionmaker(crowded)
    store = SqlStorage(sessions, FieldCipher(parse_keys(DATA_KEY)))
    writing, done = asyncio.Event(), asyncio.Event()

    async def longer_writer() -> None:
        async with sessions() as session, session.begin():
            session.add(ProcessedActivity(key="other-activity", created_at=utcnow()))
            await session.flush()
            writing.set()
            await done.wait()

    # A connection not given back is found by the garbage collector, which says so.
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        try:
            writer = asyncio.create_task(longer_writer())
            await writing.wait()
            turn = asyncio.create_task(store.write({KEY: StoredState(draft_state())}, "activity-1"))
            await asyncio.sleep(0.1)  # on SQLite it waits behind the writer
            turn.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await turn
            done.set()
            await writer
            gc.collect()
            checked_out = crowded.sync_engine.pool.checkedout()  # type: ignore[attr-defined]
            # Nor does it keep this process's turn to write: the next save goes through.
            await asyncio.wait_for(
                store.write({KEY: StoredState(draft_state())}, "activity-2"), timeout=5
            )
        finally:
            store.close()
            await crowded.dispose()
    assert checked_out == 0
    assert not [w for w in said if "non-checked-in connection" in str(w.message)]


@sqlite_only
async def test_while_another_process_holds_sqlites_write_lock_a_save_waits_off_the_event_loop(
    store: SqlStorage, database_url: str
) -> None:
    # As the CLI would, from another process: a write transaction on a connection of its own.
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    order: list[str] = []

    async def save() -> None:
        await store.write({KEY: StoredState(draft_state())}, "activity-1")
        order.append("saved")

    async def meanwhile() -> None:
        await asyncio.sleep(0.05)
        order.append("the event loop went on")
        other.execute("COMMIT")

    try:
        await asyncio.wait_for(asyncio.gather(save(), meanwhile()), timeout=10)
    finally:
        other.close()

    assert order == ["the event loop went on", "saved"]
    # The state's own connection, which runs on the event loop's thread, never waits for a lock.
    assert store.own_connection is not None
    assert store.own_connection.execute("PRAGMA busy_timeout").fetchone() == (0,)
    assert (await store.read([KEY]))[KEY].value == draft_state()
    assert not (await store.claim_and_read("activity-1", KEY)).taken


@sqlite_only
async def test_on_sqlite_a_draft_waits_for_the_disk_with_the_next_sent_report_not_each_turn(
    store: SqlStorage, database_url: str
) -> None:
    await store.write({KEY: StoredState(draft_state())}, "activity-1")
    assert store.own_connection is not None
    own = store.own_connection.execute("PRAGMA synchronous").fetchone()
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            pooled = (await conn.execute(text("PRAGMA synchronous"))).scalar()
    finally:
        await engine.dispose()
    # SQLite's numbers: 1 is NORMAL (in WAL mode no fsync at a commit), 2 is FULL.
    assert own == (1,)
    assert pooled == 2
