"""The reminders a case's work gives rise to, planned in the same transaction as the change:
a report not assessed in time (to the coordinators, then the leadership), a follow-up date (to
whoever has the case), and the half-year report to Bufdir (to each operational team's
coordinators). Keys make planning idempotent; a change that ends the reason cancels them.
What the sweep reads before it sends one (is it still true?) is here too: `ReminderChecks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.access import Person, Role, TeamKind
from domain.calendar import (
    ReportingDeadlines,
    ReportingPeriod,
    at_oslo,
    local_day,
    working_days_after,
)
from storage.models import (
    Case,
    Membership,
    Municipality,
    ReportSubmission,
    Team,
    TeamMunicipality,
)
from storage.reminders import ReminderSpec, cancel_pending, schedule, schedule_all

ASSESSMENT = "assessment"
ASSESSMENT_ESCALATION = "assessment_escalation"
FOLLOW_UP = "follow_up"
HALF_YEAR = "half_year"
ARCHIVE_WAITING = "archive_waiting"
# A closed case waits this long before its coordinators hear that it is not archived yet.
ARCHIVE_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class ReminderPolicy:
    """How the municipality wants to be reminded (configuration)."""

    assessment_working_days: int = 3
    deadlines: ReportingDeadlines = field(default_factory=ReportingDeadlines)


async def _people(
    session: AsyncSession, team_ids: list[str], role: Role
) -> list[tuple[str, Person]]:
    if not team_ids:
        return []
    rows = await session.execute(
        select(Membership.team_id, Membership.tenant_id, Membership.aad_object_id).where(
            Membership.team_id.in_(team_ids), Membership.role == role.value
        )
    )
    return [(str(team), Person(tenant, aad)) for team, tenant, aad in rows.all()]


class NewCaseKeys(Protocol):
    """What planning a new case's reminders needs of it."""

    @property
    def id(self) -> str: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def municipality_id(self) -> str: ...
    @property
    def team_id(self) -> str | None: ...


# Whom a new report's assessment reminders go to, in one statement: the coordinators of its
# team and the leaders of its municipality's leadership teams. Built once (issue #9: building a
# statement costs more than running it).
_ASSESSMENT_PEOPLE = select(Membership.role, Membership.tenant_id, Membership.aad_object_id).where(
    or_(
        and_(
            Membership.team_id == bindparam("team_id"),
            Membership.role == Role.COORDINATOR.value,
        ),
        and_(
            Membership.role == Role.LEADER.value,
            Membership.team_id.in_(
                select(Team.id)
                .join(TeamMunicipality, TeamMunicipality.team_id == Team.id)
                .where(
                    TeamMunicipality.municipality_id == bindparam("municipality_id"),
                    Team.kind == TeamKind.LEADERSHIP.value,
                )
            ),
        ),
    )
)


async def plan_assessment(
    session: AsyncSession, case: NewCaseKeys, reported_at: datetime, policy: ReminderPolicy
) -> None:
    """A new report: the coordinators hear of it if it is not assessed within the working
    days, the leadership contact after as many again. Keys make it idempotent, as `schedule`."""
    days = policy.assessment_working_days
    reported_on = local_day(reported_at)
    plans = {
        Role.COORDINATOR.value: (ASSESSMENT, at_oslo(working_days_after(reported_on, days)), days),
        Role.LEADER.value: (
            ASSESSMENT_ESCALATION,
            at_oslo(working_days_after(reported_on, 2 * days)),
            2 * days,
        ),
    }
    people = await session.execute(
        _ASSESSMENT_PEOPLE,
        {"team_id": case.team_id, "municipality_id": case.municipality_id},
    )
    specs: dict[str, ReminderSpec] = {}
    for role, tenant_id, aad_object_id in people.all():
        kind, due_at, working_days = plans[role]
        key = f"{kind}:{case.id}:{tenant_id}:{aad_object_id}"
        specs[key] = ReminderSpec(
            key=key,
            tenant_id=case.tenant_id,
            kind=kind,
            due_at=due_at,
            person=Person(tenant_id, aad_object_id),
            team_id=case.team_id,
            case_id=case.id,
            payload={"working_days": working_days},
        )
    await schedule_all(session, [specs[key] for key in sorted(specs)])


async def plan_follow_up(session: AsyncSession, case_id: str) -> None:
    """The follow-up reminder as the case now stands: the morning of its date, to whoever has
    the case (to the coordinators while nobody does). Replaces any planned before."""
    case = await session.get(Case, case_id, populate_existing=True)
    if case is None:
        return
    await cancel_pending(session, case_id=case.id, kinds=(FOLLOW_UP,))
    if case.follow_up_on is None or case.status == "closed":
        return
    day: date = case.follow_up_on
    if case.assignee_tenant_id and case.assignee_aad_object_id:
        people = [Person(case.assignee_tenant_id, case.assignee_aad_object_id)]
    else:
        team_ids = [case.team_id] if case.team_id else []
        people = [p for _, p in await _people(session, team_ids, Role.COORDINATOR)]
    for person in people:
        await schedule(
            session,
            ReminderSpec(
                # The date and the person are in the key: a new date or assignee is a new row
                # (the old one was cancelled above), the same again is nothing new.
                key=f"{FOLLOW_UP}:{case.id}:{day.isoformat()}:{person.aad_object_id}:{case.revision}",
                tenant_id=case.tenant_id,
                kind=FOLLOW_UP,
                due_at=at_oslo(day),
                person=person,
                team_id=case.team_id,
                case_id=case.id,
                payload={"on": day.isoformat()},
            ),
        )


async def after_change(session: AsyncSession, case_id: str, event: str) -> None:
    """Keep the case's reminders true to what just changed."""
    if event == "closed":
        await cancel_pending(session, case_id=case_id)
    elif event == "classified":
        await cancel_pending(session, case_id=case_id, kinds=(ASSESSMENT, ASSESSMENT_ESCALATION))
    elif event in ("taken", "assigned", "follow_up_set", "reopened"):
        await plan_follow_up(session, case_id)


def half_year_key(team_id: str, period: str, days_before: int, person: Person) -> str:
    # The prefix "half_year:{team}:{period}:" is what marking the report sent cancels.
    return f"{HALF_YEAR}:{team_id}:{period}:{days_before}:{person.tenant_id}:{person.aad_object_id}"


async def plan_half_year(
    sessions: async_sessionmaker[Any], now: datetime, policy: ReminderPolicy
) -> int:
    """For every operational team's coordinators, the reminders of the reports still due.
    Only times still ahead are planned: a coordinator who joins late is not sent the past;
    rows planned earlier and missed during downtime are still in the table and go out late."""
    planned = 0
    async with sessions() as session, session.begin():
        submitted = {
            (t, p)
            for t, p in (
                await session.execute(select(ReportSubmission.team_id, ReportSubmission.period))
            ).all()
        }
        teams = (
            await session.execute(
                select(Team.id, Team.tenant_id).where(Team.kind == TeamKind.OPERATIONAL.value)
            )
        ).all()
        coordinators = await _people(session, [t for t, _ in teams], Role.COORDINATOR)
        for period in policy.deadlines.periods_to_remind(now):
            deadline = policy.deadlines.deadline(period).isoformat()
            for days_before, due in policy.deadlines.reminder_times(period):
                if due < now:
                    continue
                for team_id, person in coordinators:
                    if (team_id, period.label) in submitted:
                        continue
                    planned += await schedule(
                        session,
                        ReminderSpec(
                            key=half_year_key(team_id, period.label, days_before, person),
                            tenant_id=person.tenant_id,
                            kind=HALF_YEAR,
                            due_at=due,
                            person=person,
                            team_id=team_id,
                            payload={
                                "period": period.label,
                                "deadline": deadline,
                                "days_before": days_before,
                            },
                        ),
                    )
    return planned


# --- before a reminder is sent ----------------------------------------------------------------


@dataclass(frozen=True)
class RemindedCase:
    """What a casework reminder's card says of its case, and what tells it is still true."""

    number: str
    municipality_name: str
    created_at: datetime
    status: str
    classification: str | None
    follow_up_on: date | None


@dataclass(frozen=True)
class RemindedTeam:
    """The team a half-year reminder is for, and whether the period's report is marked sent."""

    id: str
    name: str
    report_sent: bool


class ReminderChecks:
    """What the sweep reads of a case or a team before it sends a reminder about it."""

    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions

    async def case(self, case_id: str) -> RemindedCase | None:
        """None when the case is gone."""
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(
                        Case.number,
                        Municipality.name,
                        Case.created_at,
                        Case.status,
                        Case.classification,
                        Case.follow_up_on,
                    )
                    .join(Municipality, Municipality.id == Case.municipality_id)
                    .where(Case.id == case_id)
                )
            ).one_or_none()
        return RemindedCase(*row) if row is not None else None

    async def waiting_for_archive(self, team_id: str, now: datetime) -> list[str]:
        """The numbers of the team's closed cases not yet archived, oldest closed first."""
        async with self._sessions() as session:
            return list(
                (
                    await session.execute(
                        _WAITING.where(
                            Case.team_id == team_id, Case.closed_at < now - ARCHIVE_AFTER
                        )
                    )
                ).scalars()
            )

    async def half_year_team(self, team_id: str, period: str) -> RemindedTeam | None:
        """None when the team is gone. `period`: its label, '2026H1'."""
        async with self._sessions() as session:
            team = await session.get(Team, team_id)
            sent = await session.get(ReportSubmission, (team_id, period))
        if team is None:
            return None
        return RemindedTeam(team.id, team.name, sent is not None)


_WAITING = (
    select(Case.number)
    .where(Case.status == "closed", Case.archived_at.is_(None), Case.personal_erased_at.is_(None))
    .order_by(Case.closed_at, Case.number)
)


async def plan_archive_waiting(sessions: async_sessionmaker[Any], now: datetime) -> int:
    """Once a month, each coordinator of a team with closed cases not yet in the municipality's
    archive hears which: the retention erases nothing before they are. Keyed by the month, so a
    daily planning plans one."""
    async with sessions() as session, session.begin():
        teams = list(
            (
                await session.execute(
                    select(Case.team_id)
                    .where(
                        Case.status == "closed",
                        Case.archived_at.is_(None),
                        Case.personal_erased_at.is_(None),
                        Case.closed_at < now - ARCHIVE_AFTER,
                        Case.team_id.is_not(None),
                    )
                    .distinct()
                )
            ).scalars()
        )
        month = local_day(now).strftime("%Y-%m")
        specs = [
            ReminderSpec(
                key=f"{ARCHIVE_WAITING}:{team_id}:{month}:{person.tenant_id}:{person.aad_object_id}",
                tenant_id=person.tenant_id,
                kind=ARCHIVE_WAITING,
                due_at=now,
                person=person,
                team_id=team_id,
            )
            for team_id, person in await _people(session, teams, Role.COORDINATOR)
        ]
        await schedule_all(session, specs)
        return len(specs)


__all__ = [
    "ARCHIVE_WAITING",
    "ASSESSMENT",
    "ASSESSMENT_ESCALATION",
    "FOLLOW_UP",
    "HALF_YEAR",
    "RemindedCase",
    "RemindedTeam",
    "ReminderChecks",
    "ReminderPolicy",
    "ReportingPeriod",
    "after_change",
    "half_year_key",
    "plan_archive_waiting",
    "plan_assessment",
    "plan_follow_up",
    "plan_half_year",
]
