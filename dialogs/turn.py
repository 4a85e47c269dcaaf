"""One turn as the dialogues see it: who wrote, where, what they typed or pressed, and how to
answer in the same conversation.

bot/ reads the SDK's activity into a Turn once (bot/turns.py); dialogs/ never see the SDK. A
person is (tenant, Entra object id): Teams' per-bot '29:' ids are kept only for mentions, which
carry nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from cards.report_cards import ACTION_KEY
from cards.texts import Language
from domain.case import Reporter
from domain.views import PostedMessage

Card = dict[str, Any]  # an Adaptive Card's content


class Chat(Protocol):
    """The conversation the turn came from, as far as a dialogue may touch it."""

    async def send(self, message: str | Card) -> str | None:
        """Send a text or a card; the new message's id, when Teams gives one."""

    async def update(self, message_id: str, content: Card) -> None:
        """Replace the card of a message the bot sent earlier (raises when Teams refuses)."""


@dataclass(frozen=True)
class Mention:
    """Someone @mentioned in the message: the per-bot id Teams gives, the name, and the
    mention's text as it stands in the message ('<at>Kari</at>')."""

    id: str
    name: str
    text: str | None = None


@dataclass(frozen=True)
class Turn:
    chat: Chat
    activity_id: str | None
    lang: Language
    tenant_id: str | None = None
    person: Reporter | None = None
    person_name: str | None = None
    conversation_id: str | None = None
    # personal | channel | groupChat
    conversation_type: str = "personal"
    # The Teams team and channel a channel message comes from (channelData.team, .channel).
    team_id: str | None = None
    channel_id: str | None = None
    service_url: str | None = None
    bot_id: str | None = None
    text: str | None = None
    # What a card's button sent (Action.Submit or Action.Execute data), when it is a dict.
    value: dict[str, Any] | None = None
    # The message whose card was pressed.
    reply_to_id: str | None = None
    mentions: tuple[Mention, ...] = ()
    # The conversation's dialogue state for this turn, stored when the turn ends.
    state: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_personal(self) -> bool:
        return self.conversation_type == "personal"

    @property
    def card_data(self) -> dict[str, Any] | None:
        """The data of one of our cards' buttons; None for typed text and anything else."""
        if self.value is not None and isinstance(self.value.get(ACTION_KEY), str):
            return self.value
        return None

    def message(self, activity_id: str | None) -> PostedMessage | None:
        """Where a message the bot sent in this personal chat is, to replace it later; None
        without what that takes."""
        if not (self.person and activity_id and self.service_url and self.conversation_id):
            return None
        return PostedMessage(
            self.person.tenant_id,
            self.service_url,
            self.conversation_id,
            activity_id,
            self.bot_id,
            personal=True,
        )

    async def send(self, message: str | Card) -> str | None:
        return await self.chat.send(message)

    async def update(self, message_id: str, content: Card) -> None:
        await self.chat.update(message_id, content)
