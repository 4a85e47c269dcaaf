"""The team's own meeting in the database: the series, the meetings called off, and the agenda
drawn from the team's open cases.

Each meeting's agenda is a reminder (kind AGENDA, keyed by the series and the meeting's start),
due at noon the day before; when it has been handled, the next meeting's is planned. So a
series keeps one agenda ahead of it, and a new series ends the old one and cancels what it had
planned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.access import Action, Principal, TeamKind, TeamTarget, decide
from domain.calendar import local_day, working_days_after
from domain.clock import utcnow
from domain.refusal import Refused
from domain.team_meeting import (
    Agenda,
    MeetingPlan,
    MeetingView,
    OpenCase,
    agenda_due,
    agenda_of,
    meetings_before,
    next_meeting,
)
from storage.cases import assignee_of
from storage.casework_reminders import ReminderPolicy
from storage.gate import AccessGate, Where
from storage.models import Case, CaseEvent, Team, TeamMeeting, TeamMeetingCancellation
from storage.reminders import ReminderSpec, cancel_pending, schedule

AGENDA = "team_meeting_agenda"
# The Outlook series kept in step: made, one meeting called off, ended.
CALENDAR = "team_meeting_calendar"
# The event a decision made at the meeting leaves in a case's timeline.
DECISION_EVENT = "meeting_decision"


class MeetingRefused(Refused):
    """What cannot be done with the meeting ("meeting.refused.<reason>")."""


def _view(row: TeamMeeting, team_name: str, called_off: tuple[datetime, ...] = ()) -> MeetingView:
    return MeetingView(
        row.id,
        row.tenant_id,
        row.team_id,
        team_name,
        row.rhythm,
        row.first_starts_at,
        row.minutes,
        row.place,
        row.online_url,
        row.ended_at,
        row.created_at,
        called_off,
        row.graph_event_id,
        row.join_url,
    )


def _calendar_spec(
    row: TeamMeeting, action: str, now: datetime, starts_at: datetime | None = None
) -> ReminderSpec:
    at = starts_at.isoformat() if starts_at else ""
    return ReminderSpec(
        key=f"{CALENDAR}:{row.id}:{action}:{at}",
        tenant_id=row.tenant_id,
        kind=CALENDAR,
        due_at=now,
        team_id=row.team_id,
        payload={"meeting": row.id, "action": action, "starts_at": at or None},
    )


def agenda_key(meeting_id: str, starts_at: datetime) -> str:
    return f"{AGENDA}:{meeting_id}:{starts_at.isoformat()}"


def _agenda_spec(row: TeamMeeting, starts_at: datetime) -> ReminderSpec:
    return ReminderSpec(
        key=agenda_key(row.id, starts_at),
        tenant_id=row.tenant_id,
        kind=AGENDA,
        due_at=agenda_due(starts_at),
        team_id=row.team_id,
        payload={"meeting": row.id, "starts_at": starts_at.isoformat()},
    )


class TeamMeetings:
    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        gate: AccessGate,
        policy: ReminderPolicy | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._gate = gate
        self._policy = policy or ReminderPolicy()
        self._now = now

    async def record_event(self, meeting_id: str, event_id: str, join_url: str | None) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(TeamMeeting)
                .where(TeamMeeting.id == meeting_id)
                .values(graph_event_id=event_id, join_url=join_url)
            )

    def now(self) -> datetime:
        return self._now()

    async def _require(self, principal: Principal, team_id: str, where: Where) -> None:
        async with self._sessions() as session:
            team = await session.get(Team, team_id)
        if team is None:
            raise MeetingRefused("no_team")
        target = TeamTarget(team.id, team.tenant_id, TeamKind(team.kind))
        await self._gate.require(principal, Action.SCHEDULE_TEAM_MEETING, target, where)

    async def teams_for(self, principal: Principal) -> dict[str, str]:
        """The teams whose meeting this person may schedule: {team id: name}."""
        ids = {
            g.team_id
            for g in principal.grants
            if g.team_id
            and decide(
                principal,
                Action.SCHEDULE_TEAM_MEETING,
                TeamTarget(g.team_id, g.tenant_id, g.team_kind),
            )
        }
        if not ids:
            return {}
        async with self._sessions() as session:
            rows = await session.execute(
                select(Team.id, Team.name).where(Team.id.in_(ids)).order_by(Team.name)
            )
            return {team_id: name for team_id, name in rows}

    async def create(
        self, principal: Principal, meeting_id: str, plan: MeetingPlan, where: Where
    ) -> tuple[MeetingView, bool]:
        """The team's meeting from now on; the one it had before ends. A form sent twice makes
        one meeting: (the meeting, whether it was made now)."""
        await self._require(principal, plan.team_id, where)
        now = self._now()
        try:
            async with self._sessions() as session, session.begin():
                team = await session.get(Team, plan.team_id)
                if team is None:
                    raise MeetingRefused("no_team")
                for old in (
                    await session.execute(
                        select(TeamMeeting).where(
                            TeamMeeting.team_id == plan.team_id, TeamMeeting.ended_at.is_(None)
                        )
                    )
                ).scalars():
                    old.ended_at = now
                    await cancel_pending(session, key_prefix=f"{AGENDA}:{old.id}:")
                    await schedule(session, _calendar_spec(old, "end", now))
                row = TeamMeeting(
                    id=meeting_id,
                    tenant_id=team.tenant_id,
                    team_id=plan.team_id,
                    rhythm=plan.rhythm,
                    first_starts_at=plan.first_starts_at,
                    minutes=plan.minutes,
                    place=plan.place,
                    online_url=plan.online_url,
                    created_by_tenant_id=principal.person.tenant_id,
                    created_by_aad_object_id=principal.person.aad_object_id,
                    created_at=now,
                )
                session.add(row)
                await session.flush()
                await schedule(session, _agenda_spec(row, plan.first_starts_at))
                await schedule(session, _calendar_spec(row, "create", now))
                return _view(row, team.name), True
        except IntegrityError:
            view = await self.view(meeting_id)
            if view is None:
                raise
            return view, False

    async def view(self, meeting_id: str) -> MeetingView | None:
        async with self._sessions() as session:
            found = (
                await session.execute(
                    select(TeamMeeting, Team.name)
                    .join(Team, Team.id == TeamMeeting.team_id)
                    .where(TeamMeeting.id == meeting_id)
                )
            ).one_or_none()
            if found is None:
                return None
            called_off = tuple(
                (
                    await session.execute(
                        select(TeamMeetingCancellation.starts_at)
                        .where(TeamMeetingCancellation.meeting_id == meeting_id)
                        .order_by(TeamMeetingCancellation.starts_at)
                    )
                ).scalars()
            )
        row, team_name = found
        return _view(row, team_name, called_off)

    async def current(self, team_id: str) -> MeetingView | None:
        async with self._sessions() as session:
            meeting_id = await session.scalar(
                select(TeamMeeting.id).where(
                    TeamMeeting.team_id == team_id, TeamMeeting.ended_at.is_(None)
                )
            )
        return await self.view(meeting_id) if meeting_id else None

    async def plan_next(self, meeting_id: str, after: datetime) -> datetime | None:
        """Plan the agenda of the meeting after `after`: None when the series has ended."""
        async with self._sessions() as session, session.begin():
            row = await session.get(TeamMeeting, meeting_id)
            if row is None or row.ended_at is not None:
                return None
            starts_at = next_meeting(row.rhythm, row.first_starts_at, after)
            await schedule(session, _agenda_spec(row, starts_at))
            return starts_at

    async def is_cancelled(self, meeting_id: str, starts_at: datetime) -> bool:
        async with self._sessions() as session:
            return await session.get(TeamMeetingCancellation, (meeting_id, starts_at)) is not None

    async def cancel(
        self, principal: Principal, meeting_id: str, starts_at: datetime, where: Where
    ) -> MeetingView:
        """Call off one meeting of the series. The next agenda then counts from the last
        meeting held."""
        view = await self.view(meeting_id)
        if view is None:
            raise MeetingRefused("no_meeting")
        await self._require(principal, view.team_id, where)
        if starts_at not in self._starts(view, starts_at + timedelta(seconds=1)):
            raise MeetingRefused("no_meeting")
        if starts_at <= self._now():
            raise MeetingRefused("already_started")
        try:
            async with self._sessions() as session, session.begin():
                session.add(
                    TeamMeetingCancellation(
                        meeting_id=meeting_id,
                        starts_at=starts_at,
                        by_tenant_id=principal.person.tenant_id,
                        by_aad_object_id=principal.person.aad_object_id,
                        at=self._now(),
                    )
                )
                row = await session.get(TeamMeeting, meeting_id)
                assert row is not None
                await schedule(session, _calendar_spec(row, "cancel_one", self._now(), starts_at))
        except IntegrityError:
            pass  # called off already: a second press changes nothing
        return view

    @staticmethod
    def _starts(view: MeetingView, before: datetime) -> list[datetime]:
        return meetings_before(view.rhythm, view.first_starts_at, before)

    async def agenda(self, meeting_id: str, starts_at: datetime) -> Agenda | None:
        """The cases to go through at the meeting starting `starts_at`: anonymised, codes only.
        None when there is no such meeting."""
        view = await self.view(meeting_id)
        if view is None or starts_at not in self._starts(view, starts_at + timedelta(seconds=1)):
            return None
        async with self._sessions() as session:
            called_off = set(
                (
                    await session.execute(
                        select(TeamMeetingCancellation.starts_at).where(
                            TeamMeetingCancellation.meeting_id == meeting_id
                        )
                    )
                ).scalars()
            )
            held = [m for m in self._starts(view, starts_at) if m not in called_off]
            since = held[0] if held else None
            cases = await self._open_cases(session, view.team_id)
            decided = await self._decided(session, [c.id for c in cases], meeting_id, starts_at)
        return Agenda(
            view,
            starts_at,
            since,
            agenda_of(cases, starts_at, since),
            starts_at in called_off,
            decided,
        )

    async def _open_cases(self, session: AsyncSession, team_id: str) -> list[OpenCase]:
        rows = (
            await session.execute(
                select(Case).where(Case.team_id == team_id, Case.status != "closed")
            )
        ).scalars()
        days = self._policy.assessment_working_days
        return [
            OpenCase(
                id=case.id,
                number=case.number,
                status=case.status,
                created_at=case.created_at,
                assessment_deadline=(
                    working_days_after(local_day(case.created_at), days)
                    if case.assessed_at is None
                    else None
                ),
                follow_up_on=case.follow_up_on,
                assignee=assignee_of(case),
                revision=case.revision,
            )
            for case in rows
        ]

    @staticmethod
    async def _decided(
        session: AsyncSession, case_ids: list[str], meeting_id: str, starts_at: datetime
    ) -> frozenset[str]:
        if not case_ids:
            return frozenset()
        rows = await session.execute(
            select(CaseEvent.case_id, CaseEvent.data).where(
                CaseEvent.kind == DECISION_EVENT, CaseEvent.case_id.in_(case_ids)
            )
        )
        return frozenset(
            case_id
            for case_id, data in rows
            if (data or {}).get("meeting") == meeting_id
            and (data or {}).get("starts_at") == starts_at.isoformat()
        )

    async def end(self, principal: Principal, team_id: str, where: Where) -> bool:
        """No more meetings for the team (until a new one is scheduled)."""
        await self._require(principal, team_id, where)
        async with self._sessions() as session, session.begin():
            ids = list(
                (
                    await session.execute(
                        select(TeamMeeting.id).where(
                            TeamMeeting.team_id == team_id, TeamMeeting.ended_at.is_(None)
                        )
                    )
                ).scalars()
            )
            for meeting_id in ids:
                await cancel_pending(session, key_prefix=f"{AGENDA}:{meeting_id}:")
                row = await session.get(TeamMeeting, meeting_id)
                assert row is not None
                await schedule(session, _calendar_spec(row, "end", self._now()))
            await session.execute(
                update(TeamMeeting).where(TeamMeeting.id.in_(ids)).values(ended_at=self._now())
            )
        return bool(ids)
