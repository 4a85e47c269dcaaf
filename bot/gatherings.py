"""Network gatherings at the edge: the reminder sweep's handlers (the announcement in the network
channel, its updates, the reminders, the word to those coming, the Outlook event kept in step),
the calendar file served at GET /gatherings/{id}.ics, and the wiring of it all.

The composition root builds it with `build_gatherings(...)`, hands `services.commands` to the
personal chat and the activity handler, serves `services.ics`, and registers the handlers on the
reminder sweep with `register_gathering_reminders(sweep, services)`; `services.plan_reminders`
is a planning job for the scheduler (people who joined a network after an announcement).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channel_posts import post_in_channel
from bot.reminders import Reach, tell_not_posted
from cards.gathering_calendar import CONTENT_TYPE, gathering_ics
from cards.gathering_cards import announcement_card, notice_card, reminder_card
from cards.texts import language_for_locale, text
from dialogs.gatherings import GatheringCommands
from domain.access import Action, NetworkTarget, decide
from domain.gathering import (
    REMINDED_ANSWERS,
    EventDetails,
    GatheringCalendar,
    days_until,
    superseded,
)
from domain.views import GatheringView
from scheduler.reminders import Obsolete, ReminderSweep, sweep_time
from scheduler.sender import ChannelSender
from storage.channels import Channels
from storage.gate import AccessGate
from storage.gatherings import CALENDAR, CARD, NOTICE, POST, REMINDER, Gatherings
from storage.reminders import DueReminder

log = logging.getLogger(__name__)


def public_base_url(public_domain: str, port: int) -> str:
    """Where people's browsers reach the bot: its public host, or this machine in local mode."""
    return f"https://{public_domain}" if public_domain else f"http://localhost:{port}"


class GatheringDelivery:
    """The sweep's handlers. Each raises Obsolete when what it was to say is no longer true,
    and Unreachable when nobody can be reached."""

    def __init__(
        self,
        gatherings: Gatherings,
        gate: AccessGate,
        channels: Channels,
        sender: ChannelSender,
        reach: Reach,
        ics_url: Callable[[str], str],
        calendar: GatheringCalendar | None = None,
        channel_language: str = "nb",
    ) -> None:
        self._gatherings = gatherings
        self._gate = gate
        self._channels = channels
        self._sender = sender
        self._reach = reach
        self._ics_url = ics_url
        self.calendar = calendar
        self._channel_lang = channel_language

    async def _view(self, reminder: DueReminder) -> GatheringView:
        view = await self._gatherings.view(reminder.gathering_id) if reminder.gathering_id else None
        if view is None:
            raise Obsolete("the gathering is gone")
        return view

    def _card(self, view: GatheringView) -> dict[str, Any]:
        return announcement_card(self._channel_lang, view, self._ics_url(view.id), sweep_time())

    # --- the network channel --------------------------------------------------------------------

    async def post(self, reminder: DueReminder) -> None:
        """The announcement, as a new thread in the network's channel: once."""
        view = await self._view(reminder)
        if view.posted is not None:
            raise Obsolete("announced already")
        if view.cancelled:
            raise Obsolete("cancelled before it was announced")
        posted = await post_in_channel(
            self._channels, self._sender, view.network_team_id, self._card(view)
        )
        await self._gatherings.record_post(view.id, posted)
        log.info("gathering %s announced in the channel of %s", view.id, view.network_team_id)
        # Answered or changed while the card was on its way: it is drawn again.
        now = await self._gatherings.view(view.id)
        if now is not None and now.posted is not None and _drawn(now) != _drawn(view):
            await self._sender.update_card(now.posted, self._card(now))

    async def tell_organiser(self, reminder: DueReminder, why: str) -> None:
        """The announcement (or its update) could not be put in the channel: the organiser
        hears of it in their own chat."""
        view = await self._gatherings.view(reminder.gathering_id) if reminder.gathering_id else None
        if view is not None:
            await tell_not_posted(
                self._reach, view.organiser, "undelivered.gathering", title=view.title
            )

    async def update_card(self, reminder: DueReminder) -> None:
        view = await self._view(reminder)
        if view.posted is None:
            raise Obsolete("not announced yet: the announcement will show it as it is")
        await self._sender.update_card(view.posted, self._card(view))

    # --- people ---------------------------------------------------------------------------------

    async def remind(self, reminder: DueReminder) -> None:
        """7 days or 1 day before, to a member who has not said no."""
        view = await self._view(reminder)
        if view.cancelled:
            raise Obsolete("cancelled")
        if reminder.payload.get("sequence") != view.sequence:
            raise Obsolete("moved since: its new reminders are planned")
        if view.starts_at <= sweep_time():
            raise Obsolete("begun already")
        person = reminder.person
        if person is None:
            raise Obsolete("a reminder without a person")
        answer = await self._gatherings.answer_of(view.id, person)
        if answer == "no":
            raise Obsolete("said no")
        principal = await self._gate.principal(person)
        if not decide(principal, Action.VIEW_NETWORK, NetworkTarget(view.network_team_id)):
            raise Obsolete("no longer in the network")
        days = int(reminder.payload.get("days") or 1)
        if superseded(days, view.starts_at, sweep_time()):
            raise Obsolete("late, and a later reminder is due as well")
        lang = language_for_locale(await self._reach.locale_of(person))
        left = days_until(view.starts_at, sweep_time())
        card = reminder_card(lang, view, left, answer, self._ics_url(view.id))
        await self._reach.send(person, card)

    async def notify(self, reminder: DueReminder) -> None:
        """To those coming: it moved, changed or was cancelled."""
        view = await self._view(reminder)
        if reminder.payload.get("sequence") != view.sequence:
            raise Obsolete("changed again since: the newer word goes out")
        person = reminder.person
        if person is None:
            raise Obsolete("a notice without a person")
        if await self._gatherings.answer_of(view.id, person) not in REMINDED_ANSWERS:
            raise Obsolete("not coming")
        lang = language_for_locale(await self._reach.locale_of(person))
        change = str(reminder.payload.get("change") or "changed")
        await self._reach.send(person, notice_card(lang, view, change, self._ics_url(view.id)))

    # --- Outlook ----------------------------------------------------------------------------------

    async def sync_calendar(self, reminder: DueReminder) -> None:
        """The Outlook event made to match the gathering's newest version."""
        if self.calendar is None:
            raise Obsolete("Microsoft Graph is not configured")
        view = await self._view(reminder)
        if view.graph_event_id is None:
            raise Obsolete("no Outlook event")
        if reminder.payload.get("sequence") != view.sequence:
            raise Obsolete("a newer change follows")
        details = EventDetails.of(view.id, view)
        if view.cancelled:
            await self.calendar.cancel_event(view.graph_event_id, details)
        else:
            await self.calendar.update_event(view.graph_event_id, details)


def _drawn(view: GatheringView) -> tuple[Any, ...]:
    return (view.sequence, view.state, view.counts, view.online_url)


def register_gathering_reminders(sweep: ReminderSweep, services: GatheringServices) -> None:
    """The sweep sends what gatherings plan: call once where the sweep is made."""
    delivery = services.delivery
    sweep.handle(REMINDER, delivery.remind)
    sweep.handle(POST, delivery.post, tell=delivery.tell_organiser)
    sweep.handle(CARD, delivery.update_card, tell=delivery.tell_organiser)
    sweep.handle(CALENDAR, delivery.sync_calendar)
    sweep.handle(NOTICE, delivery.notify)


# --- Microsoft Graph, when configured ------------------------------------------------------------


class GraphGatheringCalendar:
    """bot/graph.py's GraphCalendar as a GatheringCalendar."""

    def __init__(self, graph: Any) -> None:
        self._graph = graph

    @property
    def graph(self) -> Any:
        """The GraphCalendar itself, for the team meeting's series (one pool for both)."""
        return self._graph

    @staticmethod
    def _event(details: EventDetails) -> Any:
        from bot.graph import CalendarEvent

        return CalendarEvent(
            title=details.title,
            starts_at=details.starts_at.astimezone(UTC),
            ends_at=details.ends_at.astimezone(UTC),
            place=details.place,
            agenda=details.agenda,
        )

    async def create_event(self, event: EventDetails) -> tuple[str, str | None]:
        created = await self._graph.create_event(
            self._event(event), transaction_id=event.gathering_id
        )
        return str(created.event_id), created.join_url

    async def update_event(self, event_id: str, event: EventDetails) -> None:
        await self._graph.update_event(event_id, self._event(event))

    async def cancel_event(self, event_id: str, event: EventDetails) -> None:
        await self._graph.cancel_event(
            event_id, comment=text("nb", "gathering.notice.cancelled", title=event.title)
        )

    async def close(self) -> None:
        await self._graph.close()


def gathering_calendar(settings: Any) -> GraphGatheringCalendar | None:
    """The Outlook calendar when Graph is configured (all of TRYGGEST_GRAPH_*), else None."""
    from bot.graph import graph_calendar_from_settings

    graph = graph_calendar_from_settings(settings)
    return GraphGatheringCalendar(graph) if graph is not None else None


# --- the composition -----------------------------------------------------------------------------


@dataclass
class GatheringServices:
    repository: Gatherings
    commands: GatheringCommands
    delivery: GatheringDelivery
    now: Callable[[], datetime]
    # Set by whoever runs the sweep: asks it to look now (after a gathering is saved).
    kick: Callable[[], None] | None = field(default=None)

    async def ics(self, request: web.Request) -> web.Response:
        """GET /gatherings/{id}.ics: the calendar file, for anyone with the link (it names
        only the organiser). The id is 128 random bits, so the link is not guessable."""
        view = await self.repository.view(request.match_info["gathering_id"])
        if view is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=gathering_ics(view),
            headers={
                "Content-Type": f"{CONTENT_TYPE}; charset=utf-8",
                "Content-Disposition": 'attachment; filename="samling.ics"',
                "Cache-Control": "no-store",
            },
        )

    async def plan_reminders(self) -> int:
        return await self.repository.plan_reminders(self.now())

    async def close(self) -> None:
        """At shutdown: the Graph client's pooled connections."""
        close = getattr(self.delivery.calendar, "close", None)
        if close is not None:
            await close()


ICS_ROUTE = "/gatherings/{gathering_id:[0-9a-f]{32}}.ics"


def build_gatherings(
    sessions: async_sessionmaker[Any],
    gate: AccessGate,
    channels: Channels,
    sender: ChannelSender,
    reach: Reach,
    now: Callable[[], datetime],
    base_url: str,
    calendar: GatheringCalendar | None = None,
) -> GatheringServices:
    repository = Gatherings(sessions, gate)
    base = base_url.rstrip("/")

    def ics_url(gathering_id: str) -> str:
        return f"{base}/gatherings/{gathering_id}.ics"

    def kick() -> None:
        if services.kick is not None:
            services.kick()

    dialog = GatheringCommands(repository, gate, ics_url, now, calendar, kick)
    delivery = GatheringDelivery(repository, gate, channels, sender, reach, ics_url, calendar)
    services = GatheringServices(repository, dialog, delivery, now)
    return services


def add_gathering_routes(app: web.Application, services: GatheringServices) -> None:
    app.router.add_get(ICS_ROUTE, services.ics)


def kick_sweep(sweep: ReminderSweep) -> Callable[[], None]:
    """A kick that runs the sweep at once in the background: it queues what is due now on the
    outbox, once however many sweeps run, and wakes its delivery."""
    running: set[asyncio.Task[Any]] = set()

    def done(task: asyncio.Task[Any]) -> None:
        running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("kicked reminder sweep failed: %s", type(task.exception()).__name__)

    def kick() -> None:
        task = asyncio.get_running_loop().create_task(sweep.queue_due())
        running.add(task)
        task.add_done_callback(done)

    return kick


GATHERINGS_KEY = web.AppKey("gatherings", GatheringServices)
