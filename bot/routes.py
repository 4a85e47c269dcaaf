"""Which handler takes which turn: a table for personal chat, one for a team's channel, and one
for presses on cards that answer in place (Action.Execute). Read each table top to bottom: the
first line that takes a turn answers it.

Where each kind of activity goes (bot/handler.py):

    message, Action.Submit press   personal_chat() or channel() below
    invoke adaptiveCard/action     card_presses() below (Action.Execute)
    invoke fileConsent/invoke      bot/report_files.py (the half-year report saved in OneDrive)
    conversationUpdate
      bot added, personal chat     ChatCommands.welcome
      bot or people added, team    TryggEstBot: the team's roster and where its channel is
      people or bot removed, team  TryggEstBot: their roles go; the channel is no longer reached
    another invoke                 400: a request the bot does not take
    any other activity             taken, nothing to answer
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cards.channel_cards import WORK_KEY
from cards.report_cards import ACTION_KEY
from cards.texts import text
from dialogs.case_commands import CaseCommands, case_command_of
from dialogs.case_work import CardAnswer, CaseWorkActions
from dialogs.channel_guard import ChannelGuard
from dialogs.chat_commands import ChatCommands, is_too_long, presses_report_card
from dialogs.deliveries import DeliveryCommands, presses_resend
from dialogs.experiences import ExperienceCommands
from dialogs.gatherings import GatheringCommands
from dialogs.intents import intent_of
from dialogs.people_commands import Roster, handle_people_command, people_command_of
from dialogs.report_commands import ReportCommands, report_command_of
from dialogs.report_dialog import ReportDialog
from dialogs.team_meetings import TeamMeetingCommands
from dialogs.training import TrainingCommands
from dialogs.turn import Turn
from storage.gate import AccessGate
from storage.organisation import OrganisationRepository


def _always(turn: Turn) -> bool:
    return True


@dataclass(frozen=True)
class Route:
    """One line: what it is (for the reader and the log), whether it takes the turn, and who
    answers. An answer that returns False was not this line's after all: the next is tried."""

    what: str
    answer: Callable[[Turn], Awaitable[Any]]
    takes: Callable[[Turn], bool] = _always
    # A report under way is shown again after this line has answered (its question card is
    # then the last thing in the chat, where the person left it).
    report_waits: bool = False


@dataclass(frozen=True)
class Handlers:
    """Everything the tables route to; built in bot/app.py."""

    report: ReportDialog
    chat: ChatCommands
    case_commands: CaseCommands
    case_work: CaseWorkActions
    gatherings: GatheringCommands
    team_meetings: TeamMeetingCommands
    experiences: ExperienceCommands
    training: TrainingCommands
    report_commands: ReportCommands
    deliveries: DeliveryCommands
    guard: ChannelGuard
    gate: AccessGate
    organisation: OrganisationRepository
    roster: Roster


def _intent(*names: str) -> Callable[[Turn], bool]:
    return lambda turn: intent_of(turn) in names


def _says(key: str) -> Callable[[Turn], Awaitable[None]]:
    async def say(turn: Turn) -> None:
        await turn.send(text(turn.lang, key))

    return say


def _presses_work_card(turn: Turn) -> bool:
    value = turn.card_data
    return value is not None and value.get(ACTION_KEY) == WORK_KEY


def _addressed_to_bot(turn: Turn) -> bool:
    """A card's submit, or a message that @mentions the bot."""
    if turn.value is not None:
        return True
    return turn.bot_id is not None and any(m.id == turn.bot_id for m in turn.mentions)


def personal_chat(h: Handlers) -> list[Route]:
    report = h.report

    async def people(turn: Turn) -> bool:
        return await handle_people_command(turn, h.gate, h.organisation, h.roster)

    def people_command(turn: Turn) -> bool:
        # While a report is under way only a command that cannot be an answer ("legg til
        # @navn …", "synk medlemmer"): "roller" typed as an answer still reaches the report.
        command = people_command_of(turn)
        return command is not None and (command.clear or not report.active(turn))

    return [
        Route(
            "who is who: legg til @navn som …, fjern @navn, roller, synk", people, people_command
        ),
        Route("a message longer than the bot reads", h.chat.too_long, is_too_long),
        Route(
            "gatherings: ny samling, samlinger, their cards",
            h.gatherings.on_message,
            report_waits=True,
        ),
        Route(
            "the team's meeting: nytt teammøte, avslutt teammøtet, the form",
            h.team_meetings.on_message,
            report_waits=True,
        ),
        Route(
            "experiences: del erfaring, søk erfaringer, their cards",
            h.experiences.on_message,
            report_waits=True,
        ),
        Route("a training case: øvelsessak, its card", h.training.on_message, report_waits=True),
        Route(
            "a case: vis TE-2026-0042",
            h.case_commands.handle,
            lambda t: case_command_of(t) is not None,
            report_waits=True,
        ),
        Route(
            "the half-year report: rapport 2026H1, its cards",
            h.report_commands.handle,
            lambda t: report_command_of(t) is not None,
            report_waits=True,
        ),
        Route(
            "«Prøv igjen» under a message the bot could not deliver",
            h.deliveries.resend,
            presses_resend,
            report_waits=True,
        ),
        Route(
            "case work: Del i kanalen, the reporter's answer to the team",
            h.case_work.on_personal_submit,
            _presses_work_card,
            report_waits=True,
        ),
        Route(
            "a button on the report under way",
            report.continue_,
            lambda t: report.active(t) and presses_report_card(t),
        ),
        Route("avbryt", h.chat.cancel, _intent("cancel")),
        Route("hjelp", h.chat.help, _intent("help"), report_waits=True),
        Route("mine meldinger", h.chat.my_reports, _intent("my_reports"), report_waits=True),
        Route("meld bekymring", h.chat.start_report, _intent("report")),
        Route("ny henvendelse", h.chat.start_enquiry, _intent("enquiry")),
        Route("an answer to the report under way", report.continue_, report.active),
        Route("anything else", h.chat.outside_a_report),
    ]


def channel(h: Handlers) -> list[Route]:
    """A message in a team's channel. The guard (dialogs/channel_guard.py) reads every one
    before this table, and only answers."""

    async def people(turn: Turn) -> bool:
        return await handle_people_command(turn, h.gate, h.organisation, h.roster)

    async def training(turn: Turn) -> bool:
        return await h.training.on_channel_message(turn, turn.tenant_id, turn.team_id)

    return [
        # Teams sends every channel message (ChannelMessage.Read.Group): only one to the bot
        # is a command.
        Route("not to the bot: nothing to answer", _nothing, lambda t: not _addressed_to_bot(t)),
        Route("who is who: legg til @navn som …, fjern @navn, roller, synk", people),
        Route("a training case, answered in this thread", training),
        # Cases are opened in personal chat only: a channel must never show personal data.
        Route(
            "a case: only in personal chat",
            _says("case.only_personal_chat"),
            lambda t: case_command_of(t) is not None,
        ),
        # Reports never go through a channel: they would leave personal data there.
        Route(
            "a report, help, my reports: in personal chat",
            _says("channel_redirect"),
            _intent("report", "enquiry", "help", "greeting", "my_reports"),
        ),
    ]


async def _nothing(turn: Turn) -> None:
    return None


def card_presses(h: Handlers) -> list[Callable[[Turn], Awaitable[CardAnswer | None]]]:
    """Action.Execute: each in turn answers a press on its own cards (None: not its card); the
    case card takes the rest."""
    return [
        h.gatherings.on_execute,
        h.experiences.on_execute,
        h.team_meetings.on_execute,
        h.case_work.on_execute,
    ]


class Router:
    def __init__(self, handlers: Handlers) -> None:
        self._report = handlers.report
        self._guard = handlers.guard
        self.personal = personal_chat(handlers)
        self.channel = channel(handlers)
        self.presses = card_presses(handlers)

    async def message(self, turn: Turn) -> str | None:
        """Answer a message or an Action.Submit press; the line that took it (for the log)."""
        if not turn.is_personal:
            await self._guard.check(turn)
        return await self._first(turn, self.personal if turn.is_personal else self.channel)

    async def _first(self, turn: Turn, routes: Sequence[Route]) -> str | None:
        for route in routes:
            if not route.takes(turn):
                continue
            if await route.answer(turn) is False:
                continue
            if route.report_waits:
                await self._report.reprompt(turn)
            return route.what
        return None

    async def press(self, turn: Turn) -> CardAnswer | None:
        """Answer an Action.Execute press: the card as it now is, or a short message."""
        for answer in self.presses:
            found = await answer(turn)
            if found is not None:
                return found
        return None
