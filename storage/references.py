"""Where to reach a person unasked: the reference to their personal chat with the bot.

Teams lets a bot message someone only in a conversation that already exists, so the reference is
kept from the last time they wrote. It hardly ever changes, and it is looked at on every message,
so a small in-process cache answers "unchanged" without the database (for an hour, so a change
written by another instance is seen), and the row is written only when something in it changed:
one statement that inserts it, or replaces a stored one that differs, or leaves it be.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Insert, and_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from domain.access import Person
from domain.clock import utcnow
from storage.models import ConversationReferenceRow, Membership, Team
from storage.single_statement import single_statement


@dataclass(frozen=True)
class StoredReference:
    """A personal chat with the bot: ids only."""

    tenant_id: str
    aad_object_id: str
    service_url: str
    channel_id: str
    conversation_id: str
    bot_id: str
    locale: str | None = None

    @property
    def person(self) -> Person:
        return Person(self.tenant_id, self.aad_object_id)


def reference_of(row: Any) -> StoredReference:
    """A stored reference from its row: the model's, or a selected row with the same columns."""
    return StoredReference(
        tenant_id=row.tenant_id,
        aad_object_id=row.aad_object_id,
        service_url=row.service_url,
        channel_id=row.channel_id,
        conversation_id=row.conversation_id,
        bot_id=row.bot_id,
        locale=row.locale,
    )


# What a reference is made of besides the person it belongs to.
_FIELDS = ("service_url", "channel_id", "conversation_id", "bot_id", "locale")


def _upsert(insert: Any) -> Insert:
    """Insert the reference, or replace the stored one when any field differs (the newest
    message wins, also over another instance's write a moment ago); a row as it was is left
    alone, and then no row counts as written. Built once per dialect (issue #9)."""
    row = ConversationReferenceRow
    statement = insert(row).values(
        tenant_id=bindparam("tenant_id"),
        aad_object_id=bindparam("aad_object_id"),
        **{name: bindparam(name) for name in _FIELDS},
        updated_at=bindparam("updated_at"),
    )
    new = statement.excluded
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=[row.tenant_id, row.aad_object_id],
        set_={name: new[name] for name in (*_FIELDS, "updated_at")},
        where=or_(*(getattr(row, name).is_distinct_from(new[name]) for name in _FIELDS)),
    )


_UPSERT = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}
_REFERENCE = ConversationReferenceRow
_CHATS_OF_TEAM = (
    select(
        _REFERENCE.tenant_id,
        _REFERENCE.aad_object_id,
        *(getattr(_REFERENCE, name) for name in _FIELDS),
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


class ConversationReferences:
    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        cache_size: int = 10_000,
        cache_seconds: float = 3600,
    ) -> None:
        self._sessions = sessions
        self._engine: AsyncEngine = single_statement(sessions.kw["bind"])
        self._cache_size = cache_size
        self._cache_seconds = cache_seconds
        # What this process last saw stored, per person, and when (least recently used first).
        self._known: OrderedDict[Person, tuple[StoredReference, float]] = OrderedDict()

    async def remember(self, reference: StoredReference) -> bool:
        """Store the reference unless it is what is stored already. True when a row was written."""
        person = reference.person
        now = time.monotonic()
        known = self._known.get(person)
        if known is not None and known[0] == reference and now - known[1] < self._cache_seconds:
            self._known.move_to_end(person)
            return False
        written = await self._upsert(reference)
        self._known[person] = (reference, now)
        self._known.move_to_end(person)
        while len(self._known) > self._cache_size:
            self._known.popitem(last=False)
        return written

    async def _upsert(self, reference: StoredReference) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                _UPSERT[conn.dialect.name], {**asdict(reference), "updated_at": utcnow()}
            )
            return bool(result.rowcount)

    async def of_team(self, team_id: str) -> dict[Person, StoredReference]:
        """The personal chat of each of the team's people who has one (ids only), in one read:
        the coordinators told of a new case or of a blocked channel."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(_CHATS_OF_TEAM, {"team_id": team_id})).all()
        return {reference.person: reference for reference in map(reference_of, rows)}

    async def find(self, person: Person) -> StoredReference | None:
        async with self._sessions() as session:
            row = await session.get(
                ConversationReferenceRow, (person.tenant_id, person.aad_object_id)
            )
            return reference_of(row) if row is not None else None

    async def service_url_in(self, tenant_id: str) -> str | None:
        """Where to ask Teams for a new chat with someone of the tenant who has none with the
        bot: the Bot Connector of the tenant's newest chat, else of one of its teams' channels."""
        async with self._sessions() as session:
            return (
                await session.execute(
                    select(ConversationReferenceRow.service_url)
                    .where(ConversationReferenceRow.tenant_id == tenant_id)
                    .order_by(ConversationReferenceRow.updated_at.desc())
                    .limit(1)
                )
            ).scalar_one_or_none() or (
                await session.execute(
                    select(Team.service_url)
                    .where(Team.tenant_id == tenant_id, Team.service_url.is_not(None))
                    .limit(1)
                )
            ).scalar_one_or_none()
