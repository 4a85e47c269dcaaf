"""The team meeting at the edge: the reminder sweep's handler that posts the agenda in the
team's channel the day before, and the series' calendar file at GET /meetings/{id}.ics.

The next meeting's agenda is planned before this one is posted, so a post that Teams refuses
for good does not end the series. An agenda whose meeting has begun (the bot was down) is not
posted late: the next meeting's agenda holds its cases.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.channel_posts import post_in_channel
from cards.team_meeting_calendar import CONTENT_TYPE, meeting_ics
from dialogs.team_meetings import TeamMeetingCommands
from scheduler.reminders import Obsolete, ReminderSweep, sweep_time
from scheduler.sender import ChannelSender
from storage.channels import Channels
from storage.reminders import DueReminder
from storage.team_meetings import AGENDA, TeamMeetings

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


def register_agenda(sweep: ReminderSweep, delivery: AgendaDelivery) -> None:
    sweep.handle(AGENDA, delivery.post)


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
