"""Sending unasked: a card in a conversation the bot already has with someone (through the
CloudAdapter's continue_conversation), a new thread in a team's channel, and a posted card
replaced in place. Implements scheduler.sender.ProactiveSender and ChannelSender.

Every request keeps to Teams' limits (bot.rate_limit) and is tried again, with exponential
backoff and full jitter, when Teams answers 429, 412, 502 or 504; any other error status is
Teams' final answer and raised at once as SendRefused.
"""

from __future__ import annotations

import asyncio
import logging
import random as random_module
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from botframework.connector import Channels
from msrest.exceptions import HttpOperationError
from msrest.universal_http.requests import ClientRetryPolicy
from urllib3.util.retry import Retry

from bot.rate_limit import RateLimiter
from cards.case_cards import access_review_card
from cards.texts import language_for_locale
from domain.access import Person
from domain.views import CaseAccessReview, PostedMessage
from scheduler.sender import ChannelAddress, SendRefused
from storage.references import StoredReference

log = logging.getLogger(__name__)
T = TypeVar("T")


# --- msrest, the connector client's HTTP layer ----------------------------------------------
# Each botframework ConnectorClient gets a msrest ClientRetryPolicy: a urllib3 Retry of 3 (0.8 s
# backoff) on 408 and 5xx but 501 and 505, and on 413/429/503 with a Retry-After, slept inside
# the thread pool that sends the request, unseen by us. Under urllib3 2 its `method_whitelist` is
# silently ignored, so it retries PUT (update) and GET but not POST; and when it runs out on a
# 502 the caller gets a ClientRequestError (RetryError) without any status, not the
# HttpOperationError. Under our policy the two loops would multiply (4 requests per attempt of
# ours) and hide the status, so this is the one place where msrest's retries are turned off:
# every connector client this sender uses passes through `_our_retries_only` before its first
# request. Replies within a turn (not sent through here) keep msrest's default.
#
# Building a ClientRetryPolicy costs ~3-6 ms of CPU (a list of 999 codes made by membership tests
# against a 501-element list), once per connector client, i.e. per turn and per proactive send.
# The same codes from a frozenset: the same policy in ~0.05 ms, for every client in the process.
ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]

# What requests' HTTPAdapter uses by default: no retry of any kind, a status is returned as is.
_NO_TRANSPORT_RETRIES = Retry(0, read=False)


def _no_transport_retries(session: Any, config: Any, local: Any, **kwargs: Any) -> Any:
    # msrest mounts its Retry on a session when it makes it, and makes the first one with the
    # client; this hook of msrest's Configuration runs before each request, with its session.
    for transport in session.adapters.values():
        transport.max_retries = _NO_TRANSPORT_RETRIES
    return kwargs


def _our_retries_only(client: Any) -> None:
    """Let a connector client send each request once, whatever it answers."""
    client.config.session_configuration_callback = _no_transport_retries


# --- when to try again -----------------------------------------------------------------------


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: before retry n, a random wait in
    [0, min(cap, base * 2**(n-1))), or at least what Teams' Retry-After asks for."""

    attempts: int = 5  # in all, the first one included
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


def _status(error: HttpOperationError) -> int | None:
    response = error.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return int(status) if status else None


def _refusal(error: HttpOperationError) -> SendRefused:
    code = getattr(getattr(getattr(error, "error", None), "error", None), "code", None)
    return SendRefused(_status(error), str(code) if code else None)


def _retry_after(error: HttpOperationError) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date."""
    headers = getattr(error.response, "headers", None) or {}
    value = headers.get("Retry-After")
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
        bot=ChannelAccount(id=stored.bot_id),
        conversation=ConversationAccount(
            id=stored.conversation_id,
            conversation_type="personal",
            tenant_id=stored.tenant_id,
        ),
        locale=stored.locale,
    )


def thread_reference(message: PostedMessage) -> ConversationReference:
    return ConversationReference(
        channel_id=Channels.ms_teams,
        service_url=message.service_url,
        bot=ChannelAccount(id=message.bot_id) if message.bot_id else None,
        conversation=ConversationAccount(
            id=message.conversation_id,
            conversation_type="channel",
            is_group=True,
            tenant_id=message.tenant_id,
        ),
    )


class BotProactiveSender:
    """ProactiveSender and ChannelSender over the CloudAdapter. `sleep` and `random` are the
    backoff's (tests record the waits instead of waiting); the limiter has its own clock."""

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str,
        *,
        backoff: Backoff | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = random_module.random,
    ) -> None:
        self._adapter = adapter
        # Empty in local mode: the claims then carry no app id and no token is fetched.
        self._app_id = app_id
        self._backoff = backoff or Backoff()
        self._limiter = limiter or RateLimiter()
        self._sleep = sleep
        self._random = random

    async def send_card(self, reference: StoredReference, card: dict[str, Any]) -> None:
        async def send(context: TurnContext) -> None:
            await self._retrying(
                "send_card",
                reference.tenant_id,
                reference.conversation_id,
                lambda: context.send_activity(_card_activity(card)),
            )

        await self._in_conversation(conversation_reference(reference), send)

    async def post_thread(self, channel: ChannelAddress, card: dict[str, Any]) -> PostedMessage:
        # Straight through a connector client, not CloudAdapter.create_conversation: that runs a
        # whole turn (our middleware included) after the post for nothing, and makes up a uuid
        # for the activity id when Teams leaves it out. TeamsInfo.send_message_to_teams_channel
        # is no help either: with the empty app id of local mode it takes the legacy
        # BotFrameworkAdapter path and fails.
        parameters = ConversationParameters(
            is_group=True,
            bot=ChannelAccount(id=channel.bot_id) if channel.bot_id else None,
            # botbuilder serialises this as "tenantID"; Teams reads the tenant from channelData.
            tenant_id=channel.tenant_id,
            channel_data={
                "channel": {"id": channel.channel_id},
                "tenant": {"id": channel.tenant_id},
            },
            activity=_card_activity(card),
        )
        claims = self._adapter.create_claims_identity(self._app_id)
        factory = self._adapter.bot_framework_authentication.create_connector_factory(claims)
        connector = await factory.create(channel.service_url, None)
        _our_retries_only(connector)
        created = await self._retrying(
            "post_thread",
            channel.tenant_id,
            # A new thread is a new conversation; what they have in common is the channel.
            channel.channel_id,
            lambda: connector.conversations.create_conversation(parameters),
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
        async def update(context: TurnContext) -> None:
            def replacement() -> Awaitable[Any]:
                activity = _card_activity(card)
                activity.id = message.activity_id
                return context.update_activity(activity)

            await self._retrying(
                "update_card", message.tenant_id, message.conversation_id, replacement
            )

        await self._in_conversation(thread_reference(message), update)

    async def _in_conversation(
        self, reference: ConversationReference, action: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        failure: list[BaseException] = []
        done: list[bool] = []

        async def turn(context: TurnContext) -> None:
            _our_retries_only(context.turn_state[CloudAdapter.BOT_CONNECTOR_CLIENT_KEY])
            # The adapter hands an exception raised here to on_turn_error, which would tell the
            # person something went wrong and swallow it; the caller needs it instead.
            try:
                await action(context)
            except Exception as error:
                failure.append(error)
            else:
                done.append(True)

        await self._adapter.continue_conversation(reference, turn, bot_app_id=self._app_id)
        if failure:
            raise failure[0]
        if not done:  # the pipeline failed before the card (and on_turn_error swallowed it)
            raise RuntimeError("proactive turn ended without sending")

    async def _retrying(
        self,
        operation: str,
        tenant_id: str,
        conversation_id: str,
        request: Callable[[], Awaitable[T]],
    ) -> T:
        attempts = max(1, self._backoff.attempts)
        for attempt in range(1, attempts + 1):
            await self._limiter.acquire(tenant_id, conversation_id)
            try:
                return await request()
            except HttpOperationError as error:
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
