"""The team's own meeting in Teams: "nytt teammøte" and "avslutt teammøtet" in a coordinator's
own chat, the form, and the presses on the agenda in the team's channel (Action.Execute): a
decision for a case, which goes into the case's timeline, and calling one meeting off.

A decision goes through storage/casework.py like any work on a case: through the gate, into
the access log and the case's chronology, and the case card in the channel is drawn again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cards.markup import typed
from cards.report_cards import ACTION_KEY
from cards.team_meeting_cards import (
    MEETING_KEY,
    agenda_card,
    meeting_form_card,
    scheduled_card,
    when_text,
)
from cards.texts import Language, text
from dialogs.case_work import CardAnswer, execute_data
from dialogs.intents import principal_or_tell, strip_mentions
from dialogs.report_dialog import replace_pressed_card
from dialogs.turn import Turn
from domain.access import Principal
from domain.casework import MeetingDecision, WorkflowRefused
from domain.choices import normalise
from domain.ids import new_id
from domain.team_meeting import Agenda, meeting_on, read_meeting_form
from storage.cases import CaseLookupError
from storage.casework import CaseWork
from storage.gate import AccessDenied, AccessGate, Where
from storage.organisation import OrganisationRepository
from storage.team_meetings import MeetingRefused, TeamMeetings

log = logging.getLogger(__name__)

COMMANDS: dict[str, set[str]] = {
    "new": {
        "nytt teammøte",
        "nytt teammote",
        "sett opp teammøte",
        "teammøte",
        "nytt møte i teamet",
        "new team meeting",
        "team meeting",
    },
    "end": {"avslutt teammøtet", "avslutt teammøte", "avslutt teammøter", "end team meeting"},
}
# "avlys teammøtet 22.12": one meeting further ahead called off (the one before the agenda
# comes; after that, the agenda's own button).
_CALL_OFF = re.compile(r"^(?:avlys|avlyse|cancel)\s+(?:team)?m(?:o|ø)tet?\b(?P<day>.*)$", re.I)
_LOOKUP = {normalise(w): name for name, words in COMMANDS.items() for w in words}
_ID = re.compile(r"^[0-9a-f]{32}$")


def meeting_command_of(turn: Turn) -> str | None:
    typed_text = turn.text
    if typed_text is None or turn.card_data is not None:
        return None
    if _CALL_OFF.match(strip_mentions(typed_text).strip()):
        return "call_off"
    return _LOOKUP.get(normalise(strip_mentions(typed_text)))


def _id(value: Any) -> str | None:
    return value if isinstance(value, str) and _ID.match(value) else None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class TeamMeetingCommands:
    def __init__(
        self,
        meetings: TeamMeetings,
        casework: CaseWork,
        gate: AccessGate,
        organisation: OrganisationRepository,
        ics_url: Callable[[str], str] | None = None,
        channel_language: Language = "nb",
    ) -> None:
        self._ics_url = ics_url
        self._meetings = meetings
        self._work = casework
        self._gate = gate
        self._organisation = organisation
        self._channel_lang = channel_language

    # --- personal chat ------------------------------------------------------------------------

    async def on_message(self, turn: Turn) -> bool:
        """ "nytt teammøte", "avslutt teammøtet" and the form. True when it was one of them."""
        value = turn.card_data
        if value is not None:
            if value.get(ACTION_KEY) != MEETING_KEY or value.get("command") != "schedule":
                return False
            await self._schedule(turn, value)
            return True
        command = meeting_command_of(turn)
        if command is None:
            return False
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return True
        teams = await self._meetings.teams_for(principal)
        if not teams:
            await turn.send(text(turn.lang, "meeting.only_coordinator"))
        elif command == "new":
            await turn.send(meeting_form_card(turn.lang, teams, new_id()))
        elif command == "call_off":
            await self._call_off(turn, principal, teams)
        else:
            ended = [
                await self._meetings.end(principal, team_id, Where(turn.conversation_id))
                for team_id in teams
            ]
            await turn.send(text(turn.lang, "meeting.ended" if any(ended) else "meeting.none"))
        return True

    async def _schedule(self, turn: Turn, value: dict[str, Any]) -> None:
        lang = turn.lang
        form_id = _id(value.get("form"))
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return
        teams = await self._meetings.teams_for(principal)
        if form_id is None or not teams:
            await turn.send(text(lang, "meeting.only_coordinator" if form_id else "unknown_action"))
            return
        plan = read_meeting_form(value, teams, self._now())
        if isinstance(plan, list):
            values = {k: v for k, v in value.items() if isinstance(v, str)}
            await turn.send(meeting_form_card(lang, teams, form_id, values, plan))
            return
        try:
            replaced = await self._meetings.current(plan.team_id) is not None
            meeting, _ = await self._meetings.create(
                principal, form_id, plan, Where(turn.conversation_id)
            )
        except AccessDenied:
            await turn.send(text(lang, "meeting.only_coordinator"))
            return
        except MeetingRefused as refused:
            await turn.send(text(lang, f"meeting.refused.{refused.reason}"))
            return
        ics = self._ics_url(meeting.id) if self._ics_url else None
        await replace_pressed_card(turn, scheduled_card(lang, meeting, replaced, ics))

    async def _call_off(self, turn: Turn, principal: Principal, teams: dict[str, str]) -> None:
        lang = turn.lang
        typed_text = strip_mentions(turn.text or "")
        for team_id in teams:
            meeting = await self._meetings.current(team_id)
            if meeting is None:
                continue
            starts_at = meeting_on(meeting.rhythm, meeting.first_starts_at, typed_text, self._now())
            if starts_at is None:
                continue
            try:
                await self._meetings.cancel(
                    principal, meeting.id, starts_at, Where(turn.conversation_id)
                )
            except MeetingRefused as refused:
                await turn.send(text(lang, f"meeting.refused.{refused.reason}"))
                return
            await turn.send(text(lang, "meeting.called_off", when=when_text(lang, starts_at)))
            return
        await turn.send(text(lang, "meeting.no_such_day"))

    def _now(self) -> datetime:
        return self._meetings.now()

    # --- the agenda in the channel ------------------------------------------------------------

    async def agenda_card(self, agenda: Agenda, note: str | None = None) -> dict[str, Any]:
        people = {item.case.assignee for item in agenda.items if item.case.assignee}
        names = await self._organisation.names_of(people)
        return agenda_card(self._channel_lang, agenda, names, note)

    async def on_execute(self, turn: Turn) -> CardAnswer | None:
        """A press on the agenda. None when the press is not ours."""
        data = execute_data(turn, MEETING_KEY)
        if data is None:
            return None
        lang = turn.lang
        person = turn.person
        meeting_id = _id(data.get("meeting"))
        starts_at = _moment(data.get("starts_at"))
        command = data.get("command")
        if person is None or meeting_id is None or starts_at is None:
            return CardAnswer(message=text(lang, "unknown_action"))
        principal = await self._gate.principal(person)
        where = Where(conversation_id=turn.conversation_id)
        try:
            if command == "decision":
                note = await self._decide(principal, meeting_id, starts_at, data, where)
            elif command == "cancel":
                await self._meetings.cancel(principal, meeting_id, starts_at, where)
                note = await self._done("meeting.done.cancel", principal)
            else:
                return CardAnswer(message=text(lang, "unknown_action"))
        except AccessDenied:
            key = "meeting.only_coordinator" if command == "cancel" else "case.no_access"
            return CardAnswer(message=text(lang, key))
        except CaseLookupError:
            return CardAnswer(message=text(lang, "case.no_access"))
        except MeetingRefused as refused:
            return CardAnswer(message=text(lang, f"meeting.refused.{refused.reason}"))
        except WorkflowRefused as refused:
            return CardAnswer(
                message=text(lang, f"work.refused.{refused.reason}", **refused.details)
            )
        agenda = await self._meetings.agenda(meeting_id, starts_at)
        if agenda is None:
            return CardAnswer(message=text(lang, "meeting.refused.no_meeting"))
        return CardAnswer(card=await self.agenda_card(agenda, note))

    async def _decide(
        self,
        principal: Principal,
        meeting_id: str,
        starts_at: datetime,
        data: dict[str, Any],
        where: Where,
    ) -> str:
        case_id, revision, decision = data.get("case"), data.get("rev"), data.get("decision")
        if (
            not isinstance(case_id, str)
            or not isinstance(decision, str)
            or not isinstance(revision, int)
            or isinstance(revision, bool)
        ):
            raise WorkflowRefused("empty_text")
        agenda = await self._meetings.agenda(meeting_id, starts_at)
        on_it = agenda is not None and any(i.case.id == case_id for i in agenda.items)
        if not on_it:
            # Only a case the agenda holds: no side door to write in any case's timeline.
            raise MeetingRefused("no_meeting")
        result = await self._work.apply(
            principal,
            case_id,
            MeetingDecision(meeting_id, starts_at.isoformat(), decision),
            where,
            card_revision=revision,
        )
        return await self._done("meeting.done.decision", principal, number=result.view.number)

    async def _done(self, key: str, principal: Principal, **values: str) -> str:
        names = await self._organisation.names_of([principal.person])
        who = typed(names.get(principal.person)) or "—"
        return text(self._channel_lang, key, name=who, **values)
