"""Hiding a personal view again when its minutes are up (storage/personal_views.py plans it): the
personal details, a timeline or a free-text preview in someone's own chat, or a report's open
card that shows who the person is, replaced by a card without them and a button to show them
again.
"""

from __future__ import annotations

import logging

from bot.reminders import PersonReach
from cards.channel_cards import PERSONAL_LOOKS, hidden_view_card
from cards.report_cards import hidden_draft_card
from cards.texts import language_for_locale
from dialogs.report_dialog import DRAFT_CARD, open_card
from scheduler.reminders import Obsolete, ReminderSweep
from scheduler.sender import ChannelSender
from storage.casework_reminders import ReminderChecks
from storage.personal_views import HIDE_VIEW, message_of
from storage.reminders import DueReminder
from storage.state_store import ConversationStates, conversation_key

log = logging.getLogger(__name__)


class ViewHiding:
    def __init__(
        self,
        checks: ReminderChecks,
        reach: PersonReach,
        sender: ChannelSender,
        states: ConversationStates,
    ) -> None:
        self._checks = checks
        self._reach = reach
        self._sender = sender
        self._states = states

    def register(self, sweep: ReminderSweep) -> None:
        sweep.handle(HIDE_VIEW, self.hide, tell=self.not_hidden)

    async def hide(self, reminder: DueReminder) -> None:
        """Replace the view with a card without the details, even if the case has been closed
        or erased since; a report's card only while it is still the one open."""
        if reminder.person is None:
            raise Obsolete("no viewer")
        look = str(reminder.payload.get("look"))
        message = message_of(reminder.tenant_id, reminder.payload)
        lang = language_for_locale(await self._reach.locale_of(reminder.person))
        if look == DRAFT_CARD:
            if await self._open_card(message.conversation_id) != message.activity_id:
                raise Obsolete("the report has moved on (sent, cancelled, or another card)")
            step = reminder.payload.get("step")
            card = hidden_draft_card(lang, str(reminder.payload.get("draft")), step)
        elif look in PERSONAL_LOOKS:
            case = await self._checks.case(reminder.case_id) if reminder.case_id else None
            number = case.number if case else "—"
            card = hidden_view_card(lang, look, reminder.case_id or "", number)
        else:
            raise Obsolete("not a view this bot shows")
        await self._sender.update_card(message, card)

    async def _open_card(self, conversation_id: str) -> str | None:
        """The card a report under way has open in the conversation now, if any."""
        loaded = await self._states.load(conversation_key("msteams", conversation_id))
        return open_card(loaded.state)

    async def not_hidden(self, reminder: DueReminder, why: str) -> None:
        # Nobody else can hide it (it is in the person's own chat): the log says which one.
        log.error(
            "a view (%s, case %s) in a personal chat could not be hidden: %s",
            reminder.payload.get("look"),
            reminder.case_id or "-",
            why,
        )
