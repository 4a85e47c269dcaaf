"""The Teams activity handler: routes each activity to the conversation it belongs to."""

from __future__ import annotations

import logging

from botbuilder.core import ConversationState, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import ChannelAccount

from cards.texts import text
from dialogs.intents import intent_of, language_of
from dialogs.personal_chat import PersonalChat

log = logging.getLogger(__name__)


def is_personal(context: TurnContext) -> bool:
    conversation = context.activity.conversation
    return conversation is not None and (conversation.conversation_type or "personal") == "personal"


class TryggEstBot(TeamsActivityHandler):
    def __init__(self, conversation_state: ConversationState, personal_chat: PersonalChat) -> None:
        self._conversation_state = conversation_state
        self._personal_chat = personal_chat

    async def on_turn(self, turn_context: TurnContext) -> None:
        await super().on_turn(turn_context)
        await self._conversation_state.save_changes(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        if is_personal(turn_context):
            await self._personal_chat.on_message(turn_context)
            return
        # Reports never go through a channel or group chat: they would leave personal data there.
        if intent_of(turn_context) in ("report", "help", "greeting", "my_reports"):
            await turn_context.send_activity(text(language_of(turn_context), "channel_redirect"))

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if is_personal(turn_context) and any(m.id == bot_id for m in members_added):
            await self._personal_chat.welcome(turn_context)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == "adaptiveCard/action":
            # No card of ours uses Action.Execute yet: an old or forged one gets a plain answer.
            # (botbuilder's AdaptiveCardInvokeResponse cannot carry a text value, so a dict.)
            log.info("unknown card action on activity %s", turn_context.activity.id)
            return InvokeResponse(
                status=200,
                body={
                    "statusCode": 200,
                    "type": "application/vnd.microsoft.activity.message",
                    "value": text(language_of(turn_context), "unknown_action"),
                },
            )
        response = await super().on_invoke_activity(turn_context)
        # botbuilder answers an invoke it has no handler for with 501; to Teams that is a
        # request we do not take, so say so with a 4xx rather than a server error.
        if response is not None and response.status == 501:
            return InvokeResponse(status=400)
        return response
