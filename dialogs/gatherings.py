"""Network gatherings in Teams: "ny samling" and "samlinger" in a person's own chat, the
organiser's form, and the answer buttons on the cards (Action.Execute).

Scheduling is one form, checked as a whole and sent back with kind words on what to fix. The
form's id becomes the gathering's id, so a form sent twice makes one gathering. Everything that
must then reach other people (the channel post, reminders, the Outlook event kept in step) is
planned as rows in the same transaction (storage/gatherings.py) and sent by the reminder sweep;
`kick` asks the sweep to look now rather than at its next round.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cards.gathering_cards import (
    GATHERING_KEY,
    IN_CHANNEL,
    IN_REMINDER,
    announcement_card,
    confirm_cancel_card,
    done_card,
    gathering_form_card,
    gatherings_list_card,
    reminder_card,
    summary_card,
)
from cards.report_cards import ACTION_KEY
from cards.texts import Language, text
from dialogs.case_work import CardAnswer, execute_data
from dialogs.intents import principal_or_tell, strip_mentions
from dialogs.report_dialog import replace_pressed_card
from dialogs.turn import Turn
from domain.access import Action, Principal, networks_for
from domain.choices import normalise
from domain.gathering import (
    RSVP,
    EventDetails,
    GatheringCalendar,
    GatheringPlan,
    days_until,
    form_values,
    read_form,
)
from domain.ids import new_id
from domain.views import GatheringView
from storage.gate import AccessDenied, AccessGate, Where
from storage.gatherings import GatheringNotFound, GatheringRefused, Gatherings

log = logging.getLogger(__name__)

COMMANDS: dict[str, set[str]] = {
    "new": {
        "ny samling",
        "ny nettverkssamling",
        "planlegg samling",
        "planlegg en samling",
        "new gathering",
        "plan a gathering",
        "schedule a gathering",
    },
    "list": {
        "samlinger",
        "samlingar",
        "nettverkssamlinger",
        "nettverkssamlingar",
        "gatherings",
        "network gatherings",
    },
}
_LOOKUP = {normalise(w): name for name, words in COMMANDS.items() for w in words}
_ID = re.compile(r"^[0-9a-f]{32}$")


def gathering_command_of(turn: Turn) -> str | None:
    """'new' or 'list' for what the person typed, else None."""
    typed = turn.text
    if not isinstance(typed, str) or turn.value is not None:
        return None
    return _LOOKUP.get(normalise(strip_mentions(typed)))


def _id(value: Any) -> str | None:
    return value if isinstance(value, str) and _ID.match(value) else None


def _sequence(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class GatheringCommands:
    def __init__(
        self,
        gatherings: Gatherings,
        gate: AccessGate,
        ics_url: Callable[[str], str],
        now: Callable[[], datetime],
        calendar: GatheringCalendar | None = None,
        kick: Callable[[], None] | None = None,
        channel_language: Language = "nb",
    ) -> None:
        self._gatherings = gatherings
        self._gate = gate
        self._ics_url = ics_url
        self._now = now
        self._calendar = calendar
        self._kick = kick
        self._channel_lang = channel_language

    # --- personal chat --------------------------------------------------------------------------

    async def on_message(self, turn: Turn) -> bool:
        """A typed command or a press on one of our cards in personal chat. True when ours."""
        value = turn.card_data
        if value is not None:
            if value.get(ACTION_KEY) != GATHERING_KEY:
                return False
            await self._on_submit(turn, value)
            return True
        command = gathering_command_of(turn)
        if command == "new":
            await self._new(turn)
        elif command == "list":
            await self._list(turn)
        else:
            return False
        return True

    async def _networks(self, principal: Principal) -> list[tuple[str, str]]:
        ids = networks_for(principal, Action.SHARE_IN_NETWORK)
        names = await self._gatherings.network_names(ids)
        return [(i, names.get(i, i)) for i in ids]

    async def _new(self, turn: Turn) -> None:
        lang = turn.lang
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return
        networks = await self._networks(principal)
        if not networks:
            await turn.send(text(lang, "gathering.no_network"))
            return
        form = gathering_form_card(
            lang,
            networks,
            form_id=new_id(),
            teams_meeting_possible=self._calendar is not None,
        )
        await turn.send(form)

    async def _list(self, turn: Turn) -> None:
        lang = turn.lang
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return
        if not networks_for(principal, Action.VIEW_NETWORK):
            await turn.send(text(lang, "gathering.list.no_network"))
            return
        found = await self._gatherings.upcoming(principal, self._now())
        await turn.send(
            gatherings_list_card(
                lang,
                found,
                principal.person,
                self._ics_url,
                can_schedule=bool(networks_for(principal, Action.SHARE_IN_NETWORK)),
            )
        )

    async def _on_submit(self, turn: Turn, value: dict[str, Any]) -> None:
        lang = turn.lang
        command = value.get("command")
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return
        where = Where(conversation_id=turn.conversation_id)
        try:
            match command:
                case "new":
                    await self._new(turn)
                case "create":
                    await self._create(turn, principal, value, where, lang)
                case "edit":
                    await self._edit(turn, principal, value, lang)
                case "save":
                    await self._save(turn, principal, value, where, lang)
                case "cancel":
                    await self._confirm_cancel(turn, principal, value, lang)
                case "cancel_confirmed":
                    await self._cancel(turn, principal, value, where, lang)
                case "keep":
                    await replace_pressed_card(
                        turn,
                        done_card(
                            lang,
                            text(lang, "gathering.confirm_cancel_title"),
                            text(lang, "gathering.kept"),
                        ),
                    )
                case _:
                    await turn.send(text(lang, "unknown_action"))
        except GatheringNotFound:
            await turn.send(text(lang, "gathering.not_found"))
        except GatheringRefused as refused:
            await turn.send(text(lang, f"gathering.refused.{refused.reason}"))
        except AccessDenied:
            await turn.send(text(lang, "gathering.refused.not_member"))

    async def _create(
        self,
        turn: Turn,
        principal: Principal,
        value: dict[str, Any],
        where: Where,
        lang: Language,
    ) -> None:
        form_id = _id(value.get("form"))
        if form_id is None:
            await turn.send(text(lang, "unknown_action"))
            return
        networks = await self._networks(principal)
        if not networks:
            await turn.send(text(lang, "gathering.no_network"))
            return
        graph = self._calendar is not None
        plan = read_form(value, [i for i, _ in networks], self._now(), graph)
        if isinstance(plan, list):
            form = gathering_form_card(
                lang,
                networks,
                form_id=form_id,
                values=_strings(value),
                problems=["where_teams" if p == "where" and graph else p for p in plan],
                teams_meeting_possible=graph,
            )
            await replace_pressed_card(turn, form)
            return
        if await self._gatherings.view(form_id) is not None:
            await turn.send(text(lang, "gathering.already_created"))
            return
        event_id, online_url, meeting_failed = await self._make_event(form_id, plan)
        name = turn.person_name
        view, created = await self._gatherings.create(
            principal,
            form_id,
            plan,
            self._now(),
            where,
            organiser_name=name,
            online_url=online_url,
            graph_event_id=event_id,
        )
        if not created:
            # The same form, sent twice at once: the other one made it.
            if event_id is not None and event_id != view.graph_event_id:
                await self._drop_event(event_id, view)
            await turn.send(text(lang, "gathering.already_created"))
            return
        message = text(lang, "gathering.created", network=view.network_name)
        if meeting_failed:
            message += " " + text(lang, "gathering.graph_failed")
        await replace_pressed_card(turn, summary_card(lang, view, message, self._ics_url(view.id)))
        self._after_change()

    async def _make_event(
        self, gathering_id: str, plan: GatheringPlan
    ) -> tuple[str | None, str | None, bool]:
        """The Outlook event, when Graph is configured: (event id, the link for the card,
        whether a Teams meeting was asked for and could not be made)."""
        if self._calendar is None:
            return None, plan.online_url, False
        try:
            event_id, join_url = await self._calendar.create_event(
                EventDetails.of(gathering_id, plan)
            )
        except Exception as error:
            # The gathering goes ahead without it; the organiser is told if it mattered.
            log.warning("no Outlook event for gathering %s: %s", gathering_id, type(error).__name__)
            return None, plan.online_url, plan.teams_meeting and not plan.online_url
        online_url = plan.online_url
        if plan.teams_meeting and not online_url:
            online_url = join_url
        return event_id, online_url, plan.teams_meeting and not online_url

    async def _drop_event(self, event_id: str, view: GatheringView) -> None:
        if self._calendar is None:
            return
        try:
            await self._calendar.cancel_event(event_id, EventDetails.of(view.id, view))
        except Exception as error:
            log.warning("a second Outlook event left for %s: %s", view.id, type(error).__name__)

    async def _organisers_view(self, principal: Principal, value: dict[str, Any]) -> GatheringView:
        gathering_id = _id(value.get("gathering"))
        view = await self._gatherings.view(gathering_id) if gathering_id else None
        if view is None:
            raise GatheringNotFound(str(value.get("gathering")))
        if view.organiser != principal.person:
            raise GatheringRefused("not_organiser")
        if view.cancelled:
            raise GatheringRefused("cancelled")
        if view.ends_at <= self._now():
            raise GatheringRefused("over")
        return view

    async def _edit(
        self, turn: Turn, principal: Principal, value: dict[str, Any], lang: Language
    ) -> None:
        view = await self._organisers_view(principal, value)
        form = gathering_form_card(
            lang,
            [(view.network_team_id, view.network_name)],
            gathering=view,
            values=form_values(view),
        )
        await turn.send(form)

    async def _save(
        self,
        turn: Turn,
        principal: Principal,
        value: dict[str, Any],
        where: Where,
        lang: Language,
    ) -> None:
        sequence = _sequence(value.get("sequence"))
        view = await self._organisers_view(principal, value)
        if sequence is None:
            await turn.send(text(lang, "unknown_action"))
            return
        network = [view.network_team_id]
        plan = read_form({**value, "network": view.network_team_id}, network, self._now())
        if isinstance(plan, list):
            form = gathering_form_card(
                lang,
                [(view.network_team_id, view.network_name)],
                gathering=view,
                values=_strings(value),
                problems=plan,
            )
            await replace_pressed_card(turn, form)
            return
        changed = await self._gatherings.change(
            principal, view.id, sequence, plan, self._now(), where
        )
        message = text(lang, "gathering.changed")
        await replace_pressed_card(
            turn, summary_card(lang, changed, message, self._ics_url(changed.id))
        )
        self._after_change()

    async def _confirm_cancel(
        self, turn: Turn, principal: Principal, value: dict[str, Any], lang: Language
    ) -> None:
        view = await self._organisers_view(principal, value)
        await turn.send(confirm_cancel_card(lang, view))

    async def _cancel(
        self,
        turn: Turn,
        principal: Principal,
        value: dict[str, Any],
        where: Where,
        lang: Language,
    ) -> None:
        gathering_id = _id(value.get("gathering"))
        sequence = _sequence(value.get("sequence"))
        if gathering_id is None or sequence is None:
            await turn.send(text(lang, "unknown_action"))
            return
        view = await self._gatherings.cancel(principal, gathering_id, sequence, self._now(), where)
        await replace_pressed_card(
            turn,
            done_card(lang, view.title, text(lang, "gathering.cancelled_done")),
        )
        self._after_change()

    def _after_change(self) -> None:
        if self._kick is not None:
            self._kick()

    # --- the answer buttons (Action.Execute) ---------------------------------------------------

    async def on_execute(self, turn: Turn) -> CardAnswer | None:
        """An answer on the channel card or on a reminder. None when the press is not ours."""
        data = execute_data(turn, GATHERING_KEY)
        if data is None:
            return None
        lang = turn.lang
        person = turn.person
        gathering_id = _id(data.get("gathering"))
        answer = data.get("answer")
        shown = data.get("view")
        if (
            person is None
            or data.get("command") != "rsvp"
            or gathering_id is None
            or not isinstance(answer, str)
            or answer not in RSVP
            or shown not in (IN_CHANNEL, IN_REMINDER)
        ):
            log.info("gathering action with unknown data on activity %s", turn.activity_id)
            return CardAnswer(message=text(lang, "unknown_action"))
        principal = await self._gate.principal(person)
        where = Where(conversation_id=turn.conversation_id)
        name = turn.person_name
        now = self._now()
        try:
            view = await self._gatherings.answer(
                principal, gathering_id, answer, now, where, display_name=name
            )
        except GatheringNotFound:
            return CardAnswer(message=text(lang, "gathering.not_found"))
        except AccessDenied:
            return CardAnswer(message=text(lang, "gathering.refused.not_member"))
        except GatheringRefused as refused:
            current = await self._gatherings.view(gathering_id)
            if shown == IN_CHANNEL and current is not None:
                # An old card: it is drawn as it is now (cancelled, or over).
                return CardAnswer(
                    card=announcement_card(
                        self._channel_lang, current, self._ics_url(current.id), now
                    )
                )
            return CardAnswer(message=text(lang, f"gathering.refused.{refused.reason}"))
        if shown == IN_CHANNEL:
            return CardAnswer(
                card=announcement_card(self._channel_lang, view, self._ics_url(view.id), now)
            )
        # Answered on a reminder in their own chat: the channel's counts follow.
        await self._gatherings.refresh_card_later(view.id, now)
        self._after_change()
        days = days_until(view.starts_at, now)
        return CardAnswer(
            card=reminder_card(lang, view, days, answer, self._ics_url(view.id), answered_now=True)
        )


def _strings(value: dict[str, Any]) -> dict[str, str]:
    """The form's inputs as they were typed, to fill the form in again."""
    return {k: v for k, v in value.items() if isinstance(v, str) and k != ACTION_KEY}
