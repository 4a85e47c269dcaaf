"""Municipalities and teams: who a report goes to, and who is who in each team."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.access import (
    ROLE_TEAM_KIND,
    Action,
    Decision,
    Person,
    Principal,
    Role,
    TeamKind,
    TeamTarget,
)
from domain.adaptation import TeamAdaptation
from domain.clock import utcnow
from domain.ids import new_id
from domain.views import TeamPerson
from storage.db import insert_if_absent
from storage.gate import AccessGate, Where
from storage.models import Membership, Municipality, Team, TeamMunicipality
from storage.single_statement import single_statement


@dataclass(frozen=True)
class MunicipalityInfo:
    id: str
    tenant_id: str
    name: str


@dataclass(frozen=True)
class OperationalTeam:
    id: str
    tenant_id: str
    name: str
    phone: str | None


# --- who is who: the people of a team --------------------------------------------------------
#
# Every call that changes or lists people takes the Principal asking and goes through the gate.
# The roster sync and a member leaving the Teams team are Teams' own word, not a person's: they
# are recorded in the access log as the bot's system actions.

# The order people are listed in: who leads first.
ROLE_ORDER = (Role.COORDINATOR, Role.MEMBER, Role.LEADER, Role.NETWORK, Role.ADMIN)
# Where a membership came from (Membership.source).
FROM_CONFIG = "config"
FROM_COMMAND = "command"
FROM_ROSTER = "roster"
BOT_AAD_OBJECT_ID = "bot"


@dataclass(frozen=True)
class TeamRef:
    """A team as the people commands see it."""

    id: str
    tenant_id: str
    kind: TeamKind
    name: str
    teams_team_id: str | None = None
    channel_id: str | None = None

    def target(self, role: Role | None = None) -> TeamTarget:
        """What the gate decides on: the team, or for the admin role the tenant's own people."""
        if role == Role.ADMIN:
            return TeamTarget(None, self.tenant_id, None)
        return TeamTarget(self.id, self.tenant_id, self.kind)


@dataclass(frozen=True)
class MemberLine:
    aad_object_id: str
    display_name: str | None
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class RosterChange:
    added: int
    removed: int
    members: int  # role member from the roster after the sync
    # Teams' answer named nobody, so nothing was changed (see sync_roster).
    empty_roster: bool = False


class WrongTeamKind(ValueError):
    """The role does not belong in this kind of team (a leader in an operational team)."""


def system_person(tenant_id: str) -> Person:
    """The bot acting on Teams' word, for the access log."""
    return Person(tenant_id, BOT_AAD_OBJECT_ID)


def _ref(team: Team) -> TeamRef:
    return TeamRef(
        team.id, team.tenant_id, TeamKind(team.kind), team.name, team.teams_team_id, team.channel_id
    )


# Asked at the start of every report; built once, as building a statement and its cache key
# costs more than the query (issue #9).
_MUNICIPALITIES_FOR_TENANT = (
    select(Municipality.id, Municipality.tenant_id, Municipality.name)
    .join(TeamMunicipality, TeamMunicipality.municipality_id == Municipality.id)
    .join(Team, Team.id == TeamMunicipality.team_id)
    .where(
        Municipality.tenant_id == bindparam("tenant_id"),
        Team.kind == TeamKind.OPERATIONAL.value,
    )
    .distinct()
    .order_by(Municipality.name)
)

# The team a municipality's reports go to (its oldest operational team): named on the summary,
# and the case's team when it is stored (storage/cases.py, in the case's transaction).
OPERATIONAL_TEAM_FOR = (
    select(Team.id, Team.tenant_id, Team.name, Team.phone)
    .join(TeamMunicipality, TeamMunicipality.team_id == Team.id)
    .join(Municipality, Municipality.id == TeamMunicipality.municipality_id)
    .where(
        Municipality.tenant_id == bindparam("tenant_id"),
        Municipality.id == bindparam("municipality_id"),
        Team.kind == TeamKind.OPERATIONAL.value,
    )
    .order_by(Team.created_at)
    .limit(1)
)


class OrganisationRepository:
    def __init__(self, sessions: async_sessionmaker[Any], gate: AccessGate | None = None) -> None:
        self._sessions = sessions
        self._engine: AsyncEngine = single_statement(sessions.kw["bind"])
        # Needed for people: every change or listing of a team's people goes through it.
        self._gate = gate

    async def adaptation_of(self, team_id: str | None) -> TeamAdaptation:
        """The team's local adaptation as the configuration file last set it; Bufdir's when it
        has none. Read each time, so a change shows at once on every instance."""
        if team_id is None:
            return TeamAdaptation()
        async with self._engine.connect() as conn:
            data = await conn.scalar(select(Team.adaptation).where(Team.id == team_id))
        return TeamAdaptation.from_json(data)

    async def tiltakskort_for_tenant(self, tenant_id: str) -> str | None:
        """The tiltakskort of the tenant's operational teams, when they agree on one."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(Team.adaptation).where(
                    Team.tenant_id == tenant_id, Team.kind == TeamKind.OPERATIONAL.value
                )
            )
            cards = {TeamAdaptation.from_json(data).tiltakskort for (data,) in rows}
        cards.discard(None)
        return cards.pop() if len(cards) == 1 else None

    async def municipalities_for_tenant(self, tenant_id: str) -> list[MunicipalityInfo]:
        """The municipalities an employee of this tenant may report to."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(_MUNICIPALITIES_FOR_TENANT, {"tenant_id": tenant_id})
            return [MunicipalityInfo(row.id, row.tenant_id, row.name) for row in rows.all()]

    async def operational_team_for(
        self, tenant_id: str, municipality_id: str
    ) -> OperationalTeam | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    OPERATIONAL_TEAM_FOR,
                    {"tenant_id": tenant_id, "municipality_id": municipality_id},
                )
            ).first()
        if row is None:
            return None
        return OperationalTeam(row.id, row.tenant_id, row.name, row.phone)

    # --- people of a team ----------------------------------------------------------------------

    @property
    def gate(self) -> AccessGate:
        if self._gate is None:
            raise RuntimeError("OrganisationRepository needs the AccessGate for people")
        return self._gate

    async def teams_for_teams_team(self, tenant_id: str, teams_team_id: str) -> list[TeamRef]:
        """The TryggEst teams tied to a Teams team (one team doing both: two of them)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(Team)
                .where(Team.tenant_id == tenant_id, Team.teams_team_id == teams_team_id)
                .order_by(Team.kind, Team.created_at)
            )
            return [_ref(t) for t in rows.scalars()]

    async def teams_by_id(self, team_ids: Iterable[str]) -> list[TeamRef]:
        ids = sorted(set(team_ids))
        if not ids:
            return []
        async with self._sessions() as session:
            rows = await session.execute(select(Team).where(Team.id.in_(ids)).order_by(Team.name))
            return [_ref(t) for t in rows.scalars()]

    async def names_of(self, people: Iterable[Person]) -> dict[Person, str]:
        """`display_names`: not through the gate, for what the bot draws or sends itself (a
        case's card, who has seen it); a person's own look at a team is `list_members`."""
        return await display_names(self._sessions, people)

    async def people_of(self, team_id: str) -> list[TeamPerson]:
        """`team_people`: not through the gate, like `names_of`."""
        return await team_people(self._sessions, team_id)

    async def add_membership(
        self,
        principal: Principal,
        team: TeamRef,
        aad_object_id: str,
        role: Role,
        display_name: str | None,
        where: Where | None = None,
        source: str = FROM_COMMAND,
    ) -> bool:
        """Give a person of the team's tenant a role; an admin is tenant-wide. True when new."""
        if role != Role.ADMIN and ROLE_TEAM_KIND[role] != team.kind:
            raise WrongTeamKind(f"{role.value} in a {team.kind.value} team")
        await self.gate.require(
            principal,
            Action.MANAGE_MEMBERS,
            team.target(role),
            where,
            {"change": "add", "team_id": team.id, "subject": aad_object_id, "role": role.value},
        )
        team_id = None if role == Role.ADMIN else team.id
        async with self._sessions() as session, session.begin():
            existing = await self._find(session, team_id, team.tenant_id, aad_object_id, role)
            if existing is not None:
                if display_name and existing.display_name != display_name:
                    existing.display_name = display_name
                return False
            session.add(
                Membership(
                    team_id=team_id,
                    tenant_id=team.tenant_id,
                    aad_object_id=aad_object_id,
                    role=role.value,
                    display_name=display_name,
                    source=source,
                )
            )
            return True

    async def remove_membership(
        self,
        principal: Principal,
        team: TeamRef,
        aad_object_id: str,
        role: Role | None = None,
        where: Where | None = None,
    ) -> int:
        """Take a person's role (or every role they hold) in the team away; how many went."""
        await self.gate.require(
            principal,
            Action.MANAGE_MEMBERS,
            team.target(role),
            where,
            {
                "change": "remove",
                "team_id": team.id,
                "subject": aad_object_id,
                "role": role.value if role else "all",
            },
        )
        condition = [
            Membership.tenant_id == team.tenant_id,
            Membership.aad_object_id == aad_object_id,
        ]
        if role == Role.ADMIN:
            condition += [Membership.team_id.is_(None), Membership.role == Role.ADMIN.value]
        else:
            condition.append(Membership.team_id == team.id)
            if role is not None:
                condition.append(Membership.role == role.value)
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(Membership).where(*condition))
            return int(cast(CursorResult[Any], result).rowcount or 0)

    async def list_members(
        self, principal: Principal, team: TeamRef, where: Where | None = None
    ) -> list[MemberLine]:
        """The team's people and their roles, who leads first."""
        await self.gate.require(principal, Action.VIEW_MEMBERS, team.target(), where)
        lines = [
            MemberLine(p.person.aad_object_id, p.name, p.roles)
            for p in await team_people(self._sessions, team.id)
        ]
        return sorted(
            lines, key=lambda line: (ROLE_ORDER.index(line.roles[0]), (line.display_name or ""))
        )

    async def sync_roster(
        self,
        team: TeamRef,
        roster: Sequence[tuple[str, str | None]],
        where: Where | None = None,
    ) -> RosterChange:
        """Make the operational team's roster members exactly the Teams team's people: each
        (Entra object id, display name) becomes a member (source roster); roster members no
        longer in the Teams team go. Coordinators and people added by command or by the
        configuration file are never removed. The change is Teams' word and recorded as the
        bot's (a person who asks for it is checked by the caller first).

        A roster naming nobody changes nothing (empty_roster): a Teams team always has its
        owners, so such an answer is a fault on the way, never word that everyone left."""
        if team.kind != TeamKind.OPERATIONAL:
            raise WrongTeamKind(f"roster sync of a {team.kind.value} team")
        wanted = {aad: name for aad, name in roster if aad}
        if not wanted:
            async with self._sessions() as session:
                members = await _member_count(session, team.id)
            return RosterChange(0, 0, members, empty_roster=True)
        async with self._sessions() as session, session.begin():
            rows = (
                (await session.execute(select(Membership).where(Membership.team_id == team.id)))
                .scalars()
                .all()
            )
            removed = [
                m.aad_object_id
                for m in rows
                if m.source == FROM_ROSTER
                and m.role == Role.MEMBER.value
                and m.aad_object_id not in wanted
            ]
            if removed:
                await session.execute(
                    delete(Membership).where(
                        Membership.team_id == team.id,
                        Membership.source == FROM_ROSTER,
                        Membership.role == Role.MEMBER.value,
                        Membership.aad_object_id.in_(removed),
                    )
                )
            # Someone who already works the team's cases (a coordinator, or a member added by
            # command) keeps that row; the roster adds no second one.
            holding = {
                m.aad_object_id
                for m in rows
                if m.role in (Role.MEMBER.value, Role.COORDINATOR.value)
            }
            added = []
            for aad, name in wanted.items():
                if aad in holding:
                    for m in rows:
                        if m.aad_object_id == aad and name and m.display_name != name:
                            m.display_name = name
                    continue
                inserted = await insert_if_absent(
                    session,
                    Membership,
                    {
                        "id": new_id(),
                        "team_id": team.id,
                        "tenant_id": team.tenant_id,
                        "aad_object_id": aad,
                        "role": Role.MEMBER.value,
                        "display_name": name,
                        "source": FROM_ROSTER,
                        "created_at": utcnow(),
                    },
                )
                if inserted:
                    added.append(aad)
            members = await _member_count(session, team.id)
        await self._record_system(
            team,
            "roster_sync",
            where,
            {"added": sorted(added), "removed": sorted(removed), "roster_size": len(wanted)},
        )
        return RosterChange(len(added), len(removed), members)

    async def add_from_roster(
        self, team: TeamRef, people: Sequence[tuple[str, str | None]], where: Where | None = None
    ) -> int:
        """People who joined the Teams team become members of its operational team at once
        (source roster, like a sync); recorded as the bot's. How many were added."""
        if team.kind != TeamKind.OPERATIONAL:
            raise WrongTeamKind(f"roster members of a {team.kind.value} team")
        added = []
        async with self._sessions() as session, session.begin():
            for aad, name in people:
                holding = (
                    await session.execute(
                        select(Membership.id).where(
                            Membership.team_id == team.id,
                            Membership.aad_object_id == aad,
                            Membership.role.in_((Role.MEMBER.value, Role.COORDINATOR.value)),
                        )
                    )
                ).first()
                if holding is None:
                    session.add(
                        Membership(
                            team_id=team.id,
                            tenant_id=team.tenant_id,
                            aad_object_id=aad,
                            role=Role.MEMBER.value,
                            display_name=name,
                            source=FROM_ROSTER,
                        )
                    )
                    added.append(aad)
        if added:
            await self._record_system(team, "joined_in_teams", where, {"added": sorted(added)})
        return len(added)

    async def remove_from_team(
        self, team: TeamRef, aad_object_id: str, where: Where | None = None
    ) -> int:
        """A person left the Teams team: every role they hold in the team goes at once, whatever
        its source. Recorded as the bot's. How many memberships went."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(Membership).where(
                    Membership.team_id == team.id,
                    Membership.tenant_id == team.tenant_id,
                    Membership.aad_object_id == aad_object_id,
                )
            )
            count = int(cast(CursorResult[Any], result).rowcount or 0)
        await self._record_system(
            team, "left_in_teams", where, {"removed": [aad_object_id], "memberships": count}
        )
        return count

    async def remove_absent_from_team(
        self, team: TeamRef, present: Iterable[str], where: Where | None = None
    ) -> int:
        """Someone left the Teams team and Teams did not say who: everyone added by the roster
        or by command who is no longer in the Teams team goes. People from the configuration
        file stay (the file is the organisation's word). How many memberships went.

        An empty `present` changes nothing: a roster naming nobody is a fault, as in
        sync_roster, and must not take everyone's access."""
        keep = {aad for aad in present if aad}
        if not keep:
            return 0
        async with self._sessions() as session, session.begin():
            rows = (
                (
                    await session.execute(
                        select(Membership).where(
                            Membership.team_id == team.id,
                            Membership.source.in_((FROM_ROSTER, FROM_COMMAND)),
                        )
                    )
                )
                .scalars()
                .all()
            )
            gone = [m for m in rows if m.aad_object_id not in keep]
            for m in gone:
                await session.delete(m)
        if gone:
            await self._record_system(
                team,
                "left_in_teams",
                where,
                {"removed": sorted({m.aad_object_id for m in gone}), "memberships": len(gone)},
            )
        return len(gone)

    async def _record_system(
        self, team: TeamRef, change: str, where: Where | None, detail: dict[str, Any]
    ) -> None:
        await self.gate.record(
            system_person(team.tenant_id),
            Action.MANAGE_MEMBERS,
            team.target(),
            Decision(True, "Teams' own word"),
            where or Where(),
            {"system": change, "team_id": team.id, **detail},
        )

    @staticmethod
    async def _find(
        session: AsyncSession, team_id: str | None, tenant_id: str, aad_object_id: str, role: Role
    ) -> Membership | None:
        # The unique constraint does not hold for a tenant-wide role (NULLs are distinct), so
        # look before adding.
        team_condition = (
            Membership.team_id.is_(None) if team_id is None else Membership.team_id == team_id
        )
        return (
            await session.execute(
                select(Membership).where(
                    team_condition,
                    Membership.tenant_id == tenant_id,
                    Membership.aad_object_id == aad_object_id,
                    Membership.role == role.value,
                )
            )
        ).scalar_one_or_none()


async def _member_count(session: AsyncSession, team_id: str) -> int:
    """How many hold the member role in the team (whatever the source)."""
    count = await session.execute(
        select(func.count())
        .select_from(Membership)
        .where(Membership.team_id == team_id, Membership.role == Role.MEMBER.value)
    )
    return int(count.scalar_one())


async def team_names(sessions: async_sessionmaker[Any], team_ids: Iterable[str]) -> dict[str, str]:
    """Team id → the team's name, for the teams a person may choose between."""
    wanted = set(team_ids)
    if not wanted:
        return {}
    async with sessions() as session:
        rows = await session.execute(select(Team.id, Team.name).where(Team.id.in_(wanted)))
        return {str(team_id): str(name) for team_id, name in rows.all()}


async def display_names(
    sessions: async_sessionmaker[Any], people: Iterable[Person]
) -> dict[Person, str]:
    """The names the teams know these people by (from memberships), for lists a coordinator
    reads, such as who has seen a case. People without a membership have no name here."""
    wanted = set(people)
    if not wanted:
        return {}
    async with sessions() as session:
        rows = await session.execute(
            select(Membership.tenant_id, Membership.aad_object_id, Membership.display_name).where(
                Membership.aad_object_id.in_({p.aad_object_id for p in wanted}),
                Membership.display_name.is_not(None),
            )
        )
        names: dict[Person, str] = {}
        for tenant_id, aad, name in rows.all():
            person = Person(tenant_id, aad)
            if person in wanted and name:
                names.setdefault(person, name)
        return names


async def team_people(sessions: async_sessionmaker[Any], team_id: str) -> list[TeamPerson]:
    """The people of a team with their roles, by name: whom a case can be assigned to, and
    who coordinates it. The card shows staff names only, never the person a case is about."""
    async with sessions() as session:
        rows = (
            await session.execute(select(Membership).where(Membership.team_id == team_id))
        ).scalars()
        people: dict[Person, tuple[str | None, set[Role]]] = {}
        for m in rows:
            try:
                role = Role(m.role)
            except ValueError:
                continue
            person = Person(m.tenant_id, m.aad_object_id)
            name, roles = people.get(person, (None, set()))
            people[person] = (name or m.display_name, roles | {role})
    found = [
        TeamPerson(p, name, tuple(r for r in ROLE_ORDER if r in roles))
        for p, (name, roles) in people.items()
    ]
    return sorted(found, key=lambda t: (t.name or "~", t.person.aad_object_id))
