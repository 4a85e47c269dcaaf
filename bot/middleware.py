"""Middleware for every turn.

Exactly once: Teams redelivers a turn it thinks was slow, and people tap twice. Turns of one
conversation run one at a time in this process, and an activity already taken (by this or
another instance) is dropped before any dialogue sees it.

Remembering where each person's personal chat is, so the bot can write there unasked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import ChannelAdapter, Middleware, TurnContext

from bot.conversation_state import claim_and_load_state, loaded_state
from bot.turns import is_personal, reporter_of
from storage.activities import ProcessedActivities, activity_key
from storage.conversation_locks import ConversationLocks
from storage.outbox import rows_written
from storage.references import ConversationReferences, StoredReference
from storage.state_store import ConversationStates

log = logging.getLogger(__name__)

# The rest of the pipeline, as the SDK hands it to each middleware.
Next = Callable[[TurnContext], Awaitable[None]]


class ExactlyOnce(Middleware):
    def __init__(
        self,
        processed: ProcessedActivities,
        states: ConversationStates,
        across_instances: ConversationLocks | None = None,
    ) -> None:
        self._processed = processed
        # The claim also loads the conversation's state (one round trip, not two), where the
        # handler finds it (bot/conversation_state.py).
        self._states = states
        # Several instances: a conversation's turns also wait for each other's across them.
        self._across = across_instances
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock_for(self, conversation_id: str) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        return lock

    async def on_turn(self, context: TurnContext, logic: Next) -> None:
        activity = context.activity
        conversation_id = activity.conversation.id if activity.conversation else ""
        if activity.type not in (ActivityTypes.message, ActivityTypes.invoke) or not activity.id:
            await logic(context)
            return
        if activity.type == ActivityTypes.invoke and activity.name == "adaptiveCard/action":
            # A card press must be answered with the card: a redelivered press is answered
            # again, and changes nothing the second time (storage/casework.py's event keys).
            async with self._lock_for(conversation_id or ""), self._held(conversation_id or ""):
                await logic(context)
            return
        key = activity_key(activity.channel_id or "", conversation_id or "", activity.id)
        async with self._lock_for(conversation_id or ""), self._held(conversation_id or ""):
            if not await claim_and_load_state(self._states, context, key):
                log.info("activity %s delivered again: ignored", activity.id)
                if activity.type == ActivityTypes.invoke:
                    context.turn_state[ChannelAdapter.INVOKE_RESPONSE_KEY] = Activity(
                        type=ActivityTypes.invoke_response, value=InvokeResponse(status=200)
                    )
                return
            try:
                await logic(context)
            except Exception:
                try:
                    await self._processed.release(key)
                except Exception as release_error:  # the database may be what failed
                    log.warning(
                        "could not release activity %s: %s",
                        activity.id,
                        type(release_error).__name__,
                    )
                raise
            try:
                # SQLite records the activity with the turn's save; a turn that saved nothing
                # records it now, while the conversation's next turn still waits for this one.
                loaded = loaded_state(context)
                if loaded is not None:
                    await self._states.record_claim(loaded)
            except Exception as error:  # the person has had their answer: not worth failing for
                log.warning(
                    "activity %s not recorded as handled (a redelivery would be handled again): %s",
                    activity.id,
                    type(error).__name__,
                )

    def _held(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        if self._across is None:
            return contextlib.nullcontext()
        return self._across.held(conversation_id)


class LocaleOverride(Middleware):
    """Treat every activity as coming from one locale.

    For the Agents Playground, which always sends 'en-US': `make run` sets
    TRYGGEST_FORCE_LOCALE=nb-NO so a newcomer sees what a Norwegian user sees.
    """

    def __init__(self, locale: str) -> None:
        self._locale = locale

    async def on_turn(self, context: TurnContext, logic: Next) -> None:
        context.activity.locale = self._locale
        for entity in context.activity.entities or []:
            if entity.type == "clientInfo":
                # An entity's fields beyond its type are the SDK's extras.
                setattr(entity, "locale", self._locale)  # noqa: B010
        await logic(context)


def personal_reference(context: TurnContext) -> StoredReference | None:
    """The reference to this personal chat, when a person wrote in one (ids only)."""
    activity = context.activity
    conversation = activity.conversation
    person = reporter_of(context.activity)
    if (
        activity.type != ActivityTypes.message
        or person is None
        or conversation is None
        # Only a personal chat: a card meant for one person must never land in a channel.
        or not is_personal(activity)
        or not conversation.id
        or not activity.service_url
        or not activity.channel_id
        or activity.recipient is None
        or not activity.recipient.id
    ):
        return None
    return StoredReference(
        tenant_id=person.tenant_id,
        aad_object_id=person.aad_object_id,
        service_url=activity.service_url,
        channel_id=activity.channel_id,
        conversation_id=conversation.id,
        bot_id=activity.recipient.id,
        locale=activity.locale[:20] if activity.locale else None,
    )


class RememberConversation(Middleware):
    """Keeps each person's personal chat with the bot for messages sent unasked (the monthly
    access review). After the turn, so the reply is not kept waiting, and written only when it
    changed (ConversationReferences caches what is stored)."""

    def __init__(self, references: ConversationReferences) -> None:
        self._references = references

    async def on_turn(self, context: TurnContext, logic: Next) -> None:
        await logic(context)
        reference = personal_reference(context)
        if reference is None:
            return
        try:
            await self._references.remember(reference)
        except Exception as error:  # the person has had their answer: not worth failing for
            log.warning(
                "conversation reference for %s not stored: %s",
                reference.conversation_id,
                type(error).__name__,
            )


class KickAfterTurn(Middleware):
    """After a turn that wrote to the outbox (a report, a card press), wake the delivery, so the
    channel post or the reporter's status goes now rather than at the next tick. A turn that
    wrote nothing there wakes nothing."""

    def __init__(self, kick: Callable[[], None]) -> None:
        self._kick = kick

    async def on_turn(self, context: TurnContext, logic: Next) -> None:
        before = rows_written()
        await logic(context)
        if rows_written() != before:
            self._kick()
