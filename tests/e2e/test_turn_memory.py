"""A turn's objects are freed as soon as the turn ends, through /api/messages: nothing of it is
left for the garbage collector. The SDK's own send path (TurnContext.send_activity) makes
closures that refer to themselves and to the turn, which would keep every turn's context,
activity, cards and state in memory until a collection, and a collection pauses every turn."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from microsoft_agents.hosting.core import TurnContext

from storage.state_store import LoadedState
from tests.conftest import add_municipality
from tests.e2e.test_report_dialogue import start_report
from tests.support import Chat, find_action


@contextmanager
def no_garbage_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def alive(kind: type) -> int:
    return sum(1 for found in gc.get_objects() if type(found) is kind)


async def test_a_turn_mid_report_leaves_no_turn_context_and_no_conversation_state_behind(
    bot_url: str, connector: object, sessions: object
) -> None:
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    replies = await start_report(chat)

    with no_garbage_collection():
        contexts, states = alive(TurnContext), alive(LoadedState)
        replies = await chat.tap(find_action(replies[-1], step="acute", answer="no"))
        await chat.tap(find_action(replies[-1], step="consent", answer="consent"))
        left = alive(TurnContext) - contexts, alive(LoadedState) - states

    assert left == (0, 0)
