"""Sending unasked: a card in a conversation the bot already has with someone, through the
CloudAdapter's continue_conversation. Implements scheduler.sender.ProactiveSender."""

from __future__ import annotations

from datetime import date
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from msrest.exceptions import HttpOperationError

from cards.case_cards import access_review_card
from cards.texts import language_for_locale
from domain.access import Person
from scheduler.sender import SendRefused
from storage.access_log import CaseAccessReview
from storage.references import StoredReference


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


def _refusal(error: HttpOperationError) -> SendRefused:
    response = error.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    code = getattr(getattr(getattr(error, "error", None), "error", None), "code", None)
    return SendRefused(int(status) if status else None, str(code) if code else None)


class BotProactiveSender:
    def __init__(self, adapter: CloudAdapter, app_id: str) -> None:
        self._adapter = adapter
        # Empty in local mode: the claims then carry no app id and no token is fetched.
        self._app_id = app_id

    async def send_card(self, reference: StoredReference, card: dict[str, Any]) -> None:
        failure: list[BaseException] = []
        sent: list[bool] = []

        async def send(context: TurnContext) -> None:
            # The adapter hands an exception raised here to on_turn_error, which would tell the
            # person something went wrong and swallow it; the caller needs it instead.
            try:
                await context.send_activity(
                    MessageFactory.attachment(CardFactory.adaptive_card(card))
                )
            except Exception as error:
                failure.append(error)
            else:
                sent.append(True)

        await self._adapter.continue_conversation(
            conversation_reference(reference), send, bot_app_id=self._app_id
        )
        if failure:
            error = failure[0]
            if isinstance(error, HttpOperationError):
                raise _refusal(error) from error
            raise error
        if not sent:  # the pipeline failed before the card (and on_turn_error swallowed it)
            raise RuntimeError("proactive turn ended without sending")


def render_access_review(
    locale: str | None, reviews: list[CaseAccessReview], names: dict[Person, str], month: date
) -> dict[str, Any]:
    """The monthly review card in the coordinator's own language."""
    return access_review_card(language_for_locale(locale), reviews, names, month=month)
