"""The half-year report in personal chat: "rapport 2026H1" (or the button on the half-year
reminder) gives the summary card, the Excel file offered for OneDrive, and a one-time download
link; "Marker som sendt" freezes the numbers and stops the reminders.

Coordinators get their operational team's report and leaders their leadership team's; someone
with several such teams chooses one. Every report shown and every file made goes through the
gate (statistics.view / statistics.export in the access log). A report holds aggregates only:
there is no way from it to a case.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from cards.markup import typed
from cards.report_cards import ACTION_KEY, format_date
from cards.statistics_cards import (
    STATS_KEY,
    choose_team_card,
    period_name,
    sent_when,
    statistics_card,
)
from cards.statistics_export import ReportFile, report_file
from cards.texts import Language, text
from dialogs.intents import principal_or_tell, strip_mentions
from dialogs.turn import Turn
from domain.access import Action, MunicipalityTarget, Person, Principal
from domain.calendar import ReportingPeriod
from domain.choices import normalise
from domain.clock import utcnow
from domain.statistics import (
    ONLY_COORDINATOR,
    ONLY_OPERATIONAL,
    has_ended,
    last_finished_period,
    may_mark_sent,
    parse_period,
)
from storage.gate import AccessDenied, AccessGate, Where
from storage.statistics import PeriodNotOver, Statistics

log = logging.getLogger(__name__)

# "rapport", "rapport 2026H1", "halvårsrapport 1. halvår 2026", "statistikk h2 2025";
# in English only with a period ("report" alone starts a report of a concern).
_TYPED = re.compile(
    r"^(?:(?:halvarsrapport|rapport|statistikk|statistics|half-year report|half year report)(?:\s+(?P<a>.+))?"
    r"|report\s+(?P<b>.+))$"
)
COMMANDS = ("report", "mark_submitted")


@dataclass(frozen=True)
class ReportCommand:
    command: str  # "report" or "mark_submitted"
    period: str | None  # as typed or carried by the button; None: the last finished period
    team_id: str | None = None


def report_command_of(turn: Turn) -> ReportCommand | None:
    value = turn.card_data
    if value is not None:
        if value.get(ACTION_KEY) != STATS_KEY or value.get("command") not in COMMANDS:
            return None
        team = value.get("team")
        period = value.get("period")
        return ReportCommand(
            str(value["command"]),
            period if isinstance(period, str) else None,
            team if isinstance(team, str) else None,
        )
    if turn.text is None:
        return None
    match = _TYPED.match(normalise(strip_mentions(turn.text)))
    if match is None:
        return None
    return ReportCommand("report", match["a"] or match["b"])


class FileOffers(Protocol):
    """How a file reaches a person in Teams (bot/report_files.py: a FileConsentCard)."""

    async def offer(
        self, turn: Turn, file: ReportFile, description: str, accept: dict[str, Any]
    ) -> None: ...


class ReportFiles:
    """The report file for a person, through the gate as an export: for the file Teams uploads
    after the person accepts it, and for the download link."""

    def __init__(self, statistics: Statistics, gate: AccessGate) -> None:
        self._statistics = statistics
        self._gate = gate

    async def file_for(
        self,
        person: Person,
        team_id: str,
        period: ReportingPeriod,
        file_format: str,
        lang: Language,
        where: Where,
    ) -> ReportFile:
        principal = await self._gate.principal(person)
        report = await self._statistics.report(principal, team_id, period, where, export=True)
        return report_file(report, lang, file_format)


class ReportCommands:
    def __init__(
        self,
        statistics: Statistics,
        gate: AccessGate,
        files: FileOffers | None,
        download_base: str,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._statistics = statistics
        self._gate = gate
        self._files = files
        # Where the bot is reached from a browser: 'https://tryggest.kommune.no'.
        self._download_base = download_base.rstrip("/")
        self._now = now

    async def handle(self, turn: Turn) -> bool:
        command = report_command_of(turn)
        if command is None:
            return False
        lang = turn.lang
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return True
        now = self._now()
        period = parse_period(command.period) if command.period else last_finished_period(now)
        if period is None:
            await turn.send(text(lang, "stats.bad_period", typed=typed(command.period)))
            return True
        if now < period.starts:
            await turn.send(text(lang, "stats.future", period=period_name(lang, period)))
            return True
        where = Where(conversation_id=turn.conversation_id)
        team_id = command.team_id or await self._only_team(turn, principal, period, where)
        if team_id is None:
            return True
        try:
            if command.command == "mark_submitted":
                await self._mark_sent(turn, principal, team_id, period, where, lang)
            else:
                await self._show(turn, principal, team_id, period, where, lang)
        except AccessDenied as refused:
            reason = refused.decision.reason
            key = (
                "stats.only_coordinator"
                if reason in (ONLY_COORDINATOR, ONLY_OPERATIONAL)
                else "stats.no_access"
            )
            await turn.send(text(lang, key))
        return True

    async def _only_team(
        self, turn: Turn, principal: Principal, period: ReportingPeriod, where: Where
    ) -> str | None:
        """The one team the person has statistics for; else they choose (or are refused)."""
        lang = turn.lang
        teams = await self._statistics.teams_for(principal)
        if len(teams) == 1:
            return teams[0].id
        if not teams:
            # Logged like any refusal: someone asked for aggregates they may not see.
            with contextlib.suppress(AccessDenied):
                await self._gate.require(
                    principal,
                    Action.VIEW_STATISTICS,
                    MunicipalityTarget(frozenset()),
                    where,
                    {"period": period.label},
                )
            await turn.send(text(lang, "stats.no_access"))
            return None
        await turn.send(choose_team_card(lang, period, [(t.id, t.name) for t in teams]))
        return None

    async def _show(
        self,
        turn: Turn,
        principal: Principal,
        team_id: str,
        period: ReportingPeriod,
        where: Where,
        lang: Language,
    ) -> None:
        now = self._now()
        report = await self._statistics.report(principal, team_id, period, where)
        scope = await self._statistics.scope(team_id)
        ended = has_ended(period, now)
        can_mark = (
            scope is not None
            and ended
            and report.sent_at is None
            and bool(may_mark_sent(principal, team_id, scope.kind))
        )
        token = await self._statistics.issue_link(principal, team_id, period, "xlsx")
        url = f"{self._download_base}/reports/download/{token}?lang={lang}"
        await turn.send(statistics_card(lang, report, team_id, url, can_mark, not ended))
        if self._files is not None:
            # The file as the card shows it; Teams asks the person where to save it first.
            file = report_file(report, lang, "xlsx")
            accept = {"team": team_id, "period": period.label, "format": "xlsx", "lang": lang}
            description = text(
                lang,
                "stats.file_description",
                period=period_name(lang, period),
                team=report.team_name,
            )
            await self._files.offer(turn, file, description, accept)

    async def _mark_sent(
        self,
        turn: Turn,
        principal: Principal,
        team_id: str,
        period: ReportingPeriod,
        where: Where,
        lang: Language,
    ) -> None:
        name = period_name(lang, period)
        try:
            submitted = await self._statistics.mark_sent(principal, team_id, period, where)
        except PeriodNotOver:
            day = format_date(period.ends + timedelta(hours=12), lang)
            await turn.send(text(lang, "stats.not_ended", period=name, day=day))
            return
        report = submitted.report
        if submitted.newly:
            await turn.send(text(lang, "stats.marked", period=name))
        else:
            when = sent_when(lang, report.sent_at or self._now())
            await turn.send(text(lang, "stats.already_marked", period=name, when=when))
        await turn.send(statistics_card(lang, report, team_id, None, False, False))
