"""Where the bot posts for a team: the channel it learnt when it was added to the Teams team,
and the thread each case was posted as (so its card can be updated in place)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, exists, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from domain.clock import utcnow
from domain.views import PostedMessage, posted_in
from storage.db import insert_if_absent_statement
from storage.models import ChannelPost, ConversationReferenceRow, Team
from storage.single_statement import single_statement


@dataclass(frozen=True)
class ChannelAddress:
    """A Teams channel the bot may post in: learnt when the bot was added to the team."""

    tenant_id: str
    service_url: str
    channel_id: str  # '19:…@thread.tacv2'; a team's General channel has the team's id
    bot_id: str | None = None


@dataclass(frozen=True)
class TeamChannel:
    team_id: str
    name: str
    address: ChannelAddress | None  # None until the bot has been added to the Teams team
    blocked: bool


# The statements of a case's delivery to its channel, built once: building a statement and its
# cache key on every call cost more than the query (issue #9).


def _newest_reference(column: Any) -> Any:
    """Of the tenant's newest conversation reference (correlated with the team's row)."""
    return (
        select(column)
        .where(ConversationReferenceRow.tenant_id == Team.tenant_id)
        .order_by(ConversationReferenceRow.updated_at.desc())
        .limit(1)
        .scalar_subquery()
    )


_TEAM_CHANNEL = (
    Team.id,
    Team.tenant_id,
    Team.name,
    Team.teams_team_id,
    Team.channel_id,
    Team.service_url,
    Team.service_url_at,
    Team.bot_id,
    Team.posting_blocked_at,
    _newest_reference(ConversationReferenceRow.service_url).label("newest_service_url"),
    _newest_reference(ConversationReferenceRow.updated_at).label("newest_at"),
)
_CHANNEL_OF = select(*_TEAM_CHANNEL).where(Team.id == bindparam("team_id"))
# Whether the case has its thread, and its team's channel, in one statement: the one-row
# subquery on the left gives the answer a row when the team is gone.
_ONE_ROW = select(literal_column("1").label("one")).subquery("one_row")
_POST_TARGET = (
    select(
        exists().where(ChannelPost.case_id == bindparam("case_id")).label("posted"),
        *_TEAM_CHANNEL,
    )
    .select_from(_ONE_ROW)
    .outerjoin(Team, Team.id == bindparam("team_id"))
)
_POST_OF = (
    select(
        ChannelPost.tenant_id,
        ChannelPost.service_url,
        ChannelPost.conversation_id,
        ChannelPost.activity_id,
        Team.bot_id,
    )
    .outerjoin(Team, Team.id == ChannelPost.team_id)
    .where(ChannelPost.case_id == bindparam("case_id"))
)
_POSTS = cast(Table, ChannelPost.__table__)


def _team_channel(row: Row[Any]) -> TeamChannel:
    channel_id = row.channel_id or row.teams_team_id
    # A tenant's activities all come through one service URL, so the newest one seen from the
    # tenant (a personal chat, or the bot added to the team) is the one to use: before Teams has
    # said anything about the team, and after the URL has moved.
    service_url = row.service_url
    if row.newest_service_url is not None and (
        service_url is None or row.service_url_at is None or row.newest_at > row.service_url_at
    ):
        service_url = row.newest_service_url
    address = None
    if channel_id and service_url:
        address = ChannelAddress(row.tenant_id, service_url, channel_id, row.bot_id)
    return TeamChannel(row.id, row.name, address, row.posting_blocked_at is not None)


class Channels:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions
        self._engine: AsyncEngine = single_statement(sessions.kw["bind"])

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
        async with self._engine.connect() as conn:
            row = (await conn.execute(_CHANNEL_OF, {"team_id": team_id})).one_or_none()
        return _team_channel(row) if row is not None else None

    async def post_target(
        self, case_id: str, team_id: str | None
    ) -> tuple[bool, TeamChannel | None]:
        """(whether the case has been posted already, its team's channel), in one statement,
        for posting the case: the channel is None when there is no such team."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(_POST_TARGET, {"case_id": case_id, "team_id": team_id})).one()
        return bool(row.posted), _team_channel(row) if row.id is not None else None

    async def record_post(self, case_id: str, team_id: str, posted: PostedMessage) -> bool:
        """Remember the case's thread. False when it had been recorded already."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                insert_if_absent_statement(conn.dialect.name, _POSTS),
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
            return bool(result.rowcount)

    async def post_of(self, case_id: str) -> PostedMessage | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(_POST_OF, {"case_id": case_id})).one_or_none()
        if row is None:
            return None
        return posted_in(
            row.tenant_id, row.service_url, row.conversation_id, row.activity_id, row.bot_id
        )
