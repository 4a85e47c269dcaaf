"""«Prøv igjen» under a message the bot could not deliver (cards/delivery_cards.py): the team's
coordinators (or the tenant's admins) put it back on the delivery queue."""

from __future__ import annotations

import logging
from collections.abc import Callable

from cards.delivery_cards import DELIVERY_KEY
from cards.report_cards import ACTION_KEY
from cards.texts import text
from dialogs.intents import principal_or_tell
from dialogs.turn import Turn
from domain.access import Action, TeamKind, TeamTarget, decide
from storage.gate import AccessGate
from storage.outbox import Outbox

log = logging.getLogger(__name__)


def presses_resend(turn: Turn) -> bool:
    value = turn.card_data
    return value is not None and value.get(ACTION_KEY) == DELIVERY_KEY


class DeliveryCommands:
    def __init__(self, outbox: Outbox, gate: AccessGate, kick: Callable[[], None]) -> None:
        self._outbox = outbox
        self._gate = gate
        # Wakes the delivery, so the message goes now rather than at its next tick.
        self._kick = kick

    async def resend(self, turn: Turn) -> None:
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return
        item_id = (turn.card_data or {}).get("item")
        entry = await self._outbox.item(item_id) if isinstance(item_id, str) else None
        team = (
            TeamTarget(entry.team_id, entry.tenant_id, TeamKind.OPERATIONAL)
            if entry is not None and entry.team_id is not None
            else None
        )
        if entry is None or team is None or not decide(principal, Action.RESEND_MESSAGE, team):
            await turn.send(text(turn.lang, "undelivered.not_yours"))
            return
        if not await self._outbox.put_back(entry.id):
            await turn.send(text(turn.lang, "undelivered.not_failed"))
            return
        log.info("outbox %s (%s) put back on the queue from its card", entry.id, entry.kind)
        self._kick()
        await turn.send(text(turn.lang, "undelivered.retried"))
