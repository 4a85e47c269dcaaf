"""Training cases as shown and posted: which case numbers a team has had (it never gets one
twice), and the post in the team's channel, planned as a reminder row and sent by the sweep.

A training case is fiction made by domain/training.py: these rows hold nothing from a real case.
Anyone with a role in a team may post one there: practice is not case work, so it needs no case
access, only a place in the team.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.access import Person, Principal, TeamKind
from domain.ids import new_id
from domain.refusal import Refused
from domain.training import SPACE, TrainingCase
from domain.views import PostedMessage
from storage.experiences import TRAINING_POST
from storage.models import Team
from storage.models import TrainingCase as TrainingCaseRow
from storage.reminders import ReminderSpec, schedule

# Numbers drawn per team before the whole space has been used once.
_TRIES = 64


class TrainingRefused(Refused):
    """Not done, and why ("training.refused.<reason>")."""


@dataclass(frozen=True)
class StoredTrainingCase:
    id: str
    team_id: str | None
    seed: int
    situation: str
    violence: str
    barrier: str
    narrative: str
    enriched: bool
    requested_by: Person
    posted: PostedMessage | None


def teams_of(principal: Principal) -> list[str]:
    """The operational and network teams the person has a role in (their own tenant's grants)."""
    found: list[str] = []
    for grant in principal.grants:
        if (
            grant.team_id
            and grant.tenant_id == principal.person.tenant_id
            and grant.team_kind in (TeamKind.OPERATIONAL, TeamKind.NETWORK)
            and grant.team_id not in found
        ):
            found.append(grant.team_id)
    return found


def _stored(row: TrainingCaseRow) -> StoredTrainingCase:
    posted = None
    if row.service_url and row.post_conversation_id and row.post_activity_id:
        posted = PostedMessage(
            row.tenant_id, row.service_url, row.post_conversation_id, row.post_activity_id
        )
    return StoredTrainingCase(
        id=row.id,
        team_id=row.team_id,
        seed=row.seed,
        situation=row.situation,
        violence=row.violence,
        barrier=row.barrier,
        narrative=row.narrative,
        enriched=row.enriched,
        requested_by=Person(row.requested_by_tenant_id, row.requested_by_aad_object_id),
        posted=posted,
    )


class TrainingCases:
    def __init__(self, sessions: async_sessionmaker[Any], rng: random.Random | None = None) -> None:
        self._sessions = sessions
        self._rng = rng or random.SystemRandom()

    async def team_names(self, team_ids: list[str]) -> dict[str, str]:
        if not team_ids:
            return {}
        async with self._sessions() as session:
            rows = await session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids)))
            return {str(i): str(n) for i, n in rows.all()}

    async def fresh_seed(self, team_ids: list[str], person: Person) -> int:
        """A case number none of these teams has had and the person has not been shown."""
        async with self._sessions() as session:
            used = set(
                (
                    await session.execute(
                        select(TrainingCaseRow.seed).where(
                            or_(
                                TrainingCaseRow.team_id.in_(team_ids or [""]),
                                (TrainingCaseRow.requested_by_tenant_id == person.tenant_id)
                                & (
                                    TrainingCaseRow.requested_by_aad_object_id
                                    == person.aad_object_id
                                ),
                            )
                        )
                    )
                ).scalars()
            )
        if len(used) < SPACE:
            for _ in range(_TRIES):
                seed = self._rng.randrange(SPACE)
                if seed not in used:
                    return seed
            return next(s for s in range(SPACE) if s not in used)
        # Every combination used: the numbers above SPACE repeat a combination in new words.
        return max(used) + 1

    async def add(
        self,
        person: Person,
        case: TrainingCase,
        narrative: str,
        enriched: bool,
        now: datetime,
        team_id: str | None = None,
    ) -> StoredTrainingCase:
        row = TrainingCaseRow(
            id=new_id(),
            tenant_id=person.tenant_id,
            team_id=team_id,
            seed=case.seed,
            situation=case.situation,
            violence=case.violence,
            barrier=case.barrier,
            narrative=narrative,
            enriched=enriched,
            requested_by_tenant_id=person.tenant_id,
            requested_by_aad_object_id=person.aad_object_id,
            created_at=now,
        )
        async with self._sessions() as session, session.begin():
            session.add(row)
        return _stored(row)

    async def get(self, training_id: str) -> StoredTrainingCase | None:
        async with self._sessions() as session:
            row = await session.get(TrainingCaseRow, training_id)
            return _stored(row) if row is not None else None

    async def post_to_team(
        self, principal: Principal, training_id: str, team_id: str, now: datetime
    ) -> StoredTrainingCase:
        """The case shown to the person, posted in one of their teams' channels (by the sweep).
        Once: a case already given to a team, or a team the person is not in, is refused."""
        if team_id not in teams_of(principal):
            raise TrainingRefused("not_in_team")
        try:
            async with self._sessions() as session, session.begin():
                row = await session.get(TrainingCaseRow, training_id)
                if (
                    row is None
                    or Person(row.requested_by_tenant_id, row.requested_by_aad_object_id)
                    != principal.person
                ):
                    raise TrainingRefused("not_found")
                if row.team_id is not None:
                    raise TrainingRefused("posted")
                result = await session.execute(
                    update(TrainingCaseRow)
                    .where(TrainingCaseRow.id == training_id, TrainingCaseRow.team_id.is_(None))
                    .values(team_id=team_id)
                )
                if cast(CursorResult[Any], result).rowcount != 1:
                    raise TrainingRefused("posted")
                await schedule(
                    session,
                    ReminderSpec(
                        key=f"training:{training_id}:post",
                        tenant_id=row.tenant_id,
                        kind=TRAINING_POST,
                        due_at=now,
                        team_id=team_id,
                        payload={"training": training_id},
                    ),
                )
                await session.flush()
                row = await session.get(TrainingCaseRow, training_id, populate_existing=True)
                assert row is not None
                return _stored(row)
        except IntegrityError:
            # (team, case number) is unique: the team has had this very case.
            raise TrainingRefused("team_had_it") from None

    async def record_post(self, training_id: str, posted: PostedMessage) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(TrainingCaseRow)
                .where(
                    TrainingCaseRow.id == training_id, TrainingCaseRow.post_activity_id.is_(None)
                )
                .values(
                    service_url=posted.service_url,
                    post_conversation_id=posted.conversation_id,
                    post_activity_id=posted.activity_id,
                )
            )
            return cast(CursorResult[Any], result).rowcount == 1
