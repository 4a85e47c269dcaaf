"""The seam between the scheduler and Teams: bot/ implements it with the Bot Framework adapter,
so nothing in scheduler/ knows how a message reaches a person or a channel."""

from __future__ import annotations

from typing import Any, Protocol

# Where a posted card is (domain/views.py) and where a channel is (storage keeps it): the sender
# uses them.
from domain.views import PostedMessage
from storage.channels import ChannelAddress
from storage.references import StoredReference

__all__ = [
    "RETRYABLE_STATUSES",
    "ChannelAddress",
    "ChannelSender",
    "ProactiveSender",
    "SendRefused",
]

# Statuses worth another try: throttled (429), a conflicting write (412), the service briefly
# unreachable (502, 504). Anything else is Teams' final answer.
RETRYABLE_STATUSES = frozenset({412, 429, 502, 504})


class SendRefused(Exception):
    """Teams answered the send with an error status. 403 usually means the person has blocked
    or removed the bot (`MessageWritesBlocked`, `ConversationBlockedByUser`), or, for a channel,
    that the bot is no longer in the team."""

    def __init__(self, status: int | None, code: str | None = None) -> None:
        super().__init__(f"send refused: {status} {code or ''}".strip())
        self.status = status
        self.code = code

    @property
    def retryable(self) -> bool:
        return self.status in RETRYABLE_STATUSES

    @property
    def bot_removed(self) -> bool:
        return self.status == 403


class ProactiveSender(Protocol):
    async def send_card(self, reference: StoredReference, card: dict[str, Any]) -> None:
        """Post the Adaptive Card in the referenced personal chat. Raises SendRefused when
        Teams says no, or the error of the connection."""
        ...


class ChannelSender(Protocol):
    async def post_thread(self, channel: ChannelAddress, card: dict[str, Any]) -> PostedMessage:
        """Start a new thread in the channel with the card. Raises SendRefused."""
        ...

    async def update_card(self, message: PostedMessage, card: dict[str, Any]) -> None:
        """Replace the card of a posted message. Raises SendRefused."""
        ...
