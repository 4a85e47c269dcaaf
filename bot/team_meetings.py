"""The team meeting at the edge: the reminder sweep's handler that posts the agenda in the
team's channel the day before, and the series' calendar file at GET /meetings/{id}.ics.

The next meeting's agenda is planned before this one is posted, so a post that Teams refuses
for good does not end the series. An agenda whose meeting has begun (the bot was down) is not
posted late: the next meeting's agenda holds its cases.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.channel_posts import post_in_channel
from cards.team_meeting_calendar import CONTENT_TYPE, meeting_ics
from cards.texts import text
from dialogs.team_meetings import TeamMeetingCommands
from domain.team_meeting import MeetingView, graph_recurrence
from scheduler.reminders import Obsolete, ReminderSweep, sweep_time
from scheduler.sender import ChannelSender
from storage.channels import Channels
from storage.reminders import DueReminder
from storage.team_meetings import AGENDA, CALENDAR, TeamMeetings

log = logging.getLogger(__name__)


class AgendaDelivery:
    def __init__(
        self,
        meetings: TeamMeetings,
        commands: TeamMeetingCommands,
        channels: Channels,
        sender: ChannelSender,
    ) -> None:
        self._meetings = meetings
        self._commands = commands
        self._channels = channels
        self._sender = sender

    async def post(self, reminder: DueReminder) -> None:
        meeting_id = reminder.payload.get("meeting")
        raw = reminder.payload.get("starts_at")
        if not isinstance(meeting_id, str) or not isinstance(raw, str):
            raise Obsolete("not an agenda of ours")
        starts_at = datetime.fromisoformat(raw)
        view = await self._meetings.view(meeting_id)
        if view is None or view.ended:
            raise Obsolete("the team's meeting has ended")
        await self._meetings.plan_next(meeting_id, starts_at)
        if sweep_time() >= starts_at:
            raise Obsolete("the meeting had begun: its cases are on the next agenda")
        agenda = await self._meetings.agenda(meeting_id, starts_at)
        if agenda is None:
            raise Obsolete("no such meeting")
        if agenda.cancelled:
            raise Obsolete("called off")
        card = await self._commands.agenda_card(agenda)
        await post_in_channel(self._channels, self._sender, view.team_id, card)
        log.info("agenda of meeting %s (%s) posted", meeting_id, raw)


class MeetingCalendarSync:
    """The Outlook series with its Teams meeting, kept in step with the team's meeting through
    Microsoft Graph when it is configured (the calendar file serves everyone in any case)."""

    def __init__(self, meetings: TeamMeetings, graph: Any | None) -> None:
        self._meetings = meetings
        self._graph = graph

    async def sync(self, reminder: DueReminder) -> None:
        if self._graph is None:
            raise Obsolete("Microsoft Graph is not configured")
        view = await self._meetings.view(str(reminder.payload.get("meeting") or ""))
        if view is None:
            raise Obsolete("the meeting is gone")
        action = reminder.payload.get("action")
        if action == "create":
            if view.ended or view.graph_event_id:
                raise Obsolete("ended, or made already")
            created = await self._graph.create_event(_series(view), transaction_id=view.id)
            await self._meetings.record_event(view.id, created.event_id, created.join_url)
            return
        if view.graph_event_id is None:
            raise Obsolete("no Outlook series")
        comment = text("nb", "meeting.ics.title", team=view.team_name)
        if action == "cancel_one":
            starts_at = datetime.fromisoformat(str(reminder.payload.get("starts_at")))
            await self._graph.cancel_occurrence(view.graph_event_id, starts_at, comment)
        elif action == "end":
            await self._graph.cancel_event(view.graph_event_id, comment)
        else:
            raise Obsolete(f"unknown action {action!r}")


def _series(view: MeetingView) -> Any:
    from bot.graph import CalendarEvent

    return CalendarEvent(
        title=text("nb", "meeting.ics.title", team=view.team_name),
        starts_at=view.first_starts_at.astimezone(UTC),
        ends_at=(view.first_starts_at + timedelta(minutes=view.minutes)).astimezone(UTC),
        place=view.place,
        agenda=text("nb", "meeting.ics.description"),
        recurrence=graph_recurrence(view.rhythm, view.first_starts_at),
    )


def register_agenda(
    sweep: ReminderSweep, delivery: AgendaDelivery, calendar: MeetingCalendarSync
) -> None:
    sweep.handle(AGENDA, delivery.post)
    sweep.handle(CALENDAR, calendar.sync)


ICS_ROUTE = "/meetings/{meeting_id:[0-9a-f]{32}}.ics"


def ics_url_of(base_url: str) -> Callable[[str], str]:
    base = base_url.rstrip("/")
    return lambda meeting_id: f"{base}/meetings/{meeting_id}.ics"


def add_meeting_routes(app: web.Application, meetings: TeamMeetings) -> None:
    async def ics(request: web.Request) -> web.Response:
        """The series as a calendar file, for anyone with the link: it names no one, and the id
        is 128 random bits."""
        view = await meetings.view(request.match_info["meeting_id"])
        if view is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=meeting_ics(view),
            headers={
                "Content-Type": f"{CONTENT_TYPE}; charset=utf-8",
                "Content-Disposition": 'attachment; filename="teammote.ics"',
                "Cache-Control": "no-store",
            },
        )

    app.router.add_get(ICS_ROUTE, ics)
