"""Sending unasked: a card in a conversation the bot already has with someone, a new one-to-one
chat, a new thread in a team's channel, and a posted card replaced in place, each one request
through the kept connector clients (bot/transport.py). Implements scheduler.sender's
ProactiveSender and ChannelSender.

Every request keeps to Teams' limits (bot.rate_limit) and is tried again, with exponential
backoff and full jitter, when Teams answers "not now" (408, 412, 429, any 5xx:
scheduler.sender.is_retryable) or does not answer at all; any other error status is Teams'
final answer and raised at once as SendRefused. When the tries run out, the outbox tries again
later (scheduler/outbox.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random as random_module
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from aiohttp import ClientConnectionError, ClientResponseError
from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    Channels,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
    ConversationResourceResponse,
)
from microsoft_agents.hosting.core import CardFactory, MessageFactory

from bot.rate_limit import RateLimiter
from bot.transport import TeamsClients
from cards.case_cards import access_review_card
from cards.texts import language_for_locale
from domain.access import Person
from domain.views import CaseAccessReview, PostedMessage
from scheduler.sender import ChannelAddress, SendRefused
from storage.references import StoredReference

log = logging.getLogger(__name__)
T = TypeVar("T")


# --- when to try again -----------------------------------------------------------------------


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: before retry n, a random wait in
    [0, min(cap, base * 2**(n-1))), or at least what Teams' Retry-After asks for."""

    attempts: int = 5  # in all, the first one included
    # When Teams does not answer at all: each try may cost a whole timeout, and the outbox (or
    # the reminder sweep) tries again later, so only this many here.
    attempts_without_answer: int = 2
    base: float = 1.0
    cap: float = 30.0
    # Asked to wait longer than this, we give up now: the outbox tries again on its next run
    # rather than hold a task (and a proactive turn) for minutes.
    longest_retry_after: float = 60.0

    def wait(
        self, retry: int, retry_after: float | None, random: Callable[[], float]
    ) -> float | None:
        """Seconds to wait before retry `retry` (1, 2, …); None to give up."""
        if retry_after is not None and retry_after > self.longest_retry_after:
            return None
        jittered = random() * min(self.cap, self.base * 2 ** (retry - 1))
        return max(jittered, retry_after or 0.0)


def _error_code(error: ClientResponseError) -> str | None:
    """Teams' error code ("ConversationBlockedByUser"): the SDK raises with the answer's body as
    the message where it read it, an ErrorResponse ({"error": {"code", "message"}})."""
    try:
        body = json.loads(error.message)
    except (TypeError, ValueError):
        return None
    found = body.get("error") if isinstance(body, dict) else None
    code = found.get("code") if isinstance(found, dict) else None
    return str(code) if code else None


def _refusal(error: ClientResponseError) -> SendRefused:
    return SendRefused(error.status or None, _error_code(error))


def _retry_after(error: ClientResponseError) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date."""
    value = error.headers.get("Retry-After") if error.headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _card_activity(card: dict[str, Any]) -> Activity:
    return MessageFactory.attachment(CardFactory.adaptive_card(card))


def conversation_reference(stored: StoredReference) -> ConversationReference:
    return ConversationReference(
        channel_id=stored.channel_id,
        service_url=stored.service_url,
        **_from_bot(stored.bot_id),
        conversation=ConversationAccount(
            id=stored.conversation_id,
            conversation_type="personal",
            tenant_id=stored.tenant_id,
        ),
        locale=stored.locale,
    )


def thread_reference(message: PostedMessage) -> ConversationReference:
    """Where a posted message is, as the SDK addresses it: a channel's thread, or a chat."""
    return ConversationReference(
        channel_id=Channels.ms_teams,
        service_url=message.service_url,
        **_from_bot(message.bot_id),
        conversation=ConversationAccount(
            id=message.conversation_id,
            conversation_type="personal" if message.personal else "channel",
            is_group=not message.personal,
            tenant_id=message.tenant_id,
        ),
    )


def _from_bot(bot_id: str | None) -> dict[str, Any]:
    """The bot's account for a new conversation, when known (the schema takes no None)."""
    return {"agent": ChannelAccount(id=bot_id)} if bot_id else {}


def addressed(activity: Activity, reference: ConversationReference) -> Activity:
    """The activity as sent in the conversation of `reference`, from the bot."""
    return activity.apply_conversation_reference(reference, is_incoming=False)


class BotProactiveSender:
    """ProactiveSender and ChannelSender over the kept connector clients (bot/transport.py).
    `sleep` and `random` are the backoff's (tests record the waits instead of waiting); the
    limiter has its own clock."""

    def __init__(
        self,
        clients: TeamsClients,
        *,
        backoff: Backoff | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = random_module.random,
    ) -> None:
        self._clients = clients
        self._backoff = backoff or Backoff()
        self._limiter = limiter or RateLimiter()
        self._sleep = sleep
        self._random = random

    async def send_card(self, reference: StoredReference, card: dict[str, Any]) -> str | None:
        activity = addressed(_card_activity(card), conversation_reference(reference))

        async def send() -> Any:
            client = await self._clients.client(reference.service_url)
            return await client.conversations.send_to_conversation(
                reference.conversation_id, activity
            )

        answer = await self._retrying(
            "send_card", reference.tenant_id, reference.conversation_id, send
        )
        return getattr(answer, "id", None) or None

    async def post_thread(self, channel: ChannelAddress, card: dict[str, Any]) -> PostedMessage:
        parameters = ConversationParameters(
            is_group=True,
            **_from_bot(channel.bot_id),
            tenant_id=channel.tenant_id,
            channel_data={
                "channel": {"id": channel.channel_id},
                "tenant": {"id": channel.tenant_id},
            },
            activity=_card_activity(card),
        )

        async def create() -> Any:
            return await self._create_conversation(channel.service_url, parameters)

        created = await self._retrying(
            "post_thread",
            channel.tenant_id,
            # A new thread is a new conversation; what they have in common is the channel.
            channel.channel_id,
            create,
        )
        if created is None or not created.id or not created.activity_id:
            raise RuntimeError("Teams answered the new thread without its ids")
        return PostedMessage(
            tenant_id=channel.tenant_id,
            service_url=channel.service_url,
            conversation_id=created.id,
            activity_id=created.activity_id,
            bot_id=channel.bot_id,
        )

    async def update_card(self, message: PostedMessage, card: dict[str, Any]) -> None:
        activity = addressed(_card_activity(card), thread_reference(message))
        activity.id = message.activity_id

        async def update() -> Any:
            client = await self._clients.client(message.service_url)
            return await client.conversations.update_activity(
                message.conversation_id, message.activity_id, activity
            )

        await self._retrying("update_card", message.tenant_id, message.conversation_id, update)

    async def open_chat(
        self, tenant_id: str, service_url: str, member_id: str, bot_id: str | None
    ) -> str:
        """A one-to-one chat of the bot with `member_id` (a '29:' id, or an Entra object id,
        which Teams takes too), opened or found by Teams: its conversation id."""
        parameters = ConversationParameters(
            is_group=False,
            **_from_bot(bot_id),
            members=[ChannelAccount(id=member_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
        )

        async def create() -> Any:
            return await self._create_conversation(service_url, parameters)

        created = await self._retrying("open_chat", tenant_id, member_id, create)
        if created is None or not created.id:
            raise RuntimeError("Teams answered the new chat without its id")
        return str(created.id)

    async def _create_conversation(
        self, service_url: str, parameters: ConversationParameters
    ) -> ConversationResourceResponse:
        """POST /v3/conversations on the kept client's session. The SDK's own call (1.9) raises
        without Teams' answer, so "MessageWritesBlocked" (the bot removed from the team) could
        not be told from any other 403; this one keeps it, as the SDK's sends do."""
        client = await self._clients.client(service_url)
        body = parameters.model_dump(by_alias=True, exclude_unset=True, mode="json")
        async with client.client.post("v3/conversations", json=body) as response:
            answer = await response.text("utf-8")
            if response.status not in (200, 201, 202):
                raise ClientResponseError(
                    response.request_info,
                    response.history,
                    status=response.status,
                    message=answer,
                    headers=response.headers,
                )
        return ConversationResourceResponse.model_validate_json(answer)

    async def _retrying(
        self,
        operation: str,
        tenant_id: str,
        conversation_id: str,
        request: Callable[[], Awaitable[T]],
    ) -> T:
        attempts = max(1, self._backoff.attempts)
        unanswered = 0
        for attempt in range(1, attempts + 1):
            await self._limiter.acquire(tenant_id, conversation_id)
            try:
                return await request()
            except (ClientConnectionError, TimeoutError) as error:
                # No answer at all (refused, reset, timed out): another try, as for a 503.
                unanswered += 1
                last = attempt == attempts or unanswered >= self._backoff.attempts_without_answer
                wait = None if last else self._backoff.wait(attempt, None, self._random)
                if wait is None:
                    log.warning(
                        "%s: Teams not reached after %d attempt(s): %s",
                        operation,
                        attempt,
                        type(error).__name__,
                    )
                    raise
                log.info(
                    "%s: Teams not reached (%s); attempt %d of %d in %.2f s",
                    operation,
                    type(error).__name__,
                    attempt + 1,
                    attempts,
                    wait,
                )
                await self._sleep(wait)
            except ClientResponseError as error:
                refused = _refusal(error)
                if not refused.retryable:
                    raise refused from error
                wait = (
                    self._backoff.wait(attempt, _retry_after(error), self._random)
                    if attempt < attempts
                    else None
                )
                if wait is None:
                    log.warning(
                        "%s refused by Teams: %s %s after %d attempt(s)",
                        operation,
                        refused.status,
                        refused.code or "",
                        attempt,
                    )
                    raise refused from error
                log.info(
                    "%s: Teams answered %s; attempt %d of %d in %.2f s",
                    operation,
                    refused.status,
                    attempt + 1,
                    attempts,
                    wait,
                )
                await self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")


def render_access_review(
    locale: str | None, reviews: list[CaseAccessReview], names: dict[Person, str], month: date
) -> dict[str, Any]:
    """The monthly review card in the coordinator's own language."""
    return access_review_card(language_for_locale(locale), reviews, names, month=month)
