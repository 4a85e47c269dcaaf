"""Where each of a team's people can be written to unasked: their personal chats with the bot,
all of a team's in one statement (the coordinators told of a new case, or of a blocked channel),
rather than one read per person."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.access import Person
from storage.models import ConversationReferenceRow, Membership
from storage.references import StoredReference, reference_of

_REFERENCE = ConversationReferenceRow
# Built once, as building a statement and its cache key cost more than the query (issue #9).
_CHATS_OF_TEAM = (
    select(
        _REFERENCE.tenant_id,
        _REFERENCE.aad_object_id,
        _REFERENCE.service_url,
        _REFERENCE.channel_id,
        _REFERENCE.conversation_id,
        _REFERENCE.bot_id,
        _REFERENCE.locale,
    )
    .join(
        Membership,
        and_(
            Membership.tenant_id == _REFERENCE.tenant_id,
            Membership.aad_object_id == _REFERENCE.aad_object_id,
        ),
    )
    .where(Membership.team_id == bindparam("team_id"))
    .distinct()
)


async def chats_of_team(engine: AsyncEngine, team_id: str) -> dict[Person, StoredReference]:
    """The personal chat of each of the team's people who has one (ids only)."""
    async with engine.connect() as conn:
        rows = (await conn.execute(_CHATS_OF_TEAM, {"team_id": team_id})).all()
    chats: dict[Person, StoredReference] = {}
    for row in rows:
        reference = reference_of(row)
        chats[reference.person] = reference
    return chats
