"""Where the bot posts for a team: the channel it learnt when it was added to the Teams team,
and the thread each case was posted as (so its card can be updated in place)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.db import insert_if_absent
from storage.models import ChannelPost, ConversationReferenceRow, Team, utcnow


@dataclass(frozen=True)
class ChannelAddress:
    """A Teams channel the bot may post in: learnt when the bot was added to the team."""

    tenant_id: str
    service_url: str
    channel_id: str  # '19:…@thread.tacv2'; a team's General channel has the team's id
    bot_id: str | None = None


@dataclass(frozen=True)
class PostedMessage:
    """A card the bot posted as a new thread: where to update it."""

    tenant_id: str
    service_url: str
    conversation_id: str  # the thread: '19:…@thread.tacv2;messageid=…'
    activity_id: str
    bot_id: str | None = None


def posted_in(
    tenant_id: str,
    service_url: str | None,
    conversation_id: str | None,
    activity_id: str | None,
    team: Team | None,
) -> PostedMessage | None:
    """Where a card the bot posted is, from the columns a row keeps of it; None before it is."""
    if not (service_url and conversation_id and activity_id):
        return None
    bot_id = team.bot_id if team is not None else None
    return PostedMessage(tenant_id, service_url, conversation_id, activity_id, bot_id)


@dataclass(frozen=True)
class TeamChannel:
    team_id: str
    name: str
    address: ChannelAddress | None  # None until the bot has been added to the Teams team
    blocked: bool


class Channels:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions

    async def bot_added(
        self, tenant_id: str, teams_team_id: str, service_url: str, bot_id: str | None
    ) -> int:
        """The bot is in the Teams team: its teams can be posted to. Lifts an earlier block.
        Returns how many TryggEst teams use this Teams team."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(Team)
                .where(Team.tenant_id == tenant_id, Team.teams_team_id == teams_team_id)
                .values(
                    service_url=service_url,
                    service_url_at=utcnow(),
                    bot_id=bot_id,
                    posting_blocked_at=None,
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def bot_removed(self, team_id: str, now: datetime | None = None) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Team).where(Team.id == team_id).values(posting_blocked_at=now or utcnow())
            )

    async def channel_of(self, team_id: str) -> TeamChannel | None:
        async with self._sessions() as session:
            team = await session.get(Team, team_id)
            if team is None:
                return None
            channel_id = team.channel_id or team.teams_team_id
            # A tenant's activities all come through one service URL, so the newest one seen
            # from the tenant (a personal chat, or the bot added to the team) is the one to use:
            # before Teams has said anything about the team, and after the URL has moved.
            newest = (
                await session.execute(
                    select(
                        ConversationReferenceRow.service_url, ConversationReferenceRow.updated_at
                    )
                    .where(ConversationReferenceRow.tenant_id == team.tenant_id)
                    .order_by(ConversationReferenceRow.updated_at.desc())
                    .limit(1)
                )
            ).one_or_none()
            service_url = team.service_url
            if newest is not None and (
                service_url is None
                or team.service_url_at is None
                or newest.updated_at > team.service_url_at
            ):
                service_url = newest.service_url
            address = None
            if channel_id and service_url:
                address = ChannelAddress(team.tenant_id, service_url, channel_id, team.bot_id)
            return TeamChannel(team.id, team.name, address, team.posting_blocked_at is not None)

    async def record_post(self, case_id: str, team_id: str, posted: PostedMessage) -> bool:
        """Remember the case's thread. False when it had been recorded already."""
        async with self._sessions() as session, session.begin():
            return await insert_if_absent(
                session,
                ChannelPost,
                {
                    "case_id": case_id,
                    "tenant_id": posted.tenant_id,
                    "team_id": team_id,
                    "service_url": posted.service_url,
                    "conversation_id": posted.conversation_id,
                    "activity_id": posted.activity_id,
                    "posted_at": utcnow(),
                },
            )

    async def post_of(self, case_id: str) -> PostedMessage | None:
        async with self._sessions() as session:
            row = await session.get(ChannelPost, case_id)
            if row is None:
                return None
            team = await session.get(Team, row.team_id)
            return posted_in(
                row.tenant_id, row.service_url, row.conversation_id, row.activity_id, team
            )

    async def case_of_thread(self, conversation_id: str) -> str | None:
        """The case whose thread this is ('19:…;messageid=…'), if any."""
        async with self._sessions() as session:
            return (
                await session.execute(
                    select(ChannelPost.case_id).where(
                        ChannelPost.conversation_id == conversation_id
                    )
                )
            ).scalar_one_or_none()
