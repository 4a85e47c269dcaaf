"""Network gatherings: scheduled, answered, moved and cancelled, each in one transaction with
the rows that tell people about it.

What goes out is planned as reminder rows (storage/reminders.py), in the same transaction as the
change that causes it, and delivered by the reminder sweep: the announcement in the network
channel (once), the card updated after a change, the Outlook event kept in step, the reminders
7 and 1 days before, and a word to those coming when it moves or is cancelled. A change raises
the gathering's sequence (the calendar file's SEQUENCE); reminders carry the sequence in their
key, so a moved gathering's old reminders are cancelled and new ones planned, never both sent.

Who may do what (domain/access.py): a network's members (role "network" in its team) see its
gatherings and answer them; anyone who may share in the network (today the same people:
coordinators of operational teams take part through their network membership) schedules one;
only its organiser moves or cancels it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.access import (
    Action,
    NetworkTarget,
    Person,
    Principal,
    Role,
    networks_for,
)
from domain.gathering import (
    REMINDED_ANSWERS,
    RSVP,
    Counts,
    GatheringPlan,
    reminder_key,
    reminder_times,
)
from domain.ids import new_id
from domain.refusal import Refused
from domain.views import GatheringView, PostedMessage, posted_in
from storage.db import insert_if_absent
from storage.gate import AccessGate, Where
from storage.models import Gathering, GatheringResponse, Membership, Reminder, Team
from storage.organisation import team_names
from storage.reminders import ReminderSpec, cancel_pending, schedule

# The reminder kinds of a gathering (bot/gatherings.py handles each).
REMINDER = "gathering_reminder"  # to a person, 7 and 1 days before
POST = "gathering_post"  # the announcement, once, in the network channel
CARD = "gathering_card"  # the announcement redrawn after a change
CALENDAR = "gathering_calendar"  # the Outlook event kept in step (Graph)
NOTICE = "gathering_notice"  # to those coming: moved, or cancelled
KINDS = (REMINDER, POST, CARD, CALENDAR, NOTICE)
# What goes to the network's channel: due again when the bot is added back to the team.
CHANNEL_POST_KINDS = (POST, CARD)


class GatheringNotFound(Exception):
    pass


class GatheringRefused(Refused):
    """Not done, and why ("gathering.refused.<reason>")."""


async def _counts(session: AsyncSession, gathering_id: str) -> Counts:
    rows = await session.execute(
        select(GatheringResponse.answer).where(GatheringResponse.gathering_id == gathering_id)
    )
    answers = [a for a in rows.scalars()]
    return Counts(answers.count("yes"), answers.count("no"), answers.count("maybe"))


async def _organiser_name(session: AsyncSession, row: Gathering) -> str | None:
    names = (
        await session.execute(
            select(Membership.display_name).where(
                Membership.tenant_id == row.organiser_tenant_id,
                Membership.aad_object_id == row.organiser_aad_object_id,
                Membership.display_name.is_not(None),
            )
        )
    ).scalars()
    name = next(iter(names), None)
    if name:
        return str(name)
    response = await session.get(
        GatheringResponse, (row.id, row.organiser_tenant_id, row.organiser_aad_object_id)
    )
    return response.display_name if response is not None else None


async def _view(session: AsyncSession, row: Gathering) -> GatheringView:
    team = await session.get(Team, row.network_team_id)
    posted = posted_in(
        row.tenant_id,
        row.service_url,
        row.post_conversation_id,
        row.post_activity_id,
        team.bot_id if team is not None else None,
    )
    return GatheringView(
        id=row.id,
        tenant_id=row.tenant_id,
        network_team_id=row.network_team_id,
        network_name=team.name if team is not None else "",
        title=row.title,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        place=row.place,
        online_url=row.online_url,
        agenda=row.agenda,
        rvts_region=row.rvts_region,
        state=row.state,
        sequence=row.sequence,
        organiser=Person(row.organiser_tenant_id, row.organiser_aad_object_id),
        organiser_name=await _organiser_name(session, row),
        graph_event_id=row.graph_event_id,
        posted=posted,
        counts=await _counts(session, row.id),
        updated_at=row.updated_at,
    )


async def _answers(session: AsyncSession, gathering_id: str) -> dict[Person, str]:
    rows = await session.execute(
        select(
            GatheringResponse.tenant_id, GatheringResponse.aad_object_id, GatheringResponse.answer
        ).where(GatheringResponse.gathering_id == gathering_id)
    )
    return {Person(t, a): answer for t, a, answer in rows.all()}


async def _members(session: AsyncSession, network_team_id: str) -> list[Person]:
    rows = await session.execute(
        select(Membership.tenant_id, Membership.aad_object_id).where(
            Membership.team_id == network_team_id, Membership.role == Role.NETWORK.value
        )
    )
    return sorted(
        {Person(t, a) for t, a in rows.all()}, key=lambda p: (p.tenant_id, p.aad_object_id)
    )


async def _reminded(session: AsyncSession, row: Gathering) -> list[Person]:
    """Whom the reminders go to: the network's members and whoever answered yes or maybe,
    except those who said no."""
    answers = await _answers(session, row.id)
    people = set(await _members(session, row.network_team_id))
    people |= {p for p, a in answers.items() if a in REMINDED_ANSWERS}
    return sorted(
        (p for p in people if answers.get(p) != "no"),
        key=lambda p: (p.tenant_id, p.aad_object_id),
    )


async def _plan_reminders_for(
    session: AsyncSession, row: Gathering, people: list[Person], now: datetime
) -> int:
    planned = 0
    for days, due in reminder_times(row.starts_at, now):
        for person in people:
            planned += await schedule(
                session,
                ReminderSpec(
                    key=reminder_key(row.id, row.sequence, days, person),
                    tenant_id=row.tenant_id,
                    kind=REMINDER,
                    due_at=due,
                    person=person,
                    team_id=row.network_team_id,
                    gathering_id=row.id,
                    payload={"sequence": row.sequence, "days": days},
                ),
            )
    return planned


async def _tell_channel(session: AsyncSession, row: Gathering, now: datetime, what: str) -> None:
    """The announcement (POST, once per gathering) or its update (CARD, once per version)."""
    key = f"gathering:{row.id}:post" if what == POST else f"gathering:{row.id}:{row.sequence}:card"
    await schedule(
        session,
        ReminderSpec(
            key=key,
            tenant_id=row.tenant_id,
            kind=what,
            due_at=now,
            team_id=row.network_team_id,
            gathering_id=row.id,
            payload={"sequence": row.sequence},
        ),
    )


async def _close_card_when_over(session: AsyncSession, row: Gathering) -> None:
    """The card redrawn when the gathering ends, so its answer buttons go."""
    await schedule(
        session,
        ReminderSpec(
            key=f"gathering:{row.id}:{row.sequence}:card:ended",
            tenant_id=row.tenant_id,
            kind=CARD,
            due_at=row.ends_at,
            team_id=row.network_team_id,
            gathering_id=row.id,
            payload={"sequence": row.sequence},
        ),
    )


async def _keep_calendar_in_step(session: AsyncSession, row: Gathering, now: datetime) -> None:
    if row.graph_event_id is None:
        return
    await schedule(
        session,
        ReminderSpec(
            key=f"gathering:{row.id}:{row.sequence}:calendar",
            tenant_id=row.tenant_id,
            kind=CALENDAR,
            due_at=now,
            team_id=row.network_team_id,
            gathering_id=row.id,
            payload={"sequence": row.sequence},
        ),
    )


async def _tell_those_coming(
    session: AsyncSession, row: Gathering, now: datetime, change: str, except_for: Person
) -> None:
    answers = await _answers(session, row.id)
    for person, answer in sorted(answers.items(), key=lambda pa: pa[0].aad_object_id):
        if answer not in REMINDED_ANSWERS or person == except_for:
            continue
        await schedule(
            session,
            ReminderSpec(
                key=(
                    f"gathering:{row.id}:{row.sequence}:notice:"
                    f"{person.tenant_id}:{person.aad_object_id}"
                ),
                tenant_id=row.tenant_id,
                kind=NOTICE,
                due_at=now,
                person=person,
                team_id=row.network_team_id,
                gathering_id=row.id,
                payload={"sequence": row.sequence, "change": change},
            ),
        )


class Gatherings:
    def __init__(self, sessions: async_sessionmaker[Any], gate: AccessGate) -> None:
        self._sessions = sessions
        self._gate = gate

    async def network_names(self, team_ids: list[str]) -> dict[str, str]:
        return await team_names(self._sessions, team_ids)

    async def view(self, gathering_id: str) -> GatheringView | None:
        async with self._sessions() as session:
            row = await session.get(Gathering, gathering_id)
            return await _view(session, row) if row is not None else None

    async def answer_of(self, gathering_id: str, person: Person) -> str | None:
        async with self._sessions() as session:
            row = await session.get(
                GatheringResponse, (gathering_id, person.tenant_id, person.aad_object_id)
            )
            return row.answer if row is not None else None

    # --- scheduling ----------------------------------------------------------------------------

    async def create(
        self,
        principal: Principal,
        gathering_id: str,
        plan: GatheringPlan,
        now: datetime,
        where: Where,
        *,
        organiser_name: str | None = None,
        online_url: str | None = None,
        graph_event_id: str | None = None,
    ) -> tuple[GatheringView, bool]:
        """The gathering, its announcement and its reminders, in one transaction. The id is the
        form's: the same form sent twice makes one gathering (False: it was there already)."""
        await self._gate.require(
            principal,
            Action.SHARE_IN_NETWORK,
            NetworkTarget(plan.network_team_id),
            where,
            {"gathering": gathering_id},
        )
        organiser = principal.person
        async with self._sessions() as session, session.begin():
            team = await session.get(Team, plan.network_team_id)
            if team is None:
                raise GatheringRefused("not_member")
            created = await insert_if_absent(
                session,
                Gathering,
                {
                    "id": gathering_id,
                    "tenant_id": team.tenant_id,
                    "network_team_id": team.id,
                    "title": plan.title,
                    "starts_at": plan.starts_at,
                    "ends_at": plan.ends_at,
                    "place": plan.place,
                    "online_url": online_url or plan.online_url,
                    "agenda": plan.agenda,
                    "rvts_region": plan.rvts_region,
                    "invited_team_ids": [team.id],
                    "state": "scheduled",
                    "sequence": 0,
                    "organiser_tenant_id": organiser.tenant_id,
                    "organiser_aad_object_id": organiser.aad_object_id,
                    "graph_event_id": graph_event_id,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            row = await session.get(Gathering, gathering_id)
            assert row is not None
            if created:
                # The organiser is coming: counted, and reminded like everyone else.
                session.add(
                    GatheringResponse(
                        gathering_id=row.id,
                        tenant_id=organiser.tenant_id,
                        aad_object_id=organiser.aad_object_id,
                        answer="yes",
                        display_name=organiser_name,
                        answered_at=now,
                    )
                )
                await session.flush()
                await _tell_channel(session, row, now, POST)
                await _close_card_when_over(session, row)
                await _plan_reminders_for(session, row, await _reminded(session, row), now)
            return await _view(session, row), created

    async def plan_reminders(self, now: datetime) -> int:
        """Reminders for everyone now in the networks of the gatherings to come: people who
        joined a network after a gathering was announced are reminded too. Idempotent (the
        keys), so it can run every hour; a reminder cancelled by a "no" stays cancelled."""
        planned = 0
        async with self._sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(Gathering).where(
                        Gathering.state == "scheduled", Gathering.starts_at > now
                    )
                )
            ).scalars()
            for row in list(rows):
                planned += await _plan_reminders_for(
                    session, row, await _reminded(session, row), now
                )
        return planned

    # --- answers ------------------------------------------------------------------------------

    async def answer(
        self,
        principal: Principal,
        gathering_id: str,
        answer: str,
        now: datetime,
        where: Where,
        display_name: str | None = None,
    ) -> GatheringView:
        """A member's answer; a second one replaces the first. "No" cancels their reminders;
        "yes" or "maybe" after a "no" plans them again."""
        if answer not in RSVP:
            raise GatheringRefused("unknown_answer")
        person = principal.person
        row = await self._row(gathering_id)
        await self._gate.require(
            principal,
            Action.VIEW_NETWORK,
            NetworkTarget(row.network_team_id),
            where,
            {"gathering": gathering_id, "answer": answer},
        )
        if row.state == "cancelled":
            raise GatheringRefused("cancelled")
        if row.ends_at <= now:
            raise GatheringRefused("over")
        async with self._sessions() as session, session.begin():
            row = await session.get(Gathering, gathering_id, populate_existing=True)
            assert row is not None
            values = {
                "gathering_id": gathering_id,
                "tenant_id": person.tenant_id,
                "aad_object_id": person.aad_object_id,
                "answer": answer,
                "display_name": display_name,
                "answered_at": now,
            }
            if not await insert_if_absent(session, GatheringResponse, values):
                changes: dict[str, Any] = {"answer": answer, "answered_at": now}
                if display_name:
                    changes["display_name"] = display_name
                await session.execute(
                    update(GatheringResponse)
                    .where(
                        GatheringResponse.gathering_id == gathering_id,
                        GatheringResponse.tenant_id == person.tenant_id,
                        GatheringResponse.aad_object_id == person.aad_object_id,
                    )
                    .values(**changes)
                )
            await self._person_reminders(session, row, person, answer, now)
            return await _view(session, row)

    async def _person_reminders(
        self, session: AsyncSession, row: Gathering, person: Person, answer: str, now: datetime
    ) -> None:
        mine = and_(
            Reminder.gathering_id == row.id,
            Reminder.kind == REMINDER,
            Reminder.recipient_tenant_id == person.tenant_id,
            Reminder.recipient_aad_object_id == person.aad_object_id,
        )
        if answer == "no":
            await session.execute(
                update(Reminder).where(mine, Reminder.state == "pending").values(state="cancelled")
            )
            return
        await _plan_reminders_for(session, row, [person], now)
        # Cancelled by an earlier "no": pending again (only those still to come).
        keys = [
            reminder_key(row.id, row.sequence, d, person)
            for d, _ in reminder_times(row.starts_at, now)
        ]
        if keys:
            await session.execute(
                update(Reminder)
                .where(mine, Reminder.key.in_(keys), Reminder.state == "cancelled")
                .values(state="pending", last_error=None)
            )

    # --- the organiser's changes --------------------------------------------------------------

    async def change(
        self,
        principal: Principal,
        gathering_id: str,
        sequence: int,
        plan: GatheringPlan,
        now: datetime,
        where: Where,
    ) -> GatheringView:
        """New time, place or agenda. `sequence` is the version the form was drawn from: a form
        older than the gathering (changed since, or sent twice) changes nothing."""
        row = await self._organisers(principal, gathering_id, now, where, "change")
        moved = (plan.starts_at, plan.ends_at) != (row.starts_at, row.ends_at)
        relocated = (plan.place, plan.online_url) != (row.place, row.online_url)
        async with self._sessions() as session, session.begin():
            changed = await self._bump(
                session,
                gathering_id,
                sequence,
                title=plan.title,
                starts_at=plan.starts_at,
                ends_at=plan.ends_at,
                place=plan.place,
                online_url=plan.online_url,
                agenda=plan.agenda,
                rvts_region=plan.rvts_region,
                updated_at=now,
            )
            await cancel_pending(session, gathering_id=gathering_id, kinds=(REMINDER, CARD))
            await _plan_reminders_for(session, changed, await _reminded(session, changed), now)
            await _tell_channel(session, changed, now, CARD)
            await _close_card_when_over(session, changed)
            await _keep_calendar_in_step(session, changed, now)
            if moved or relocated:
                await _tell_those_coming(
                    session, changed, now, "moved" if moved else "changed", principal.person
                )
            return await _view(session, changed)

    async def cancel(
        self, principal: Principal, gathering_id: str, sequence: int, now: datetime, where: Where
    ) -> GatheringView:
        await self._organisers(principal, gathering_id, now, where, "cancel")
        async with self._sessions() as session, session.begin():
            cancelled = await self._bump(
                session, gathering_id, sequence, state="cancelled", updated_at=now
            )
            await cancel_pending(session, gathering_id=gathering_id, kinds=(REMINDER, NOTICE, CARD))
            await _tell_channel(session, cancelled, now, CARD)
            await _keep_calendar_in_step(session, cancelled, now)
            await _tell_those_coming(session, cancelled, now, "cancelled", principal.person)
            return await _view(session, cancelled)

    async def _organisers(
        self, principal: Principal, gathering_id: str, now: datetime, where: Where, what: str
    ) -> Gathering:
        row = await self._row(gathering_id)
        await self._gate.require(
            principal,
            Action.SHARE_IN_NETWORK,
            NetworkTarget(row.network_team_id),
            where,
            {"gathering": gathering_id, "change": what},
        )
        if principal.person != Person(row.organiser_tenant_id, row.organiser_aad_object_id):
            raise GatheringRefused("not_organiser")
        if row.state == "cancelled":
            raise GatheringRefused("cancelled")
        if row.ends_at <= now:
            raise GatheringRefused("over")
        return row

    async def _bump(
        self, session: AsyncSession, gathering_id: str, sequence: int, **values: Any
    ) -> Gathering:
        """Compare and set: the change is made only to the version it was drawn from."""
        result = await session.execute(
            update(Gathering)
            .where(
                Gathering.id == gathering_id,
                Gathering.sequence == sequence,
                Gathering.state == "scheduled",
            )
            .values(sequence=Gathering.sequence + 1, **values)
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            raise GatheringRefused("changed")
        row = await session.get(Gathering, gathering_id, populate_existing=True)
        assert row is not None
        return row

    async def _row(self, gathering_id: str) -> Gathering:
        async with self._sessions() as session:
            row = await session.get(Gathering, gathering_id)
            if row is None:
                raise GatheringNotFound(gathering_id)
            return row

    # --- lists and the channel post -----------------------------------------------------------

    async def upcoming(
        self, principal: Principal, now: datetime, limit: int = 10
    ) -> list[tuple[GatheringView, str | None]]:
        """The gatherings to come in the person's networks, soonest first, with their own
        answer. Cancelled ones stay in the list until their day, marked as such."""
        networks = networks_for(principal, Action.VIEW_NETWORK)
        if not networks:
            return []
        person = principal.person
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Gathering)
                    .where(Gathering.network_team_id.in_(networks), Gathering.ends_at > now)
                    .order_by(Gathering.starts_at)
                    .limit(limit)
                )
            ).scalars()
            found = []
            for row in list(rows):
                mine = await session.get(
                    GatheringResponse, (row.id, person.tenant_id, person.aad_object_id)
                )
                found.append((await _view(session, row), mine.answer if mine else None))
            return found

    async def record_post(self, gathering_id: str, posted: PostedMessage) -> bool:
        """Where the announcement is. False when it had been recorded already."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(Gathering)
                .where(Gathering.id == gathering_id, Gathering.post_activity_id.is_(None))
                .values(
                    service_url=posted.service_url,
                    post_conversation_id=posted.conversation_id,
                    post_activity_id=posted.activity_id,
                )
            )
            return cast(CursorResult[Any], result).rowcount == 1

    async def refresh_card_later(self, gathering_id: str, now: datetime) -> None:
        """The channel card redrawn by the sweep (after an answer given outside the channel)."""
        async with self._sessions() as session, session.begin():
            row = await session.get(Gathering, gathering_id)
            if row is None or row.post_activity_id is None:
                return
            await schedule(
                session,
                ReminderSpec(
                    key=f"gathering:{row.id}:{row.sequence}:card:{new_id()}",
                    tenant_id=row.tenant_id,
                    kind=CARD,
                    due_at=now,
                    team_id=row.network_team_id,
                    gathering_id=row.id,
                    payload={"sequence": row.sequence},
                ),
            )
