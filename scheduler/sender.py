"""The seam between the scheduler and Teams: bot/ implements it with the Bot Framework adapter,
so nothing in scheduler/ knows how a message reaches a person."""

from __future__ import annotations

from typing import Any, Protocol

from storage.references import StoredReference


class SendRefused(Exception):
    """Teams answered the send with an error status. 403 usually means the person has blocked
    or removed the bot (`MessageWritesBlocked`, `ConversationBlockedByUser`)."""

    def __init__(self, status: int | None, code: str | None = None) -> None:
        super().__init__(f"send refused: {status} {code or ''}".strip())
        self.status = status
        self.code = code


class ProactiveSender(Protocol):
    async def send_card(self, reference: StoredReference, card: dict[str, Any]) -> None:
        """Post the Adaptive Card in the referenced conversation. Raises SendRefused when Teams
        says no, or the error of the connection."""
        ...
