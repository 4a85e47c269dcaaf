"""Training cases: "øvelsessak" in a person's own chat shows one (another, or one of their
choosing, on the card; "Del i …" posts it in one of their teams' channels), and "@TryggEst
øvelsessak" in a team's channel answers in that thread, where the team discusses it.

The case is made by domain/training.py from code lists and building blocks; a configured
text service may reword it (`TextEnricher`), given the fictional case and nothing else.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cards.report_cards import ACTION_KEY
from cards.texts import text
from cards.training_cards import CHOICES, TRAINING_KEY, ShownTrainingCase, training_card
from dialogs.intents import principal_or_tell, strip_mentions
from dialogs.turn import Turn
from domain.access import Person
from domain.choices import normalise
from domain.training import TextEnricher, TrainingCase, generate
from domain.views import PostedMessage
from storage.organisation import OrganisationRepository
from storage.training_cases import StoredTrainingCase, TrainingCases, TrainingRefused, teams_of

log = logging.getLogger(__name__)

COMMANDS = {
    "øvelsessak",
    "øvingssak",
    "ny øvelsessak",
    "ny øvingssak",
    "treningssak",
    "casegenerator",
    "casegeneratoren",
    "training case",
    "practice case",
}
_LOOKUP = {normalise(c) for c in COMMANDS}
_ID = re.compile(r"^[0-9a-f]{32}$")
# The text service gets this long before the built-in wording is used instead.
ENRICH_TIMEOUT = 20.0


def is_training_command(turn: Turn) -> bool:
    if turn.text is None or turn.value is not None:
        return False
    return normalise(strip_mentions(turn.text)) in _LOOKUP


def shown(stored: StoredTrainingCase) -> ShownTrainingCase:
    made = generate(stored.seed, stored.situation, stored.violence, stored.barrier)
    return ShownTrainingCase(
        id=stored.id,
        title=made.title,
        narrative=stored.narrative,
        questions=made.questions,
        situation=stored.situation,
        violence=stored.violence,
        barrier=stored.barrier,
    )


class TrainingCommands:
    def __init__(
        self,
        training: TrainingCases,
        gate: Any,
        organisation: OrganisationRepository,
        now: Callable[[], datetime],
        enricher: TextEnricher | None = None,
        kick: Callable[[], None] | None = None,
    ) -> None:
        self._training = training
        self._gate = gate
        self._organisation = organisation
        self._now = now
        self._enricher = enricher
        self.kick = kick

    async def _make(
        self,
        person: Person,
        team_ids: list[str],
        choice: dict[str, str | None],
        team_id: str | None = None,
    ) -> StoredTrainingCase:
        seed = await self._training.fresh_seed(team_ids, person)
        case = generate(
            seed, choice.get("situation"), choice.get("violence"), choice.get("barrier")
        )
        narrative, enriched = await self._words(case)
        return await self._training.add(person, case, narrative, enriched, self._now(), team_id)

    async def _words(self, case: TrainingCase) -> tuple[str, bool]:
        """The case's narrative: the text service's, when one is configured and answers."""
        if self._enricher is None:
            return case.narrative, False
        try:
            better = await asyncio.wait_for(self._enricher.enrich(case), ENRICH_TIMEOUT)
        except Exception as error:
            log.warning("training text service failed: %s", type(error).__name__)
            return case.narrative, False
        if not better or not better.strip():
            return case.narrative, False
        return better.strip(), True

    # --- personal chat --------------------------------------------------------------------------

    async def on_message(self, turn: Turn) -> bool:
        value = turn.card_data
        if value is not None:
            if value.get(ACTION_KEY) != TRAINING_KEY:
                return False
            await self._on_submit(turn, value)
            return True
        if not is_training_command(turn):
            return False
        await self._show_new(turn, {})
        return True

    async def _teams(self, principal: Any) -> list[tuple[str, str]]:
        ids = teams_of(principal)
        names = await self._training.team_names(ids)
        return [(i, names.get(i, i)) for i in ids]

    async def _show_new(self, turn: Turn, choice: dict[str, str | None]) -> None:
        lang = turn.lang
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return
        if not principal.tenant_allowed:
            await turn.send(text(lang, "not_set_up"))
            return
        teams = await self._teams(principal)
        stored = await self._make(principal.person, [t for t, _ in teams], choice)
        await turn.send(training_card(lang, shown(stored), teams))

    async def _on_submit(self, turn: Turn, value: dict[str, Any]) -> None:
        lang = turn.lang
        command = value.get("command")
        if command == "new":
            choice = {
                name: value[name]
                if isinstance(value.get(name), str) and value[name] in codes
                else None
                for name, codes in CHOICES.items()
            }
            await self._show_new(turn, choice)
            return
        training_id = value.get("training")
        team_id = value.get("team")
        person = turn.person
        if (
            command != "share"
            or person is None
            or not isinstance(training_id, str)
            or not _ID.match(training_id)
            or not isinstance(team_id, str)
        ):
            await turn.send(text(lang, "unknown_action"))
            return
        principal = await self._gate.principal(person)
        try:
            await self._training.post_to_team(principal, training_id, team_id, self._now())
        except TrainingRefused as refused:
            await turn.send(text(lang, f"training.refused.{refused.reason}"))
            return
        names = await self._training.team_names([team_id])
        await turn.send(text(lang, "training.posting", team=names.get(team_id, "")))
        if self.kick is not None:
            self.kick()

    # --- a team's channel --------------------------------------------------------------------

    async def on_channel_message(
        self, turn: Turn, tenant_id: str | None, teams_team_id: str | None
    ) -> bool:
        """'@TryggEst øvelsessak' in a channel: a case in this thread, for a member of one of
        the TryggEst teams of this Teams team. True when it was the command."""
        if not is_training_command(turn):
            return False
        lang = turn.lang
        person = turn.person
        if person is None or not tenant_id or not teams_team_id:
            await turn.send(text(lang, "training.refused.not_in_team"))
            return True
        principal = await self._gate.principal(person)
        here = {
            t.id for t in await self._organisation.teams_for_teams_team(tenant_id, teams_team_id)
        }
        mine = [t for t in teams_of(principal) if t in here]
        if not mine:
            await turn.send(text(lang, "training.refused.not_in_team"))
            return True
        stored = await self._make(person, mine, {}, team_id=mine[0])
        sent = await turn.send(training_card(lang, shown(stored), in_channel=True))
        if sent and turn.conversation_id is not None:
            await self._training.record_post(
                stored.id,
                PostedMessage(tenant_id, turn.service_url or "", turn.conversation_id, sent),
            )
        return True
