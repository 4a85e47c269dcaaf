"""Personal views that are hidden again after a while: the personal details, a case's timeline
and the coordinators' free-text preview, shown in someone's own chat, are replaced by a card
without them once their minutes are up (TRYGGEST_PERSONAL_VIEW_MINUTES), so that they do not
stay readable in the chat history, outside the access log and the retention job's reach.

The replacement is a timed message like any reminder: a row with a due time that survives a
restart and, when due, goes on the outbox once however many instances run.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.access import Person
from domain.views import PostedMessage
from storage.reminders import Reminders, ReminderSpec

log = logging.getLogger(__name__)

# The reminder kind that hides a view again.
HIDE_VIEW = "hide_view"


class PersonalViews:
    def __init__(
        self, sessions: async_sessionmaker[Any], minutes: float, now: Callable[[], datetime]
    ) -> None:
        self._reminders = Reminders(sessions)
        self._shown_for = timedelta(minutes=minutes)
        self._now = now

    async def shown(
        self,
        viewer: Person,
        case_id: str | None,
        look: str,
        where: PostedMessage,
        draft_id: str | None = None,
        step: str | None = None,
    ) -> None:
        """`look` of the case was sent to the viewer's own chat as the message `where`: hide it
        again when its time is up. If that cannot be planned now (the database is away), the
        view stays and the log says so: the person has it, and is not told otherwise."""
        try:
            await self._schedule(viewer, case_id, look, where, draft_id, step)
        except Exception as error:
            log.warning("a view of case %s will not be hidden: %s", case_id, type(error).__name__)

    async def _schedule(
        self,
        viewer: Person,
        case_id: str | None,
        look: str,
        where: PostedMessage,
        draft_id: str | None,
        step: str | None,
    ) -> None:
        due_at = self._now() + self._shown_for
        # A card shown again in its place (a summary) is the same message: each showing its own.
        message = f"{where.conversation_id}\n{where.activity_id}\n{due_at.isoformat()}".encode()
        await self._reminders.schedule(
            ReminderSpec(
                # Teams' ids are long: the key is a digest of where the message is.
                key=f"view:{hashlib.sha256(message).hexdigest()[:48]}",
                tenant_id=viewer.tenant_id,
                kind=HIDE_VIEW,
                due_at=due_at,
                person=viewer,
                case_id=case_id,
                # Where the message is: ids only.
                payload={
                    "look": look,
                    "service_url": where.service_url,
                    "conversation_id": where.conversation_id,
                    "activity_id": where.activity_id,
                    "bot_id": where.bot_id,
                    "draft": draft_id,
                    "step": step,
                },
            )
        )


def message_of(tenant_id: str, payload: dict[str, Any]) -> PostedMessage:
    """Where a shown view is, from its reminder's payload."""
    return PostedMessage(
        tenant_id=tenant_id,
        service_url=str(payload.get("service_url")),
        conversation_id=str(payload.get("conversation_id")),
        activity_id=str(payload.get("activity_id")),
        bot_id=payload.get("bot_id"),
        personal=True,
    )
