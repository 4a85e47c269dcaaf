"""botbuilder's dialogue state in our database, encrypted, with etags (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
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
from storage.state_store import Claim, EtagConflict, SqlStorage, _row_key
from tests.conftest import DATA_KEY, sqlite_only

KEY = "msteams/conversations/a:personal-7faf8ab2/"
OTHER_KEY = "msteams/conversations/a:personal-0c0ffee0/"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def draft_state(name: str = "Kari Nordmann") -> dict[str, Any]:
    return {
        "DialogState": {
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


async def stored_row(sessions: Any, key: str) -> DialogState | None:
    async with sessions() as session:
        return await session.scalar(select(DialogState).where(DialogState.key == _row_key(key)))


async def touched_at(sessions: Any, key: str, when: datetime) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(DialogState).where(DialogState.key == _row_key(key)).values(updated_at=when)
        )


def without_etag(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k != "e_tag"}


async def test_written_state_reads_back_with_its_nested_values(store: SqlStorage) -> None:
    await store.write({KEY: draft_state()})
    read = await store.read([KEY])
    assert without_etag(read[KEY]) == draft_state()


async def test_read_state_carries_an_etag(store: SqlStorage) -> None:
    await store.write({KEY: draft_state()})
    read = await store.read([KEY])
    assert read[KEY]["e_tag"]


async def test_reading_a_key_never_written_gives_nothing(store: SqlStorage) -> None:
    assert await store.read([KEY]) == {}


async def test_a_write_with_a_stale_etag_is_refused(store: SqlStorage) -> None:
    await store.write({KEY: draft_state()})
    mine, theirs = (await store.read([KEY]))[KEY], (await store.read([KEY]))[KEY]
    await store.write({KEY: {**theirs, "turns": 4}})
    with pytest.raises(EtagConflict):
        await store.write({KEY: {**mine, "turns": 99}})


async def test_a_refused_write_keeps_the_newer_value(store: SqlStorage) -> None:
    await store.write({KEY: draft_state()})
    mine, theirs = (await store.read([KEY]))[KEY], (await store.read([KEY]))[KEY]
    await store.write({KEY: {**theirs, "turns": 4}})
    with pytest.raises(EtagConflict):
        await store.write({KEY: {**mine, "turns": 99}})
    assert (await store.read([KEY]))[KEY]["turns"] == 4


async def test_a_write_with_etag_star_overwrites_whatever_is_there(store: SqlStorage) -> None:
    await store.write({KEY: draft_state()})
    await store.write({KEY: {**draft_state(), "e_tag": "*", "turns": 7}})
    assert (await store.read([KEY]))[KEY]["turns"] == 7


async def test_a_second_write_of_the_same_dict_in_a_turn_succeeds(store: SqlStorage) -> None:
    state = draft_state()
    await store.write({KEY: state})
    first_etag = state["e_tag"]
    state["turns"] = 4
    await store.write({KEY: state})
    assert state["e_tag"] != first_etag
    assert (await store.read([KEY]))[KEY]["turns"] == 4


async def test_a_write_gives_the_value_the_etag_it_is_stored_under(store: SqlStorage) -> None:
    state = draft_state()
    await store.write({KEY: state})
    assert (await store.read([KEY]))[KEY]["e_tag"] == state["e_tag"]


async def test_state_read_then_written_twice_in_a_turn_is_saved_both_times(
    store: SqlStorage,
) -> None:
    await store.write({KEY: draft_state()})
    state = (await store.read([KEY]))[KEY]
    state["turns"] = 4
    await store.write({KEY: state})
    state["turns"] = 5
    await store.write({KEY: state})
    assert (await store.read([KEY]))[KEY]["turns"] == 5


async def test_one_write_can_hold_several_keys(store: SqlStorage) -> None:
    await store.write({KEY: draft_state("Kari"), OTHER_KEY: draft_state("Ola")})
    read = await store.read([KEY, OTHER_KEY])
    names = {k: v["DialogState"]["draft"]["answers"]["person_name"] for k, v in read.items()}
    assert names == {KEY: "Kari", OTHER_KEY: "Ola"}


async def test_a_write_refused_for_one_key_writes_none_of_the_batch(store: SqlStorage) -> None:
    await store.write({KEY: draft_state()})
    stale = (await store.read([KEY]))[KEY]
    await store.write({KEY: {**stale, "turns": 4}})
    with pytest.raises(EtagConflict):
        await store.write({OTHER_KEY: draft_state("Ola"), KEY: stale})
    assert await store.read([OTHER_KEY]) == {}


async def test_delete_removes_the_state(store: SqlStorage) -> None:
    await store.write({KEY: draft_state(), OTHER_KEY: draft_state("Ola")})
    await store.delete([KEY])
    assert set(await store.read([KEY, OTHER_KEY])) == {OTHER_KEY}


async def test_purge_deletes_only_state_untouched_for_14_days(
    store: SqlStorage, sessions: Any
) -> None:
    await store.write({KEY: draft_state(), OTHER_KEY: draft_state("Ola")})
    await touched_at(sessions, KEY, NOW - timedelta(days=14, minutes=1))
    await touched_at(sessions, OTHER_KEY, NOW - timedelta(days=13, hours=23))

    assert await store.purge_untouched(now=NOW) == 1
    assert set(await store.read([KEY, OTHER_KEY])) == {OTHER_KEY}


async def test_the_stored_bytes_do_not_hold_the_plaintext(store: SqlStorage, sessions: Any) -> None:
    await store.write({KEY: draft_state("Kari Nordmann")})
    row = await stored_row(sessions, KEY)
    assert row is not None
    assert b"Nordmann" not in row.data
    assert b"dementia" not in row.data


async def test_the_row_key_does_not_hold_the_conversation_id(
    store: SqlStorage, sessions: Any
) -> None:
    await store.write({KEY: draft_state()})
    row = await stored_row(sessions, KEY)
    assert row is not None
    assert "personal" not in row.key


async def test_state_copied_to_another_key_does_not_decrypt(
    store: SqlStorage, sessions: Any
) -> None:
    await store.write({KEY: draft_state("Kari"), OTHER_KEY: draft_state("Ola")})
    row = await stored_row(sessions, KEY)
    assert row is not None
    async with sessions() as session, session.begin():
        await session.execute(
            update(DialogState).where(DialogState.key == _row_key(OTHER_KEY)).values(data=row.data)
        )
    with pytest.raises(DecryptionError):
        await store.read([OTHER_KEY])


async def test_claiming_an_activity_reads_the_state_in_the_same_transaction(
    store: SqlStorage,
) -> None:
    await store.write({KEY: draft_state()})

    claim = await store.claim_and_read("activity-1", KEY)

    assert claim.taken
    assert without_etag(claim.state) == draft_state()
    claim.state["turns"] = 4
    await store.write({KEY: claim.state}, "activity-1")  # the etag read is the current one
    assert (await store.read([KEY]))[KEY]["turns"] == 4


async def test_an_activity_saved_with_its_turns_state_is_not_taken_again(
    store: SqlStorage,
) -> None:
    await store.write({KEY: draft_state()})
    claim = await store.claim_and_read("activity-1", KEY)
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


def test_a_snapshot_sees_a_change_deep_inside_the_state() -> None:
    from botbuilder.dialogs import DialogInstance
    from botbuilder.dialogs import DialogState as BotDialogState

    from storage.state_store import StateSnapshot

    state = draft_state()
    state["DialogStateBot"] = BotDialogState([DialogInstance(id="report", state={"step": "acute"})])
    cached = StateSnapshot(state)
    assert not cached.is_changed

    state["DialogStateBot"].dialog_stack[0].state["step"] = "consent"
    assert cached.is_changed


def test_a_new_etag_alone_is_not_a_change_of_the_state() -> None:
    from storage.state_store import StateSnapshot

    cached = StateSnapshot({**draft_state(), "e_tag": "read"})
    cached.state["e_tag"] = "saved"  # what every save does
    assert not cached.is_changed

    cached.state["turns"] = 4
    assert cached.is_changed


async def test_a_snapshot_of_an_untouched_state_is_unchanged_after_a_write(
    store: SqlStorage,
) -> None:
    # Through botbuilder's own save_changes: the write puts the new etag into the state, and the
    # snapshot taken after it must include it, or every later save would write again.
    from botbuilder.core import TurnContext
    from botbuilder.core.adapters import TestAdapter
    from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

    from storage.state_store import SnapshotConversationState, StateSnapshot

    conversation_state = SnapshotConversationState(store)
    activity = Activity(
        type="message",
        channel_id="msteams",
        conversation=ConversationAccount(id="a:personal-7faf8ab2"),
        from_property=ChannelAccount(id="29:someone"),
        recipient=ChannelAccount(id="28:bot"),
    )
    context = TurnContext(TestAdapter(), activity)
    key = conversation_state.get_storage_key(context)
    await store.write({key: draft_state()})
    await conversation_state.load(context)
    cached = conversation_state.get_cached_state(context)
    assert isinstance(cached, StateSnapshot)
    cached.state["draft"] = cached.state.pop("DialogState")["draft"]
    assert cached.is_changed

    await conversation_state.save_changes(context)

    stored = (await store.read([key]))[key]
    assert cached.state["e_tag"] == stored["e_tag"]  # written, the new etag put in the state
    assert not cached.is_changed


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
        await store.write({KEY: draft_state()}, "activity-1")
        return claim.taken

    _, claimed = await asyncio.gather(longer_writer(), turn())
    stored = await store.read([KEY])
    assert claimed is True
    assert without_etag(stored[KEY]) == draft_state()


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
                await store.write({KEY: draft_state()})


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
            turn = asyncio.create_task(store.write({KEY: draft_state()}, "activity-1"))
            await asyncio.sleep(0.1)  # on SQLite it waits behind the writer
            turn.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await turn
            done.set()
            await writer
            gc.collect()
            checked_out = crowded.sync_engine.pool.checkedout()  # type: ignore[attr-defined]
            # Nor does it keep this process's turn to write: the next save goes through.
            await asyncio.wait_for(store.write({KEY: draft_state()}, "activity-2"), timeout=5)
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
        await store.write({KEY: draft_state()}, "activity-1")
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
    assert without_etag((await store.read([KEY]))[KEY]) == draft_state()
    assert not (await store.claim_and_read("activity-1", KEY)).taken


@sqlite_only
async def test_on_sqlite_a_draft_waits_for_the_disk_with_the_next_sent_report_not_each_turn(
    store: SqlStorage, database_url: str
) -> None:
    await store.write({KEY: draft_state()}, "activity-1")
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
