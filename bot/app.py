"""The aiohttp application: POST /api/messages, GET /healthz (liveness), GET /readyz
(readiness), GET /healthz/delivery (what is owed and late), and the composition root."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import TurnContext
from pydantic import BaseModel
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.authentication import RequestAuthentication, Unauthorized
from bot.config import MAX_BODY_BYTES, Settings
from bot.conversation_state import loaded_state
from bot.delivery import ChatMessenger, TeamsDelivery
from bot.experiences import build_experiences, register_experience_reminders, training_enricher
from bot.gatherings import (
    GATHERINGS_KEY,
    add_gathering_routes,
    build_gatherings,
    gathering_calendar,
    kick_sweep,
    public_base_url,
    register_gathering_reminders,
)
from bot.handler import STATE_NOT_SAVED, TryggEstBot
from bot.middleware import ExactlyOnce, KickAfterTurn, LocaleOverride, RememberConversation
from bot.personal_views import ViewHiding
from bot.proactive import Backoff, BotProactiveSender, render_access_review
from bot.rate_limit import RateLimiter, per_tenant_for
from bot.reminders import PersonReach, ReminderDelivery
from bot.report_files import add_download_route, build_report_services
from bot.routes import Handlers, Router
from bot.team_meetings import (
    AgendaDelivery,
    MeetingCalendarSync,
    add_meeting_routes,
    ics_url_of,
    register_agenda,
)
from bot.teams_roster import TeamsRoster
from bot.transport import BotTokens, TeamsClients, service_url_problem, teams_timeout
from bot.turns import language_of, turn_of
from cards.texts import text
from dialogs.case_commands import CaseCommands
from dialogs.case_work import CaseWorkActions
from dialogs.channel_guard import ChannelGuard
from dialogs.chat_commands import ChatCommands
from dialogs.deliveries import DeliveryCommands
from dialogs.report_dialog import ReportDialog
from dialogs.team_meetings import TeamMeetingCommands
from domain.casework import RiskChecklist
from domain.clock import utcnow
from scheduler.access_review import AccessReviewDelivery, MonthlyReviewRun, run_monthly_reviews
from scheduler.housekeeping import housekeeping_loop
from scheduler.outbox import ByKind, OutboxDelivery
from scheduler.reminders import REMINDER, ReminderSweep, start_scheduler
from storage.access_log import AccessLogReader
from storage.activities import ProcessedActivities
from storage.cases import CaseRepository
from storage.casework import CaseWork
from storage.casework_reminders import ReminderChecks, plan_archive_waiting, plan_half_year
from storage.channels import Channels
from storage.conversation_locks import ConversationLocks
from storage.crypto import DataKeyError, FieldCipher
from storage.data_keys import key_check_problem, verify_data_keys
from storage.db import make_engine, make_sessionmaker
from storage.gate import AccessGate
from storage.gatherings import CHANNEL_POST_KINDS
from storage.name_digests import NameDigests
from storage.organisation import OrganisationRepository
from storage.outbox import Outbox
from storage.personal_views import PersonalViews
from storage.references import ConversationReferences
from storage.reminders import Reminders
from storage.retention import DailyRetention, Retention
from storage.review_sends import ACCESS_REVIEW
from storage.stand_in_rosters import StandInRosters
from storage.state_store import ConversationStates, SqlStorage
from storage.team_meetings import AGENDA, TeamMeetings

log = logging.getLogger(__name__)

ENGINE_KEY = web.AppKey("engine", AsyncEngine)
SERVICES_KEY: web.AppKey[Services] = web.AppKey("services")
DELIVERY_IN_BACKGROUND = web.AppKey("delivery_in_background", bool)
HOUSEKEEPING_TASK = "tryggest-housekeeping"
OUTBOX_TASK = "tryggest-outbox"
# Seconds between reminder sweeps; 0 when this process runs no scheduler.
SCHEDULER_EVERY = web.AppKey("scheduler_every", float)


@dataclass
class Services:
    adapter: CloudAdapter
    authentication: RequestAuthentication
    clients: TeamsClients
    bot: TryggEstBot
    storage: SqlStorage
    processed: ProcessedActivities
    retention: DailyRetention | None = None
    # Run by the housekeeping loop; tests call it with the month they want.
    monthly_review: Callable[[datetime], Awaitable[MonthlyReviewRun]] | None = None
    # Delivers the outbox (channel posts, card updates, the reporter's updates).
    outbox: OutboxDelivery | None = None
    # The reminder sweep (tests run it with the time they want) and the planning of the
    # half-year reminders.
    reminders: ReminderSweep | None = None
    plan_reminders: Callable[[datetime], Awaitable[int]] | None = None
    # With several instances: the connection holding this process's conversation locks.
    conversation_locks: ConversationLocks | None = None


def _problem(status: int, detail: str) -> web.Response:
    return web.json_response({"error": detail}, status=status)


async def messages(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES_KEY]
    if request.content_type != "application/json":
        return _problem(415, "expected application/json")
    try:
        body = json.loads(await request.read())
    except web.HTTPRequestEntityTooLarge:
        return _problem(413, f"body larger than {MAX_BODY_BYTES} bytes")
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: brackets nested thousands deep, well inside the size limit.
        return _problem(400, "malformed JSON")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return _problem(400, "not an activity")
    try:
        activity = Activity.model_validate(body)
    except (ValueError, TypeError, RecursionError):  # pydantic's ValidationError included
        return _problem(400, "not an activity")
    if (
        activity.conversation is None
        or not activity.conversation.id
        or not activity.service_url
        or not activity.channel_id
    ):
        return _problem(400, "activity without channelId, conversation or serviceUrl")
    if service_url_problem(activity.service_url) is not None:
        return _problem(400, "activity with a serviceUrl that is not an http(s) URL")
    try:
        claims = await services.authentication.claims_of(
            activity, request.headers.get("Authorization", "")
        )
    except Unauthorized as refused:
        log.info("unauthorized request for activity %s: %s", activity.id, refused)
        return _problem(401, "unauthorized")
    try:
        response = await services.adapter.process_activity(claims, activity, services.bot.on_turn)
    except Exception as error:
        # The turn handler has already told the person; Teams may redeliver on 503.
        log.error("turn failed for activity %s: %s", activity.id, describe(error))
        return _problem(503, "temporarily unavailable")
    if response is None:
        return web.Response(status=201)
    body_out = response.body
    if isinstance(body_out, BaseModel):
        body_out = body_out.model_dump(mode="json", by_alias=True, exclude_none=True)
    if body_out is None:
        return web.Response(status=int(response.status))
    return web.json_response(body_out, status=int(response.status))


async def healthz(request: web.Request) -> web.Response:
    try:
        async with request.app[ENGINE_KEY].connect() as conn:
            # Reaches the database and finds it migrated (/readyz checks the data keys too).
            await conn.execute(sql("SELECT version_num FROM alembic_version"))
    except Exception as error:
        return web.json_response(
            {"status": "unavailable", "database": type(error).__name__}, status=503
        )
    return web.json_response({"status": "ok"})


def readiness(
    sessions: async_sessionmaker[Any], cipher: FieldCipher
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """GET /readyz: the database answers and is migrated, and the data keys read what it holds
    (storage/data_keys.py). 503 with a short reason otherwise: key ids and error types, never a
    key or a message."""

    async def readyz(request: web.Request) -> web.Response:
        try:
            async with request.app[ENGINE_KEY].connect() as conn:
                await conn.execute(sql("SELECT version_num FROM alembic_version"))
            problem = await key_check_problem(sessions, cipher)
        except Exception as error:
            return web.json_response(
                {"status": "unavailable", "database": type(error).__name__}, status=503
            )
        if problem is not None:
            return web.json_response(
                {"status": "unavailable", "database": "ok", "keys": problem}, status=503
            )
        return web.json_response({"status": "ready", "database": "ok", "keys": "ok"})

    return readyz


def delivery_health(outbox: Outbox) -> Callable[[web.Request], Awaitable[web.Response]]:
    """GET /healthz/delivery: what the bot owes and has not delivered, for a monitor to alert
    on. 200 while nothing is late and nothing failed; 503 otherwise, with the counts (rows that
    failed stay counted until someone presses «Prøv igjen» or runs `tryggest outbox retry`)."""

    async def health(request: web.Request) -> web.Response:
        try:
            figures = await outbox.health()
        except Exception as error:
            return web.json_response(
                {"status": "unavailable", "database": type(error).__name__}, status=503
            )
        body = {
            "status": "ok" if figures.overdue == 0 and figures.failed == 0 else "behind",
            "pending": figures.pending,
            "overdue": figures.overdue,
            "failed": figures.failed,
        }
        return web.json_response(body, status=200 if body["status"] == "ok" else 503)

    return health


def keys_proven(
    sessions: async_sessionmaker[Any], cipher: FieldCipher
) -> Callable[[web.Application], AsyncIterator[None]]:
    """The start-up check: keys that do not read the database stop the application before it
    takes a turn (KeyCheckFailed leaves web.run_app). A database that does not answer yet is
    left to /readyz, which checks the keys once it does."""

    async def check(app: web.Application) -> AsyncIterator[None]:
        try:
            await verify_data_keys(sessions, cipher)
        except DataKeyError:
            # Nothing else has started: what the check opened is closed before it stops.
            await app[ENGINE_KEY].dispose()
            raise
        except Exception as error:
            log.warning("data keys not checked at start: %s", describe(error))
        yield

    return check


def describe(error: BaseException) -> str:
    """The error's type and where it was raised, never its message: that may hold what a
    person wrote, or SQL parameters."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 2)[-1]}:{frames[-1].lineno}" if frames else ""
    return type(error).__name__ + where


def turn_error_handler(
    report: ReportDialog,
) -> Callable[[TurnContext, Exception], Awaitable[None]]:
    """What a person is told when their turn failed: that the report was NOT sent, when they
    pressed Send and the turn failed before the report was stored (the same words and log line
    as when storing it fails, whatever gave way: the database refused, its server gone); that
    their answer was not kept, when the state could not be saved; else that something went
    wrong."""

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        log.error("turn error on activity %s: %s", context.activity.id, describe(error))
        with contextlib.suppress(Exception):
            loaded = loaded_state(context)
            turn = turn_of(context, loaded.state if loaded is not None else None)
            # Stored, the report has left the conversation's state; not read, it was not sent.
            unsent = loaded is None or ReportDialog.active(turn)
            if ReportDialog.asks_to_send(turn) and unsent:
                await report.tell_not_stored(turn, error)
                return
            key = "error.not_kept" if context.turn_state.get(STATE_NOT_SAVED) else "error"
            await context.send_activity(text(language_of(context.activity), key))

    return on_turn_error


def create_app(settings: Settings, now: Callable[[], datetime] = utcnow) -> web.Application:
    """The application. `now` is the clock (UTC) that dates reports and case numbers."""
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    cipher = FieldCipher(settings.load_data_keys())
    storage = SqlStorage(sessions, cipher)
    processed = ProcessedActivities(sessions)
    conversation_states = ConversationStates(storage)
    gate = AccessGate(sessions)
    policy = settings.reminder_policy()
    cases = CaseRepository(sessions, cipher, gate, policy)
    organisation = OrganisationRepository(sessions, gate)
    access_log = AccessLogReader(sessions, gate)
    # Personal views shown in someone's own chat are hidden again after a while.
    views = PersonalViews(sessions, settings.personal_view_minutes, now)
    case_commands = CaseCommands(organisation, gate, cases, access_log, views)
    casework = CaseWork(sessions, cipher, gate, now)
    channels = Channels(sessions)
    references = ConversationReferences(sessions)
    # The Agents Playground's team lists every mock user: in local mode the demo data says who
    # it really has.
    roster = TeamsRoster(StandInRosters(sessions) if settings.local_mode else None)

    # Replies and proactive sends share kept connector clients (bot/transport.py).
    auth_configuration = settings.agent_auth_configuration()
    clients = TeamsClients(
        BotTokens(MsalAuth(auth_configuration)) if auth_configuration is not None else None,
        app_id=settings.app_id,
        timeout=teams_timeout(settings.teams_timeout_seconds),
    )
    adapter = CloudAdapter(channel_service_client_factory=clients)
    sender = BotProactiveSender(
        clients,
        limiter=RateLimiter(per_tenant=per_tenant_for(settings.instances)),
        backoff=Backoff(attempts=settings.teams_attempts),
    )
    messenger = ChatMessenger(references, sender)
    # The risk checklist the channel card asks: the same for a press and for a post.
    checklist = RiskChecklist()
    case_work = CaseWorkActions(
        organisation, gate, cases, casework, messenger, checklist, views=views, now=now
    )
    reach = PersonReach(references, sender)
    meetings = TeamMeetings(sessions, gate, policy, now)
    team_meetings = TeamMeetingCommands(
        meetings,
        casework,
        gate,
        organisation,
        ics_url_of(public_base_url(settings.public_domain, settings.port)),
    )
    gatherings = build_gatherings(
        sessions,
        gate,
        channels,
        sender,
        reach,
        now,
        public_base_url(settings.public_domain, settings.port),
        gathering_calendar(settings),
    )
    reports = build_report_services(
        sessions, gate, cipher, now, settings.stats_threshold, settings.public_domain, settings.port
    )
    experiences = build_experiences(
        sessions,
        gate,
        cases,
        organisation,
        channels,
        sender,
        reach,
        now,
        training_enricher(settings),
    )
    report = ReportDialog(cases, organisation, gate, now, views)
    adapter.on_turn_error = turn_error_handler(report)
    chat = ChatCommands(report, cases, organisation, gate)
    outbox = Outbox(sessions)
    reminders = Reminders(sessions)
    teams_delivery = TeamsDelivery(
        organisation, gate, casework, channels, references, sender, checklist, views=views
    )
    reminder_checks = ReminderChecks(sessions)
    reminder_delivery = ReminderDelivery(reminder_checks, organisation, reach)
    sweep = ReminderSweep(reminders, {}, on_unreachable=reminder_delivery.tell_coordinators)
    delivery = OutboxDelivery(
        outbox,
        # One queue: reminders, once due, are delivered from it like everything else.
        ByKind(
            teams_delivery,
            {
                REMINDER: sweep,
                ACCESS_REVIEW: AccessReviewDelivery(
                    sessions, gate, access_log, references, sender, render_access_review
                ),
            },
        ),
        # The clock the rows are written with: a row's deadline counts from its writing.
        now=now,
        interval=settings.outbox_interval_seconds,
        batch=teams_delivery.batch,
        deadline=timedelta(hours=settings.delivery_deadline_hours),
    )
    sweep.deliver_with(delivery)

    async def team_reachable(team_ids: list[str]) -> None:
        """The bot was added to a Teams team: what waited to be posted in its channels goes."""
        for team_id in team_ids:
            await outbox.wake_team(team_id)
            await reminders.revive_for_team(team_id, (*CHANNEL_POST_KINDS, AGENDA))
        delivery.kick()

    guard = ChannelGuard(organisation, NameDigests(sessions, cipher))
    router = Router(
        Handlers(
            report=report,
            chat=chat,
            case_commands=case_commands,
            case_work=case_work,
            gatherings=gatherings.commands,
            team_meetings=team_meetings,
            experiences=experiences.commands,
            training=experiences.training,
            report_commands=reports.commands,
            deliveries=DeliveryCommands(outbox, gate, delivery.kick),
            guard=guard,
            gate=gate,
            organisation=organisation,
            roster=roster,
        )
    )
    bot = TryggEstBot(
        conversation_states,
        router,
        chat,
        organisation,
        roster,
        channels,
        team_reachable,
        report_files=reports.teams_files,
    )
    locks = ConversationLocks(engine) if settings.instances > 1 else None
    adapter.use(ExactlyOnce(processed, conversation_states, locks))
    if settings.force_locale:
        adapter.use(LocaleOverride(settings.force_locale))
    adapter.use(RememberConversation(references))
    if settings.outbox_delivery:
        adapter.use(KickAfterTurn(delivery.kick))
    reminder_delivery.register(sweep)
    ViewHiding(reminder_checks, reach, sender, conversation_states).register(sweep)
    register_gathering_reminders(sweep, gatherings)
    outlook = getattr(gatherings.delivery.calendar, "graph", None)
    register_agenda(
        sweep,
        AgendaDelivery(meetings, team_meetings, channels, sender),
        MeetingCalendarSync(meetings, outlook),
    )
    if settings.scheduler:
        gatherings.kick = kick_sweep(sweep)
    register_experience_reminders(sweep, experiences)
    if settings.scheduler:
        experiences.set_kick(kick_sweep(sweep))
    monthly_review = partial(run_monthly_reviews, sessions=sessions, gate=gate, kick=delivery.kick)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[ENGINE_KEY] = engine
    retention = DailyRetention(Retention(sessions, cipher, settings.retention_months))
    app[SERVICES_KEY] = Services(
        adapter,
        RequestAuthentication(auth_configuration),
        clients,
        bot,
        storage,
        processed,
        retention,
        monthly_review,
    )
    app[SERVICES_KEY].outbox = delivery
    app[SERVICES_KEY].reminders = sweep

    async def plan_reminders(now: datetime) -> int:
        """The daily planning: the half-year reports, and the month's word on cases that wait
        to be archived."""
        planned = await plan_half_year(sessions, now, policy=policy)
        return planned + await plan_archive_waiting(sessions, now)

    app[SERVICES_KEY].plan_reminders = plan_reminders
    app[SERVICES_KEY].conversation_locks = locks
    app[SCHEDULER_EVERY] = settings.reminder_sweep_seconds if settings.scheduler else 0.0
    app[DELIVERY_IN_BACKGROUND] = settings.outbox_delivery
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readiness(sessions, cipher))
    app.router.add_get("/healthz/delivery", delivery_health(outbox))
    app[GATHERINGS_KEY] = gatherings
    add_gathering_routes(app, gatherings)
    add_meeting_routes(app, meetings)
    add_download_route(app, reports.statistics, reports.files)
    app.cleanup_ctx.append(keys_proven(sessions, cipher))
    app.cleanup_ctx.append(_background)
    return app


async def _background(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES_KEY]
    # The monthly review is sent unasked, like a reminder: with the scheduler off (tests, or an
    # operator's process that should send nothing by itself) housekeeping only cleans up.
    review = services.monthly_review if app[SCHEDULER_EVERY] > 0 else None
    # Named, so that logs and tests can tell the bot's own background work from a turn's.
    task = asyncio.create_task(
        housekeeping_loop(services.storage, services.processed, services.retention, review),
        name=HOUSEKEEPING_TASK,
    )
    scheduler = None
    if services.reminders is not None and app[SCHEDULER_EVERY] > 0:
        plan = services.plan_reminders
        daily = {"half-year": (lambda: plan(utcnow()))} if plan is not None else {}
        # Reminders for people who joined a network after a gathering was announced.
        daily["gatherings"] = app[GATHERINGS_KEY].plan_reminders
        scheduler = start_scheduler(services.reminders, app[SCHEDULER_EVERY], daily)
    tasks = [task]
    if services.outbox is not None and app[DELIVERY_IN_BACKGROUND]:
        tasks.append(asyncio.create_task(services.outbox.loop(), name=OUTBOX_TASK))
    yield
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    for running in tasks:
        running.cancel()
    for running in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await running
    await app[GATHERINGS_KEY].close()
    if services.conversation_locks is not None:
        await services.conversation_locks.close()
    await services.clients.close()
    services.storage.close()
    await app[ENGINE_KEY].dispose()
