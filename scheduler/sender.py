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
    "ChannelAddress",
    "ChannelSender",
    "ProactiveSender",
    "SendRefused",
]

# Statuses that mean "not now": the request timed out (408), a conflicting write (412), throttled
# (429), and every server error (5xx: 503 is how Teams says it is briefly away). Anything else —
# 400, 404, 413, and 401/403 (the bot blocked or removed) — is Teams' final answer.
NOT_NOW_STATUSES = frozenset({408, 412, 429})


def is_retryable(status: int | None) -> bool:
    """Whether an answer with `status` is worth another try (None: no answer at all)."""
    return status is None or status in NOT_NOW_STATUSES or 500 <= status <= 599


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
        return is_retryable(self.status)

    @property
    def bot_removed(self) -> bool:
        return self.status == 403


class ProactiveSender(Protocol):
    async def send_card(self, reference: StoredReference, card: dict[str, Any]) -> str | None:
        """Post the Adaptive Card in the referenced personal chat; the message's id, when Teams
        gives one. Raises SendRefused when Teams says no, or the error of the connection."""
        ...


class ChannelSender(Protocol):
    async def post_thread(self, channel: ChannelAddress, card: dict[str, Any]) -> PostedMessage:
        """Start a new thread in the channel with the card. Raises SendRefused."""
        ...

    async def update_card(self, message: PostedMessage, card: dict[str, Any]) -> None:
        """Replace the card of a posted message. Raises SendRefused."""
        ...
