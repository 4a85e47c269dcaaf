"""Experiences and training cases at the edge: the reminder sweep's handlers (an experience's
card in the network channel and its redraw, the monthly digest to the network's coordinators, a
training case in a team's channel), the optional text service for training cases, and the wiring.

The composition root calls `build_experiences(...)`, hands `services.commands` and
`services.training` to the personal chat and the activity handler, and registers the handlers on
the reminder sweep with `register_experience_reminders(sweep, services)`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiohttp
from babel import dates as babel_dates
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channel_posts import post_in_channel
from bot.reminders import Reach, tell_not_posted
from cards.experience_cards import IN_CHANNEL, digest_card, experience_card
from cards.texts import Language, language_for_locale
from cards.training_cards import training_card
from dialogs.experiences import ExperienceCommands
from dialogs.training import TrainingCommands, shown
from domain.access import Action, NetworkTarget, decide
from domain.training import TextEnricher, TrainingCase
from scheduler.reminders import Obsolete, ReminderSweep
from scheduler.sender import ChannelSender
from storage.cases import CaseRepository
from storage.channels import Channels
from storage.experiences import CARD, DIGEST, POST, TRAINING_POST, Experiences
from storage.gate import AccessGate
from storage.organisation import OrganisationRepository
from storage.reminders import DueReminder
from storage.training_cases import TrainingCases

log = logging.getLogger(__name__)


def month_name(month: str, lang: Language) -> str:
    year, number = (int(p) for p in month.split("-"))
    locale = {"en": "en_GB", "nn": "nn_NO"}.get(lang, "nb_NO")
    return str(babel_dates.format_date(date(year, number, 1), "LLLL y", locale=locale))


class ExperienceDelivery:
    """The sweep's handlers. Each raises Obsolete when what it was to say is no longer true."""

    def __init__(
        self,
        experiences: Experiences,
        training: TrainingCases,
        gate: AccessGate,
        channels: Channels,
        sender: ChannelSender,
        reach: Reach,
        channel_language: Language = "nb",
    ) -> None:
        self._experiences = experiences
        self._training = training
        self._gate = gate
        self._channels = channels
        self._sender = sender
        self._reach = reach
        self._lang = channel_language

    async def _post(self, team_id: str, card: dict[str, Any]) -> Any:
        return await post_in_channel(self._channels, self._sender, team_id, card)

    async def post(self, reminder: DueReminder) -> None:
        """The experience as a new thread in the network channel: once."""
        view = await self._experiences.view(str(reminder.payload.get("experience") or ""))
        if view is None:
            raise Obsolete("the experience is gone")
        if view.posted is not None:
            raise Obsolete("posted already")
        posted = await self._post(
            view.network_team_id, experience_card(self._lang, view, IN_CHANNEL)
        )
        await self._experiences.record_post(view.id, posted)
        # Marked useful while the card was on its way: drawn again.
        now = await self._experiences.view(view.id)
        if now is not None and now.posted is not None and now.useful_count != view.useful_count:
            await self._sender.update_card(now.posted, experience_card(self._lang, now, IN_CHANNEL))

    async def tell_author(self, reminder: DueReminder, why: str) -> None:
        """The experience could not be put in the network's channel: its author hears of it."""
        view = await self._experiences.view(str(reminder.payload.get("experience") or ""))
        if view is not None:
            await tell_not_posted(self._reach, view.author, "undelivered.experience")

    async def tell_training_requester(self, reminder: DueReminder, why: str) -> None:
        """The training case could not be put in the team's channel: whoever asked for it
        hears of it."""
        stored = await self._training.get(str(reminder.payload.get("training") or ""))
        if stored is not None:
            await tell_not_posted(self._reach, stored.requested_by, "undelivered.training")

    async def update_card(self, reminder: DueReminder) -> None:
        view = await self._experiences.view(str(reminder.payload.get("experience") or ""))
        if view is None or view.posted is None:
            raise Obsolete("not posted: the post will show it as it is")
        await self._sender.update_card(view.posted, experience_card(self._lang, view, IN_CHANNEL))

    async def digest(self, reminder: DueReminder) -> None:
        """The month's new experiences, to a coordinator in the network: once a month."""
        person = reminder.person
        month = str(reminder.payload.get("month") or "")
        team_id = reminder.team_id
        if person is None or team_id is None or not month:
            raise Obsolete("a digest without a person, a network or a month")
        principal = await self._gate.principal(person)
        if not decide(principal, Action.VIEW_NETWORK, NetworkTarget(team_id)):
            raise Obsolete("no longer in the network")
        if not await self._experiences.is_digest_recipient(team_id, person):
            raise Obsolete("no longer a coordinator")
        shared = await self._experiences.shared_in(team_id, month)
        if not shared:
            raise Obsolete("nothing shared that month")
        lang = language_for_locale(await self._reach.locale_of(person))
        names = await self._experiences.network_names([team_id])
        card = digest_card(lang, names.get(team_id, ""), month_name(month, lang), shared)
        await self._reach.send(person, card)

    async def post_training(self, reminder: DueReminder) -> None:
        stored = await self._training.get(str(reminder.payload.get("training") or ""))
        if stored is None or stored.team_id is None:
            raise Obsolete("the training case is gone")
        if stored.posted is not None:
            raise Obsolete("posted already")
        posted = await self._post(
            stored.team_id, training_card(self._lang, shown(stored), in_channel=True)
        )
        await self._training.record_post(stored.id, posted)


def register_experience_reminders(sweep: ReminderSweep, services: ExperienceServices) -> None:
    """The sweep sends what experiences and training cases plan: call once where it is made."""
    delivery = services.delivery
    sweep.handle(POST, delivery.post, tell=delivery.tell_author)
    sweep.handle(CARD, delivery.update_card, tell=delivery.tell_author)
    sweep.handle(DIGEST, delivery.digest)
    sweep.handle(TRAINING_POST, delivery.post_training, tell=delivery.tell_training_requester)


# --- the optional text service ---------------------------------------------------------------

_INSTRUCTION = (
    "Du skriver øvelsessaker for ansatte i norske kommuner som jobber mot vold mot "
    "risikoutsatte voksne. Skriv saken under om med et levende, realistisk og nøkternt språk på "
    "norsk bokmål, i tre korte avsnitt. Behold alle fakta, navnet og alderen. Ikke legg til "
    "nye personer eller hendelser. Saken er oppdiktet."
)


class ChatCompletionsEnricher:
    """An OpenAI-style chat-completions endpoint (Azure OpenAI's deployment URL with its
    api-version, or any compatible one). It is sent the fictional case's title and text."""

    def __init__(self, url: str, api_key: str, timeout: float = 20.0) -> None:
        self._url = url
        self._api_key = api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    @staticmethod
    def request_body(case: TrainingCase) -> dict[str, Any]:
        return {
            "messages": [
                {"role": "system", "content": _INSTRUCTION},
                {"role": "user", "content": f"{case.title}\n\n{case.narrative}"},
            ],
            "temperature": 0.7,
        }

    async def enrich(self, case: TrainingCase) -> str | None:
        headers = {"api-key": self._api_key, "Authorization": f"Bearer {self._api_key}"}
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            async with session.post(
                self._url, json=self.request_body(case), headers=headers
            ) as response:
                if response.status != 200:
                    log.warning("training text service answered %s", response.status)
                    return None
                body = json.loads(await response.read())
        try:
            return str(body["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError):
            return None


def training_enricher(settings: Any) -> TextEnricher | None:
    """The text service when the operator has turned it on (TRYGGEST_TRAINING_TEXT=true and a
    URL); None by default, and the built-in generator works alone."""
    if not getattr(settings, "training_text", False) or not getattr(
        settings, "training_text_url", ""
    ):
        return None
    return ChatCompletionsEnricher(settings.training_text_url, settings.training_text_key)


# --- the composition -----------------------------------------------------------------------


@dataclass
class ExperienceServices:
    repository: Experiences
    training_cases: TrainingCases
    commands: ExperienceCommands
    training: TrainingCommands
    delivery: ExperienceDelivery

    def set_kick(self, kick: Callable[[], None]) -> None:
        """Asks the sweep to look now (after something was planned to go out)."""
        self.commands.kick = kick
        self.training.kick = kick


def build_experiences(
    sessions: async_sessionmaker[Any],
    gate: AccessGate,
    cases: CaseRepository,
    organisation: OrganisationRepository,
    channels: Channels,
    sender: ChannelSender,
    reach: Reach,
    now: Callable[[], datetime],
    enricher: TextEnricher | None = None,
) -> ExperienceServices:
    repository = Experiences(sessions, gate)
    training_cases = TrainingCases(sessions)
    dialog = ExperienceCommands(repository, gate, cases, now)
    training = TrainingCommands(training_cases, gate, organisation, now, enricher)
    delivery = ExperienceDelivery(repository, training_cases, gate, channels, sender, reach)
    return ExperienceServices(repository, training_cases, dialog, training, delivery)
