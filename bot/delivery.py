"""Delivering what the outbox holds, and reaching a person in their own chat.

The outbox (storage/outbox.py, scheduler/outbox.py) says what must be told; this module draws
the card and sends it: the new case as a thread in its team's channel, the card updated in
place after a change, the coordinators' preview of the free text, and the reporter's status
updates and questions. Ids and codes are all the outbox holds; anything a person wrote is read
here, from the encrypted case, at the moment it is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Protocol, TypeVar, cast

from bot.proactive import BotProactiveSender
from bot.turns import context_of
from cards.channel_cards import (
    reporter_question_card,
    reporter_status_card,
    team_case_card,
    text_preview_of,
)
from cards.delivery_cards import undelivered_card
from cards.report_cards import Card, heading, make_card, paragraph
from cards.texts import Language, language_for_locale, text
from dialogs.turn import Turn
from domain.access import Person, Role
from domain.casework import RiskChecklist
from domain.views import CaseView, PostedMessage, TeamPerson
from scheduler.outbox import GiveUp, NotYet, PartlyDelivered
from scheduler.sender import ChannelSender, ProactiveSender, SendRefused
from storage.cases import CaseNotFound
from storage.casework import CaseWork
from storage.channels import Channels
from storage.gate import AccessDenied, AccessGate, Where
from storage.organisation import OrganisationRepository
from storage.outbox import OutboxItem
from storage.personal_views import PersonalViews
from storage.references import ConversationReferences, StoredReference

log = logging.getLogger(__name__)
T = TypeVar("T")

# While the bot cannot post in a team's channel, its cases wait; they are tried this often, and
# at once when the bot is added to the team again.
BLOCKED_WAIT = timedelta(hours=1)
UNKNOWN_CHANNEL_WAIT = timedelta(minutes=10)


class Sender(ProactiveSender, ChannelSender, Protocol):
    """What the delivery needs of bot/proactive.py's BotProactiveSender."""


# What the items of one claimed batch share, read once for all of them: a sent report's channel
# post and its coordinators' preview both need the team's people and their chats. Keyed by what
# was read and the team.
_Batch = dict[tuple[str, str], Any]


# The batch being delivered by this task (scheduler/outbox.py's run_once), if any.
_BATCH: ContextVar[_Batch | None] = ContextVar("tryggest_delivery_batch", default=None)


async def _once(what: str, team_id: str, read: Callable[[str], Awaitable[T]]) -> T:
    """`read(team_id)`, once per batch being delivered (every time outside one)."""
    batch = _BATCH.get()
    if batch is None:
        return await read(team_id)
    if (what, team_id) not in batch:
        batch[what, team_id] = await read(team_id)
    return cast(T, batch[what, team_id])


class TeamsDelivery:
    def __init__(
        self,
        organisation: OrganisationRepository,
        gate: AccessGate,
        casework: CaseWork,
        channels: Channels,
        references: ConversationReferences,
        sender: Sender,
        checklist: RiskChecklist,
        channel_language: Language = "nb",
        views: PersonalViews | None = None,
    ) -> None:
        self._views = views
        self._organisation = organisation
        self._gate = gate
        self._work = casework
        self._checklist = checklist
        self._channel_lang = channel_language
        self._channels = channels
        self._references = references
        self._sender = sender

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Deliver the items claimed together: a team's people and their chats are read once
        for the batch (seconds old at most), not once per item. Who may read a case is still
        the gate's to decide for each read, as the database says then."""
        token = _BATCH.set({})
        try:
            yield
        finally:
            _BATCH.reset(token)

    async def _team_people(self, team_id: str) -> list[TeamPerson]:
        return await _once("people", team_id, self._organisation.people_of)

    async def _chats(self, team_id: str) -> dict[Person, StoredReference]:
        return await _once("chats", team_id, self._references.of_team)

    async def __call__(self, item: OutboxItem) -> None:
        if item.case_id is None:
            raise GiveUp(f"{item.kind} without a case")
        try:
            match item.kind:
                case "case_reported":
                    await self._post_case(item, item.case_id)
                case "case_card_update":
                    await self._update_card(item.case_id)
                case "text_preview":
                    await self._send_previews(item, item.case_id)
                case "reporter_status":
                    await self._tell_reporter(item.case_id, str(item.data.get("status")))
                case "reporter_question":
                    await self._ask_reporter(item.case_id, str(item.data.get("event")))
                case _:
                    raise GiveUp(f"unknown outbox kind {item.kind}")
        except CaseNotFound:
            raise GiveUp("the case is gone") from None

    async def tell_failed(self, item: OutboxItem, why: str) -> None:
        """The coordinators of the item's team are told, in their own chat, which message did
        not get through (its case number and kind), with «Prøv igjen» to queue it again."""
        if item.team_id is None or item.case_id is None:
            log.warning("outbox %s (%s) failed with no team to tell", item.id, item.kind)
            return
        try:
            number = (await self._work.channel_view(item.case_id)).number
        except CaseNotFound:
            return  # erased meanwhile: nothing is owed any more
        _, channel = await self._channels.post_target(item.case_id, item.team_id)
        team = channel.name if channel is not None else ""
        coordinators = await self._coordinators(item.team_id)
        chats = await self._chats(item.team_id) if coordinators else {}
        told = 0
        for person in coordinators:
            reference = chats.get(person)
            if reference is None:
                continue
            lang = language_for_locale(reference.locale)
            card = undelivered_card(lang, item.kind, number, team, item.id)
            try:
                await self._sender.send_card(reference, card)
                told += 1
            except Exception as error:
                log.warning(
                    "a coordinator not told of outbox %s: %s", item.id, type(error).__name__
                )
        log.info("outbox %s failed: %d coordinator(s) told", item.id, told)

    # --- the team channel -----------------------------------------------------------------

    async def _post_case(self, item: OutboxItem, case_id: str) -> None:
        posted_before, channel = await self._channels.post_target(case_id, item.team_id)
        if posted_before:
            return  # posted before (a retried row): never a second thread
        if item.team_id is None:
            raise GiveUp("the case has no operational team")
        if channel is None:
            raise GiveUp("the team is gone")
        if channel.address is None:
            raise NotYet("the bot has not been added to the team's channel", UNKNOWN_CHANNEL_WAIT)
        card = await self._channel_card(await self._work.channel_view(case_id))
        try:
            posted = await self._sender.post_thread(channel.address, card)
        except SendRefused as refused:
            if not refused.bot_removed:
                raise
            if not channel.blocked:
                await self._channels.bot_removed(item.team_id)
                await self._tell_coordinators(item.team_id, "work.team_blocked", team=channel.name)
            raise NotYet("the bot was removed from the team", BLOCKED_WAIT) from None
        await self._channels.record_post(case_id, item.team_id, posted)
        log.info("case %s posted in the channel of team %s", case_id, item.team_id)

    async def _update_card(self, case_id: str) -> None:
        posted = await self._channels.post_of(case_id)
        if posted is None:
            return  # not posted yet: the post will show the case as it is then
        view = await self._work.channel_view(case_id)
        await self._sender.update_card(posted, await self._channel_card(view))

    async def _channel_card(self, view: CaseView) -> Card:
        """The case's channel card, drawn from its read model and the team's people (read once
        for the batch)."""
        people = await self._team_people(view.team_id) if view.team_id else []
        named = {p.person for p in people if p.name}
        others = (
            await self._organisation.names_of([view.assignee])
            if view.assignee and view.assignee not in named
            else {}
        )
        adaptation = (
            await _once("adaptation", view.team_id, self._organisation.adaptation_of)
            if view.team_id
            else None
        )
        checklist = (
            adaptation.checklist() if adaptation and adaptation.risk_questions else self._checklist
        )
        return team_case_card(self._channel_lang, view, people, checklist, other_names=others)

    async def _tell_coordinators(self, team_id: str, key: str, **values: str) -> None:
        coordinators = await self._coordinators(team_id)
        chats = await self._chats(team_id) if coordinators else {}
        for person in coordinators:
            reference = chats.get(person)
            if reference is None:
                continue
            lang = language_for_locale(reference.locale)
            card = make_card([heading("TryggEst"), paragraph(text(lang, key, **values))])
            try:
                await self._sender.send_card(reference, card)
            except Exception as error:
                log.warning("coordinator not told: %s", type(error).__name__)

    async def _coordinators(self, team_id: str) -> list[Person]:
        return [p.person for p in await self._team_people(team_id) if Role.COORDINATOR in p.roles]

    # --- the coordinators' preview of the free text ----------------------------------------

    async def _send_previews(self, item: OutboxItem, case_id: str) -> None:
        """One preview to each coordinator with a chat. Each coordinator it reached is kept
        with the item: when Teams says "not now" to one, only those not reached yet get it on
        the next try (PartlyDelivered). One who blocked the bot is skipped for good."""
        if item.team_id is None:
            return
        reached = {str(key) for key in item.data.get("sent_to") or []}
        failure: BaseException | None = None
        coordinators = await self._coordinators(item.team_id)
        chats = await self._chats(item.team_id) if coordinators else {}
        for person in coordinators:
            reference = chats.get(person)
            key = f"{person.tenant_id}/{person.aad_object_id}"
            if reference is None or key in reached:
                continue  # without a chat they get it from "Godkjenn fritekst" on the card
            principal = await self._gate.principal(person)
            lang = language_for_locale(reference.locale)
            where = Where(conversation_id=reference.conversation_id)
            try:
                view, free_text, name = await self._work.free_text(principal, case_id, where)
            except AccessDenied:
                continue
            card = text_preview_of(lang, view, free_text, name)
            try:
                activity_id = await self._sender.send_card(reference, card)
            except SendRefused as refused:
                if refused.retryable:
                    failure = failure or refused
                else:
                    log.info("preview not sent to a coordinator: %s", refused.status)
                continue
            except Exception as error:  # no answer from Teams: tried again for them
                failure = failure or error
                continue
            reached.add(key)
            await self._hide_later(person, case_id, sent_to(reference, activity_id))
        log.info("text preview of case %s: %d coordinator(s) have it", case_id, len(reached))
        if failure is not None:
            raise PartlyDelivered({"sent_to": sorted(reached)}, failure)

    async def _hide_later(self, person: Person, case_id: str, where: PostedMessage) -> None:
        """The preview just sent is hidden again when its time is up."""
        if self._views is not None and where.activity_id:
            await self._views.shown(person, case_id, "preview_text", where)

    # --- the reporter -------------------------------------------------------------------------

    async def _reporter_reference(self, reporter: Person) -> StoredReference:
        reference = await self._references.find(reporter)
        if reference is None:
            raise GiveUp("the reporter's chat is not known")
        return reference

    async def _tell_reporter(self, case_id: str, status: str) -> None:
        reporter, number = await self._work.reporter_of(case_id)
        reference = await self._reporter_reference(reporter)
        lang = language_for_locale(reference.locale)
        await self._sender.send_card(reference, reporter_status_card(lang, number, status))

    async def _ask_reporter(self, case_id: str, event_id: str) -> None:
        reporter, number, question = await self._work.question_for_reporter(case_id, event_id)
        reference = await self._reporter_reference(reporter)
        lang = language_for_locale(reference.locale)
        card = reporter_question_card(lang, number, question, case_id, event_id)
        await self._sender.send_card(reference, card)


class ChatMessenger:
    """Sends a card to the person behind a turn, in their own chat with the bot: through the
    chat they have written in before, or a new one-to-one chat Teams opens for the bot (which
    Teams allows for members of a team the bot is in)."""

    def __init__(self, references: ConversationReferences, sender: BotProactiveSender) -> None:
        self._references = references
        self._sender = sender

    async def to_person(self, turn: Turn, card: Card) -> PostedMessage | None:
        """Where the card is now (its id may be '' if Teams gave none); None when the person's
        chat cannot be reached."""
        person = turn.person
        if person is None:
            return None
        reference = await self._references.find(person)
        if reference is not None:
            try:
                return sent_to(reference, await self._sender.send_card(reference, card))
            except SendRefused as refused:
                log.info("personal chat refused the card: %s", refused.status)
        return await self._new_chat(turn, person, card)

    async def _new_chat(self, turn: Turn, person: Person, card: Card) -> PostedMessage | None:
        sender = context_of(turn).activity.from_property
        if sender is None or not sender.id or not turn.service_url:
            return None
        try:
            conversation_id = await self._sender.open_chat(
                person.tenant_id, turn.service_url, sender.id, turn.bot_id
            )
        except Exception as error:
            log.info("no personal chat could be opened: %s", type(error).__name__)
            return None
        reference = StoredReference(
            tenant_id=person.tenant_id,
            aad_object_id=person.aad_object_id,
            service_url=turn.service_url,
            channel_id="msteams",
            conversation_id=conversation_id,
            bot_id=turn.bot_id or "",
            locale=None,
        )
        try:
            return sent_to(reference, await self._sender.send_card(reference, card))
        except Exception as error:
            log.info("card to a new personal chat not sent: %s", type(error).__name__)
            return None


def sent_to(reference: StoredReference, activity_id: str | None) -> PostedMessage:
    """Where a card sent into the referenced chat is."""
    return PostedMessage(
        reference.tenant_id,
        reference.service_url,
        reference.conversation_id,
        activity_id or "",
        reference.bot_id or None,
        personal=True,
    )
