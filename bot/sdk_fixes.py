"""What we carry for the Bot Framework SDK for Python, archived at 4.17: applied once, when bot/
is imported (bot/app.py).

TurnContext._emit, which runs the send, update and delete handlers around every reply, made a
closure that refers to itself (to call the next handler) and to the turn. That cycle kept each
turn's objects (its context, activity, replies, cards and state) in memory until the garbage
collector came by, several milliseconds every few hundred turns (issue #9). The same handlers in
the same order, through a function that is not a closure, are freed as soon as the turn is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from copy import copy
from functools import partial
from typing import Any

from botbuilder.core import TurnContext

Handler = Callable[[TurnContext, Any, Callable[[], Awaitable[None]]], Awaitable[Any]]


async def _run_handlers(context: TurnContext, handlers: list[Handler], arg: Any, i: int) -> None:
    """Handler i, given the rest as its `next`, as botbuilder's emit_next did."""
    if i < len(handlers):
        await handlers[i](context, arg, partial(_run_handlers, context, handlers, arg, i + 1))


async def _emit(self: TurnContext, plugins: list[Handler], arg: Any, logic: Awaitable[Any]) -> Any:
    await _run_handlers(self, copy(plugins), arg, 0)
    # botbuilder passes `logic` as a coroutine already made, to be awaited once the handlers ran.
    return await logic


TurnContext._emit = _emit  # type: ignore[method-assign]
