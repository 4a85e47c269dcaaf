"""Sending the reminders the sweep hands over: casework deadlines, follow-ups and the half-year
report. Each handler first checks that the reminder is still true (a case assessed meanwhile is
not reminded of), then draws the card in the person's language and sends it to their own chat.

Reaching a person: through the chat they have written in, or, where there is none, a new
one-to-one chat Teams opens with the person's Entra object id in their tenant.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, Protocol

from bot.proactive import BotProactiveSender
from cards.delivery_cards import not_posted_card
from cards.reminder_cards import (
    archive_waiting_card,
    assessment_card,
    escalation_card,
    follow_up_card,
    half_year_card,
    unreachable_card,
)
from cards.texts import language_for_locale
from domain.access import Person, Role
from scheduler.reminders import Obsolete, ReminderSweep, Unreachable, sweep_time
from scheduler.sender import SendRefused
from storage.casework_reminders import (
    ARCHIVE_WAITING,
    ASSESSMENT,
    ASSESSMENT_ESCALATION,
    FOLLOW_UP,
    HALF_YEAR,
    RemindedCase,
    ReminderChecks,
)
from storage.organisation import OrganisationRepository
from storage.references import ConversationReferences, StoredReference
from storage.reminders import DueReminder

log = logging.getLogger(__name__)


class Reach(Protocol):
    """PersonReach, as what it sends through sees it: a person's own chat, opened if need be."""

    async def locale_of(self, person: Person) -> str | None: ...

    async def send(self, person: Person, card: dict[str, Any]) -> None:
        """Raises Unreachable when there is no way to the person, SendRefused when Teams
        says no."""
        ...


async def tell_not_posted(reach: Reach, person: Person, what: str, **values: str) -> None:
    """Tell `person`, in their own chat and language, that a post they made (`what`, the text
    saying which) did not get into its channel. Not told is only logged: nobody is left to tell."""
    lang = language_for_locale(await reach.locale_of(person))
    try:
        await reach.send(person, not_posted_card(lang, what, **values))
    except (Unreachable, SendRefused) as error:
        log.info("%s: its author not told: %s", what, type(error).__name__)


class PersonReach:
    """Where to send a card to a person unasked."""

    def __init__(self, references: ConversationReferences, sender: BotProactiveSender) -> None:
        self._references = references
        self._sender = sender

    async def locale_of(self, person: Person) -> str | None:
        reference = await self._references.find(person)
        return reference.locale if reference else None

    async def send(self, person: Person, card: dict[str, Any]) -> None:
        """Raises Unreachable when there is no way to the person, SendRefused when Teams says no."""
        reference = await self._references.find(person)
        if reference is not None:
            await self._sender.send_card(reference, card)
            return
        await self._new_chat(person, card)

    async def _new_chat(self, person: Person, card: dict[str, Any]) -> None:
        service_url = await self._references.service_url_in(person.tenant_id)
        if not service_url:
            raise Unreachable("no chat with the person and no service URL for the tenant")
        try:
            # Teams takes the Entra object id as a member for a new one-to-one chat.
            conversation_id = await self._sender.open_chat(
                person.tenant_id, service_url, person.aad_object_id, None
            )
        except SendRefused as refused:
            if refused.retryable:
                raise  # Teams said "not now": the sweep tries again
            raise Unreachable(f"no one-to-one chat could be opened: {refused}") from refused
        reference = StoredReference(
            tenant_id=person.tenant_id,
            aad_object_id=person.aad_object_id,
            service_url=service_url,
            channel_id="msteams",
            conversation_id=conversation_id,
            bot_id="",
            locale=None,
        )
        try:
            await self._sender.send_card(reference, card)
        except SendRefused as refused:
            if refused.retryable:
                raise
            raise Unreachable(f"the new chat refused the card: {refused}") from refused


class ReminderDelivery:
    def __init__(
        self,
        checks: ReminderChecks,
        organisation: OrganisationRepository,
        reach: PersonReach,
    ) -> None:
        self._checks = checks
        self._organisation = organisation
        self._reach = reach

    def register(self, sweep: ReminderSweep) -> None:
        sweep.handle(ASSESSMENT, self.assessment)
        sweep.handle(ASSESSMENT_ESCALATION, self.escalation)
        sweep.handle(FOLLOW_UP, self.follow_up)
        sweep.handle(HALF_YEAR, self.half_year)
        sweep.handle(ARCHIVE_WAITING, self.archive_waiting)

    async def _case(self, reminder: DueReminder) -> RemindedCase:
        case = await self._checks.case(reminder.case_id) if reminder.case_id else None
        if case is None:
            raise Obsolete("the case is gone")
        return case

    async def _lang(self, person: Person) -> str:
        return language_for_locale(await self._reach.locale_of(person))

    def _person(self, reminder: DueReminder) -> Person:
        if reminder.person is None:
            raise Obsolete("no recipient")
        return reminder.person

    async def assessment(self, reminder: DueReminder) -> None:
        person = self._person(reminder)
        case = await self._case(reminder)
        if case.classification is not None or case.status == "closed":
            raise Obsolete("assessed or closed")
        card = assessment_card(
            await self._lang(person),
            case.number,
            case.created_at,
            int(reminder.payload.get("working_days", 0)),
            reminder.due_at,
            sweep_time(),
        )
        await self._reach.send(person, card)

    async def escalation(self, reminder: DueReminder) -> None:
        person = self._person(reminder)
        case = await self._case(reminder)
        if case.classification is not None or case.status == "closed":
            raise Obsolete("assessed or closed")
        card = escalation_card(
            await self._lang(person),
            case.number,
            case.municipality_name,
            int(reminder.payload.get("working_days", 0)),
            reminder.due_at,
            sweep_time(),
        )
        await self._reach.send(person, card)

    async def follow_up(self, reminder: DueReminder) -> None:
        person = self._person(reminder)
        case = await self._case(reminder)
        day = date.fromisoformat(str(reminder.payload.get("on")))
        if case.status == "closed" or case.follow_up_on != day:
            raise Obsolete("closed, or the date was changed")
        card = follow_up_card(
            await self._lang(person), case.number, day, reminder.due_at, sweep_time()
        )
        await self._reach.send(person, card)

    async def half_year(self, reminder: DueReminder) -> None:
        person = self._person(reminder)
        period = str(reminder.payload.get("period"))
        team = (
            await self._checks.half_year_team(reminder.team_id, period)
            if reminder.team_id
            else None
        )
        if team is None:
            raise Obsolete("the team is gone")
        if team.report_sent:
            raise Obsolete("the report has been marked as sent")
        people = await self._organisation.people_of(team.id)
        if not any(p.person == person and Role.COORDINATOR in p.roles for p in people):
            raise Obsolete("no longer the team's coordinator")
        card = half_year_card(
            await self._lang(person),
            team.name,
            team.id,
            period,
            date.fromisoformat(str(reminder.payload.get("deadline"))),
            int(reminder.payload.get("days_before", 0)),
            reminder.due_at,
            sweep_time(),
        )
        await self._reach.send(person, card)

    async def archive_waiting(self, reminder: DueReminder) -> None:
        person = self._person(reminder)
        if reminder.team_id is None:
            raise Obsolete("no team")
        numbers = await self._checks.waiting_for_archive(reminder.team_id, sweep_time())
        if not numbers:
            raise Obsolete("archived meanwhile")
        people = await self._organisation.people_of(reminder.team_id)
        if not any(p.person == person and Role.COORDINATOR in p.roles for p in people):
            raise Obsolete("no longer the team's coordinator")
        await self._reach.send(person, archive_waiting_card(await self._lang(person), numbers))

    async def tell_coordinators(self, reminder: DueReminder, why: str) -> None:
        """A reminder that could not reach its person: the team's coordinators are told who,
        so they can ask them to open the chat. Not when the coordinator was the one."""
        if reminder.team_id is None or reminder.person is None:
            return
        names = await self._organisation.names_of([reminder.person])
        name = names.get(reminder.person, "—")
        for member in await self._organisation.people_of(reminder.team_id):
            if Role.COORDINATOR not in member.roles or member.person == reminder.person:
                continue
            try:
                await self._reach.send(
                    member.person, unreachable_card(await self._lang(member.person), name)
                )
            except (Unreachable, SendRefused) as error:
                log.info("coordinator not told of an unreachable reminder: %s", error)


__all__ = ["PersonReach", "ReminderDelivery", "StoredReference"]
