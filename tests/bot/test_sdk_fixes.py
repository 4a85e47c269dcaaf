"""bot/sdk_fixes.py: TurnContext's reply handlers run as botbuilder ran them (in the order
added, each deciding whether the next and the reply itself go ahead), without the closure that
kept every turn alive until the garbage collector came by."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationAccount, ResourceResponse

import bot.app  # noqa: F401  (applies the fixes, as the running bot does)


class Recording(BotAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> Any:
        self.sent += [a.text or "" for a in activities]
        return [ResourceResponse(id=str(len(self.sent)))]

    async def update_activity(self, context: TurnContext, activity: Activity) -> Any:
        return ResourceResponse(id=activity.id)

    async def delete_activity(self, context: TurnContext, reference: Any) -> None:
        return None


def a_turn(adapter: BotAdapter) -> TurnContext:
    return TurnContext(
        adapter,
        Activity(
            type=ActivityTypes.message,
            id="1",
            text="hei",
            channel_id="msteams",
            service_url="https://smba.example/",
            conversation=ConversationAccount(id="a:1"),
        ),
    )


async def test_handlers_run_in_the_order_added_around_the_reply() -> None:
    adapter = Recording()
    context = a_turn(adapter)
    heard: list[str] = []

    async def first(ctx: TurnContext, activities: list[Activity], next_handler: Any) -> Any:
        heard.append("first")
        activities[0].text += " (1)"
        return await next_handler()

    async def second(ctx: TurnContext, activities: list[Activity], next_handler: Any) -> Any:
        heard.append("second")
        return await next_handler()

    context.on_send_activities(first)
    context.on_send_activities(second)
    await context.send_activity("svar")

    assert heard == ["first", "second"]
    assert adapter.sent == ["svar (1)"]


async def test_a_handler_that_does_not_go_on_stops_the_rest_but_not_the_reply() -> None:
    # As botbuilder's own _emit: the logic after the handlers runs whatever they did.
    adapter = Recording()
    context = a_turn(adapter)
    heard: list[str] = []

    async def stops(ctx: TurnContext, activities: list[Activity], next_handler: Any) -> None:
        heard.append("stops")

    async def never(ctx: TurnContext, activities: list[Activity], next_handler: Any) -> Any:
        heard.append("never")
        return await next_handler()

    context.on_send_activities(stops)
    context.on_send_activities(never)
    await context.send_activity("svar")

    assert heard == ["stops"]
    assert adapter.sent == ["svar"]


async def test_a_turn_that_replied_is_freed_without_the_garbage_collector() -> None:
    adapter = Recording()
    context = a_turn(adapter)
    gone = weakref.ref(context)
    gc.disable()
    try:
        await context.send_activity("svar")
        await context.update_activity(Activity(type=ActivityTypes.message, id="1", text="ny"))
        del context
        assert gone() is None
    finally:
        gc.enable()
