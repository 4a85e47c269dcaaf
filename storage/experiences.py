"""Experiences in the network: shared (once, with their channel post and the monthly digest
planned in the same transaction), found by Norwegian full-text search, and marked useful.

Search, one way per database, the same result: PostgreSQL matches `to_tsvector('norwegian', …)`
(the expression index of migration 0006) against the query words OR-ed together and ranks with
ts_rank; SQLite matches the Snowball stems in its FTS5 table and ranks with bm25. Either
relevance is then raised by the experience's useful-marks, so a helpful experience climbs.

Who may do what (domain/access.py): a network's members see its experiences and mark them; those
who may share in the network share. Nobody sees another network's experiences.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Float, exists, func, literal_column, select, update
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import column, table

from domain.access import (
    Action,
    NetworkTarget,
    Person,
    Principal,
    Role,
    TeamKind,
    networks_for,
)
from domain.experience import FIELDS, TAG_LISTS, AnonymisedExperience, search_document
from domain.ids import new_id
from domain.refusal import Refused
from domain.search_text import query_stems, stems, words
from domain.views import ExperienceView, PostedMessage, SearchResult, posted_in
from storage.db import insert_if_absent
from storage.gate import AccessGate, Where
from storage.models import Experience, ExperienceMark, ExperienceTag, Membership, Team
from storage.organisation import team_names
from storage.reminders import ReminderSpec, schedule

OSLO = ZoneInfo("Europe/Oslo")
# The reminder kinds (bot/experiences.py handles each).
POST = "experience_post"  # the experience, once, in the network channel
CARD = "experience_card"  # its card redrawn (a useful-mark given outside the channel)
DIGEST = "experience_digest"  # the month's new experiences, to the network's coordinators
TRAINING_POST = "training_post"  # a training case in a team's channel
# The digest goes out on the first of the month at this time in Oslo.
DIGEST_CLOCK = time(9, 0)
# How much useful-marks raise an experience: relevance × (1 + USEFUL_WEIGHT × log2(1 + marks)).
USEFUL_WEIGHT = 0.5
# Matches ranked in Python (after the database's own ranking) per search.
CANDIDATES = 200

_FTS = table("experience_search", column("experience_id"), column("stems"))


class ExperienceNotFound(Exception):
    pass


class ExperienceRefused(Refused):
    """Not done, and why ("experience.refused.<reason>")."""


def useful_boost(marks: int) -> float:
    return 1.0 + USEFUL_WEIGHT * math.log2(1 + max(0, marks))


def digest_month(moment: datetime) -> str:
    """'YYYY-MM' of the month (Oslo time) a moment falls in."""
    return f"{moment.astimezone(OSLO):%Y-%m}"


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's, in UTC (Oslo's months)."""
    year, number = (int(p) for p in month.split("-"))
    start = datetime(year, number, 1, tzinfo=OSLO)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=OSLO)
    return start.astimezone(UTC), following.astimezone(UTC)


def digest_due(month: str) -> datetime:
    """The first working morning after the month: the 1st of the next month, 09.00 Oslo."""
    _, following = month_bounds(month)
    local = following.astimezone(OSLO).date()
    return datetime.combine(local, DIGEST_CLOCK, tzinfo=OSLO).astimezone(UTC)


async def _tags(session: AsyncSession, experience_id: str) -> dict[str, tuple[str, ...]]:
    rows = await session.execute(
        select(ExperienceTag.kind, ExperienceTag.code).where(
            ExperienceTag.experience_id == experience_id
        )
    )
    chosen: dict[str, set[str]] = {}
    for kind, code in rows.all():
        chosen.setdefault(kind, set()).add(code)
    # In the code list's order, as the form shows them.
    return {
        kind: tuple(c.code for c in TAG_LISTS[kind].codes if c.code in chosen[kind])
        for kind in TAG_LISTS
        if kind in chosen
    }


async def _view(session: AsyncSession, row: Experience) -> ExperienceView:
    team = await session.get(Team, row.network_team_id)
    posted = posted_in(
        row.tenant_id,
        row.service_url,
        row.post_conversation_id,
        row.post_activity_id,
        team.bot_id if team is not None else None,
    )
    return ExperienceView(
        id=row.id,
        network_team_id=row.network_team_id,
        network_name=team.name if team is not None else "",
        author=Person(row.author_tenant_id, row.author_aad_object_id),
        texts={f: str(getattr(row, f) or "") for f in FIELDS},
        tags=await _tags(session, row.id),
        useful_count=row.useful_count or 0,
        from_case=bool(row.from_case),
        created_at=row.created_at,
        posted=posted,
    )


async def digest_recipients(session: AsyncSession, network_team_id: str) -> list[Person]:
    """The network's coordinators: its members who coordinate an operational team."""
    members = (
        select(Membership.tenant_id, Membership.aad_object_id)
        .where(Membership.team_id == network_team_id, Membership.role == Role.NETWORK.value)
        .subquery()
    )
    rows = await session.execute(
        select(members.c.tenant_id, members.c.aad_object_id)
        .join(
            Membership,
            (Membership.tenant_id == members.c.tenant_id)
            & (Membership.aad_object_id == members.c.aad_object_id),
        )
        .join(Team, Team.id == Membership.team_id)
        .where(
            Membership.role == Role.COORDINATOR.value,
            Team.kind == TeamKind.OPERATIONAL.value,
        )
        .distinct()
    )
    return sorted(
        {Person(t, a) for t, a in rows.all()}, key=lambda p: (p.tenant_id, p.aad_object_id)
    )


def digest_key(network_team_id: str, month: str, person: Person) -> str:
    return f"experience_digest:{network_team_id}:{month}:{person.tenant_id}:{person.aad_object_id}"


class Experiences:
    def __init__(self, sessions: async_sessionmaker[Any], gate: AccessGate) -> None:
        self._sessions = sessions
        self._gate = gate

    async def network_names(self, team_ids: list[str]) -> dict[str, str]:
        return await team_names(self._sessions, team_ids)

    async def view(self, experience_id: str) -> ExperienceView | None:
        async with self._sessions() as session:
            row = await session.get(Experience, experience_id)
            return await _view(session, row) if row is not None else None

    # --- sharing ----------------------------------------------------------------------------

    async def share(
        self,
        principal: Principal,
        experience_id: str,
        experience: AnonymisedExperience,
        now: datetime,
        where: Where,
        *,
        from_case: bool = False,
    ) -> tuple[ExperienceView, bool]:
        """Store the confirmed, anonymised experience, and plan its channel post and the
        month's digest, in one transaction. The id is the draft's: a confirmation sent twice
        shares once (False: it was shared already)."""
        network_id = experience.network_team_id
        await self._gate.require(
            principal,
            Action.SHARE_IN_NETWORK,
            NetworkTarget(network_id),
            where,
            {"experience": experience_id},
        )
        texts = {f: experience.text(f) for f in FIELDS}
        document = search_document(texts, experience.tags)
        async with self._sessions() as session, session.begin():
            team = await session.get(Team, network_id)
            if team is None or team.kind != TeamKind.NETWORK.value:
                raise ExperienceRefused("not_member")
            created = await insert_if_absent(
                session,
                Experience,
                {
                    "id": experience_id,
                    "tenant_id": team.tenant_id,
                    "network_team_id": team.id,
                    "author_tenant_id": principal.person.tenant_id,
                    "author_aad_object_id": principal.person.aad_object_id,
                    **texts,
                    "search_text": document,
                    "useful_count": 0,
                    "from_case": from_case,
                    "created_at": now,
                },
            )
            row = await session.get(Experience, experience_id)
            assert row is not None
            if created:
                for kind, codes in experience.tags.items():
                    for code in dict.fromkeys(codes):
                        session.add(ExperienceTag(experience_id=row.id, kind=kind, code=code))
                if session.bind.dialect.name == "sqlite":
                    await session.execute(
                        sql("INSERT INTO experience_search (experience_id, stems) VALUES (:i, :s)"),
                        {"i": row.id, "s": " ".join(stems(document))},
                    )
                await schedule(
                    session,
                    ReminderSpec(
                        key=f"experience:{row.id}:post",
                        tenant_id=row.tenant_id,
                        kind=POST,
                        due_at=now,
                        team_id=row.network_team_id,
                        payload={"experience": row.id},
                    ),
                )
                await self._plan_digest(session, row, now)
                await session.flush()
            return await _view(session, row), created

    @staticmethod
    async def _plan_digest(session: AsyncSession, row: Experience, now: datetime) -> None:
        """One digest per coordinator per month: the keys make a second experience in the same
        month plan nothing more."""
        month = digest_month(now)
        for person in await digest_recipients(session, row.network_team_id):
            await schedule(
                session,
                ReminderSpec(
                    key=digest_key(row.network_team_id, month, person),
                    tenant_id=row.tenant_id,
                    kind=DIGEST,
                    due_at=digest_due(month),
                    person=person,
                    team_id=row.network_team_id,
                    payload={"month": month},
                ),
            )

    async def record_post(self, experience_id: str, posted: PostedMessage) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(Experience)
                .where(Experience.id == experience_id, Experience.post_activity_id.is_(None))
                .values(
                    service_url=posted.service_url,
                    post_conversation_id=posted.conversation_id,
                    post_activity_id=posted.activity_id,
                )
            )
            return cast(CursorResult[Any], result).rowcount == 1

    # --- finding ------------------------------------------------------------------------------

    async def open(self, principal: Principal, experience_id: str, where: Where) -> ExperienceView:
        """One experience in full, for a member of its network."""
        view = await self.view(experience_id)
        if view is None:
            raise ExperienceNotFound(experience_id)
        await self._gate.require(
            principal,
            Action.VIEW_NETWORK,
            NetworkTarget(view.network_team_id),
            where,
            {"experience": experience_id},
        )
        return view

    async def search(
        self,
        principal: Principal,
        query: str,
        filters: Mapping[str, str],
        where: Where,
        limit: int = 5,
    ) -> SearchResult:
        """The best matches in the person's networks: relevance raised by useful-marks. Without
        query words, the newest (useful ones first). `filters` are tags ({"violence": …})."""
        networks = networks_for(principal, Action.VIEW_NETWORK)
        if not networks:
            return SearchResult([], member=False)
        for network_id in networks:
            await self._gate.require(
                principal,
                Action.VIEW_NETWORK,
                NetworkTarget(network_id),
                where,
                # What was searched for stays out of the log: only that it was a search.
                {"experiences": "search", "filters": sorted(filters)},
            )
        wanted = query_stems(query)
        async with self._sessions() as session:
            dialect = session.bind.dialect.name
            conditions: list[Any] = [Experience.network_team_id.in_(networks)]
            for kind, code in filters.items():
                conditions.append(
                    exists().where(
                        ExperienceTag.experience_id == Experience.id,
                        ExperienceTag.kind == kind,
                        ExperienceTag.code == code,
                    )
                )
            if not wanted:
                relevance = literal_column("1.0", Float)
                query_rows = select(Experience, relevance).where(*conditions)
            elif dialect == "postgresql":
                query_rows = _postgresql_match(query, conditions)
            else:
                query_rows = _sqlite_match(wanted, conditions)
            rows = (
                await session.execute(
                    query_rows.order_by(Experience.created_at.desc()).limit(CANDIDATES)
                )
            ).all()
            scored = sorted(
                rows,
                key=lambda r: (
                    -float(r[1]) * useful_boost(r[0].useful_count or 0),
                    -r[0].created_at.timestamp(),
                ),
            )
            return SearchResult([await _view(session, r[0]) for r in scored[:limit]], member=True)

    # --- useful ---------------------------------------------------------------------------------

    async def mark_useful(
        self, principal: Principal, experience_id: str, now: datetime, where: Where
    ) -> tuple[ExperienceView, bool]:
        """A member's mark. False when they had marked it already (a second press counts once).
        The author's own mark is refused: usefulness is the others' word."""
        async with self._sessions() as session:
            row = await session.get(Experience, experience_id)
            if row is None:
                raise ExperienceNotFound(experience_id)
            network_id = row.network_team_id
            author = Person(row.author_tenant_id, row.author_aad_object_id)
        await self._gate.require(
            principal,
            Action.VIEW_NETWORK,
            NetworkTarget(network_id),
            where,
            {"experience": experience_id, "mark": "useful"},
        )
        if author == principal.person:
            raise ExperienceRefused("own")
        person = principal.person
        async with self._sessions() as session, session.begin():
            added = await insert_if_absent(
                session,
                ExperienceMark,
                {
                    "experience_id": experience_id,
                    "tenant_id": person.tenant_id,
                    "aad_object_id": person.aad_object_id,
                    "marked_at": now,
                },
            )
            if added:
                await session.execute(
                    update(Experience)
                    .where(Experience.id == experience_id)
                    .values(useful_count=Experience.useful_count + 1)
                )
            row = await session.get(Experience, experience_id, populate_existing=True)
            assert row is not None
            return await _view(session, row), added

    async def refresh_card_later(self, experience_id: str, now: datetime) -> None:
        """The channel card redrawn by the sweep (after a mark given in someone's own chat)."""
        async with self._sessions() as session, session.begin():
            row = await session.get(Experience, experience_id)
            if row is None or row.post_activity_id is None:
                return
            await schedule(
                session,
                ReminderSpec(
                    key=f"experience:{row.id}:card:{new_id()}",
                    tenant_id=row.tenant_id,
                    kind=CARD,
                    due_at=now,
                    team_id=row.network_team_id,
                    payload={"experience": row.id},
                ),
            )

    # --- the digest ---------------------------------------------------------------------------

    async def shared_in(self, network_team_id: str, month: str) -> list[ExperienceView]:
        """The experiences shared in the network in the month, most useful first."""
        start, end = month_bounds(month)
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Experience)
                    .where(
                        Experience.network_team_id == network_team_id,
                        Experience.created_at >= start,
                        Experience.created_at < end,
                    )
                    .order_by(Experience.useful_count.desc(), Experience.created_at)
                )
            ).scalars()
            return [await _view(session, r) for r in list(rows)]

    async def is_digest_recipient(self, network_team_id: str, person: Person) -> bool:
        async with self._sessions() as session:
            return person in await digest_recipients(session, network_team_id)


def _postgresql_match(query: str, conditions: list[Any]) -> Any:
    """`to_tsvector('norwegian', search_text)` as the index has it, against the words OR-ed."""
    config: Any = literal_column("'norwegian'::regconfig")
    document = func.to_tsvector(config, Experience.search_text)
    tsquery: Any = None
    for word in dict.fromkeys(words(query)):
        part = func.plainto_tsquery(config, word)
        tsquery = part if tsquery is None else tsquery.op("||")(part)
    relevance = func.ts_rank(document, tsquery)
    return select(Experience, relevance).where(document.op("@@")(tsquery), *conditions)


def _sqlite_match(wanted: list[str], conditions: list[Any]) -> Any:
    """The FTS5 table of stems; bm25 is negative, smaller for better matches."""
    # Stems are letters and digits only (domain/search_text.py), so quoting each is enough.
    expression = " OR ".join(f'"{s}"' for s in wanted)
    relevance = -literal_column("bm25(experience_search)", Float)
    return (
        select(Experience, relevance)
        .join(_FTS, _FTS.c.experience_id == Experience.id)
        .where(literal_column("experience_search").op("MATCH")(expression), *conditions)
    )
