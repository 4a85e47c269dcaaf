"""Sharing and finding experiences in the network, in a person's own chat; and the "Nyttig" button
on experience cards (Action.Execute), in the channel or in the chat.

"del erfaring" opens the form (five short questions and tags); "del erfaring TE-2026-0042" opens it
filled in from a closed case's anonymised fields, for its coordinator to edit. "Se over" runs the
anonymiser and shows the result with every replacement marked; only "Del i nettverket" on that
preview shares it, and only the version shown (the button carries its fingerprint). The draft,
which may hold names until it is anonymised, lives in the encrypted dialogue state.

"søk erfaringer økonomisk utnyttelse demens" answers with the best matches in the person's
networks, with tag filters on the card.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cards.experience_cards import (
    EXPERIENCE_KEY,
    IN_CHANNEL,
    IN_CHAT,
    done_card,
    experience_card,
    experience_form_card,
    preview_card,
    results_card,
)
from cards.report_cards import ACTION_KEY
from cards.texts import Language, text
from dialogs.case_work import CardAnswer
from dialogs.intents import principal_or_tell, strip_mentions
from dialogs.report_dialog import replace_pressed_card
from dialogs.turn import Turn
from domain.access import Action, Principal, Role, networks_for
from domain.casework import MEASURE_SERVICE, OUTCOME, POSITION
from domain.codes import (
    AGE_BAND,
    GENDER,
    PERPETRATOR_RELATION,
    REPORTER_SERVICE,
    VIOLENCE_TYPE,
    VULNERABILITY,
)
from domain.experience import FIELDS, TAG_LISTS, ExperienceDraft, anonymise_draft, read_form
from domain.ids import new_id
from domain.training import in_sentence
from domain.views import CaseView
from storage.cases import AmbiguousCaseNumber, CaseNotFound, CaseRepository
from storage.experiences import (
    ExperienceNotFound,
    ExperienceRefused,
    Experiences,
)
from storage.gate import AccessDenied, AccessGate, Where

log = logging.getLogger(__name__)

_ID = re.compile(r"^[0-9a-f]{32}$")
_SHARE = re.compile(
    r"^(?:del|dele|share)\s+(?:ei\s+|en\s+|an\s+)?(?:erfaring|erfaringa|erfaringen|experience)"
    r"(?:\s+(?:fra\s+|frå\s+|from\s+)?(?:sak\s+|case\s+)?(?P<number>te[\s-]*\d{4}[\s-]*\d{1,6}))?$",
    re.IGNORECASE,
)
# "søk erfaringer …" (with the verb, so that a report's free text is never taken for a search),
# or the bare word for the newest.
_SEARCH = re.compile(
    r"^(?:(?:søk|sok|finn|search|find)\s+(?:i\s+|in\s+|etter\s+)?"
    r"(?:erfaringer|erfaringar|erfaring|experiences|experience)\b[\s:,.-]*(?P<query>.*)"
    r"|(?:erfaringer|erfaringar|experiences))$",
    re.IGNORECASE | re.DOTALL,
)
# A search query is a line of words, not an essay.
MAX_QUERY = 200
# The draft's place in the conversation's dialogue state (the key it always had there).
DRAFT_KEY = "ExperienceDraft"


def _id(value: Any) -> str | None:
    return value if isinstance(value, str) and _ID.match(value) else None


def experience_command_of(turn: Turn) -> tuple[str, str] | None:
    """("share", case number or ""), ("search", query) for what the person typed, else None."""
    typed = turn.text
    if not isinstance(typed, str) or turn.value is not None:
        return None
    typed = " ".join(strip_mentions(typed).split())
    if match := _SHARE.match(typed):
        raw = match.group("number")
        if raw:
            digits = re.findall(r"\d+", raw)
            return "share", f"TE-{digits[0]}-{int(digits[1]):04d}"
        return "share", ""
    if match := _SEARCH.match(typed):
        return "search", (match.group("query") or "").strip()[:MAX_QUERY]
    return None


def execute_data(turn: Turn) -> dict[str, Any] | None:
    value = turn.value
    if not isinstance(value, dict) or not isinstance(value.get("action"), dict):
        return None
    data = value["action"].get("data")
    if isinstance(data, dict) and data.get(ACTION_KEY) == EXPERIENCE_KEY:
        return data
    return None


def _filters(value: dict[str, Any]) -> dict[str, str]:
    """Tag filters from the search form: one code per list, unknown codes dropped."""
    chosen: dict[str, str] = {}
    for kind, codes in TAG_LISTS.items():
        code = value.get(kind)
        if isinstance(code, str) and code in codes:
            chosen[kind] = code
    return chosen


class ExperienceCommands:
    def __init__(
        self,
        experiences: Experiences,
        gate: AccessGate,
        cases: CaseRepository,
        now: Callable[[], datetime],
        kick: Callable[[], None] | None = None,
        channel_language: Language = "nb",
    ) -> None:
        self._experiences = experiences
        self._gate = gate
        self._cases = cases
        self._now = now
        self.kick = kick
        self._channel_lang = channel_language

    # --- personal chat --------------------------------------------------------------------------

    async def on_message(self, turn: Turn) -> bool:
        """A typed command or a press on one of our cards in personal chat. True when ours."""
        value = turn.card_data
        if value is not None:
            if value.get(ACTION_KEY) != EXPERIENCE_KEY:
                return False
            await self._on_submit(turn, value)
            return True
        command = experience_command_of(turn)
        if command is None:
            return False
        name, argument = command
        lang = turn.lang
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return True
        where = Where(conversation_id=turn.conversation_id)
        if name == "share":
            await self._new(turn, principal, lang, argument or None, where)
        else:
            await self._search(turn, principal, argument, {}, where, lang)
        return True

    async def _networks(self, principal: Principal) -> list[tuple[str, str]]:
        ids = networks_for(principal, Action.SHARE_IN_NETWORK)
        names = await self._experiences.network_names(ids)
        return [(i, names.get(i, i)) for i in ids]

    async def _new(
        self,
        turn: Turn,
        principal: Principal,
        lang: Language,
        case_number: str | None,
        where: Where,
    ) -> None:
        networks = await self._networks(principal)
        if not networks:
            await turn.send(text(lang, "experience.no_network"))
            return
        draft_id = new_id()
        values: dict[str, Any] = {}
        known: list[str] = []
        if case_number:
            prefilled = await self._from_case(turn, principal, case_number, lang, where)
            if prefilled is None:
                return
            values, known = prefilled
        turn.state[DRAFT_KEY] = {
            "id": draft_id,
            "known": known,
            "from_case": case_number or "",
            "draft": ExperienceDraft(
                networks[0][0],
                {f: values.get(f, "") for f in FIELDS},
                {k: tuple(v) for k, v in values.items() if k in TAG_LISTS},
            ).as_state(),
        }
        form = experience_form_card(lang, networks, draft_id, values, from_case=case_number)
        await turn.send(form)

    async def _from_case(
        self,
        turn: Turn,
        principal: Principal,
        number: str,
        lang: Language,
        where: Where,
    ) -> tuple[dict[str, Any], list[str]] | None:
        """The form's values from a closed case (codes written out, the approved anonymised
        text), and the person's name for the anonymiser; None when refused (and said why)."""
        try:
            shown = await self._cases.open_case(principal, number, None, "anonymised", where)
        except (CaseNotFound, AccessDenied):
            await turn.send(text(lang, "case.not_found", number=number))
            return None
        except AmbiguousCaseNumber:
            await turn.send(text(lang, "case.which_municipality", number=number))
            return None
        # The coordinator of the case's own team: a role elsewhere does not count.
        coordinates = any(
            g.role == Role.COORDINATOR
            and g.team_id == shown.team_id
            and shown.municipality_id in g.municipality_ids
            for g in principal.grants
        )
        if not coordinates:
            await turn.send(text(lang, "experience.only_coordinator"))
            return None
        if shown.status != "closed":
            await turn.send(text(lang, "experience.case_open", number=number))
            return None
        # The name is read only to be taken out again, should someone write it in.
        full = await self._cases.open_case_by_id(principal, shown.id, "identifiable", where)
        known = [str(full.personal["name"])] if full.personal and full.personal.get("name") else []
        return prefill(lang, shown), known

    async def _on_submit(self, turn: Turn, value: dict[str, Any]) -> None:
        lang = turn.lang
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return
        where = Where(conversation_id=turn.conversation_id)
        command = value.get("command")
        try:
            match command:
                case "new":
                    await self._new(turn, principal, lang, None, where)
                case "preview":
                    await self._preview(turn, principal, value, lang)
                case "edit":
                    await self._edit(turn, principal, value, lang)
                case "confirm":
                    await self._confirm(turn, principal, value, where, lang)
                case "cancel":
                    await self._cancel(turn, value, lang)
                case "search":
                    typed = value.get("q")
                    query = typed if isinstance(typed, str) else ""
                    await self._search(
                        turn, principal, query.strip()[:MAX_QUERY], _filters(value), where, lang
                    )
                case "read":
                    experience_id = _id(value.get("experience"))
                    if experience_id is None:
                        await turn.send(text(lang, "unknown_action"))
                        return
                    view = await self._experiences.open(principal, experience_id, where)
                    await turn.send(experience_card(lang, view, IN_CHAT))
                case _:
                    await turn.send(text(lang, "unknown_action"))
        except ExperienceNotFound:
            await turn.send(text(lang, "experience.not_found"))
        except ExperienceRefused as refused:
            await turn.send(text(lang, f"experience.refused.{refused.reason}"))
        except AccessDenied:
            await turn.send(text(lang, "experience.refused.not_member"))

    async def _current(
        self, turn: Turn, value: dict[str, Any], lang: Language
    ) -> dict[str, Any] | None:
        """The draft this card belongs to, or None (told: it has ended, or it is another's)."""
        state = turn.state.get(DRAFT_KEY)
        draft_id = _id(value.get("draft"))
        if draft_id is None:
            await turn.send(text(lang, "unknown_action"))
            return None
        if not isinstance(state, dict) or state.get("id") != draft_id:
            if await self._experiences.view(draft_id) is not None:
                await turn.send(text(lang, "experience.already_shared"))
            else:
                await turn.send(text(lang, "experience.stale"))
            return None
        return state

    async def _preview(
        self, turn: Turn, principal: Principal, value: dict[str, Any], lang: Language
    ) -> None:
        state = await self._current(turn, value, lang)
        if state is None:
            return
        networks = await self._networks(principal)
        if not networks:
            await turn.send(text(lang, "experience.no_network"))
            return
        read = read_form(value, [i for i, _ in networks])
        if isinstance(read, list):
            typed = {k: v for k, v in value.items() if k not in (ACTION_KEY, "command", "draft")}
            form = experience_form_card(lang, networks, state["id"], typed, problems=read)
            await replace_pressed_card(turn, form)
            return
        state["draft"] = read.as_state()
        turn.state[DRAFT_KEY] = state
        anonymised = anonymise_draft(read, list(state.get("known") or []))
        names = dict(networks)
        await replace_pressed_card(
            turn,
            preview_card(lang, anonymised, state["id"], names.get(read.network_team_id, "")),
        )

    async def _edit(
        self, turn: Turn, principal: Principal, value: dict[str, Any], lang: Language
    ) -> None:
        state = await self._current(turn, value, lang)
        if state is None:
            return
        draft = ExperienceDraft.from_state(state["draft"])
        values: dict[str, Any] = {**draft.texts, **draft.tags, "network": draft.network_team_id}
        form = experience_form_card(
            lang,
            await self._networks(principal),
            state["id"],
            values,
            from_case=state.get("from_case") or None,
        )
        await replace_pressed_card(turn, form)

    async def _confirm(
        self,
        turn: Turn,
        principal: Principal,
        value: dict[str, Any],
        where: Where,
        lang: Language,
    ) -> None:
        state = await self._current(turn, value, lang)
        if state is None:
            return
        draft = ExperienceDraft.from_state(state["draft"])
        anonymised = anonymise_draft(draft, list(state.get("known") or []))
        if value.get("version") != anonymised.fingerprint:
            # An older preview's button: what it showed is not what would be shared now.
            names = dict(await self._networks(principal))
            await turn.send(text(lang, "experience.changed"))
            await turn.send(
                preview_card(lang, anonymised, state["id"], names.get(draft.network_team_id, ""))
            )
            return
        view, created = await self._experiences.share(
            principal,
            state["id"],
            anonymised,
            self._now(),
            where,
            from_case=bool(state.get("from_case")),
        )
        turn.state.pop(DRAFT_KEY, None)
        if not created:
            await turn.send(text(lang, "experience.already_shared"))
            return
        await replace_pressed_card(
            turn,
            done_card(
                lang,
                text(lang, "experience.shared.title"),
                text(lang, "experience.shared", network=view.network_name),
            ),
        )
        if self.kick is not None:
            self.kick()

    async def _cancel(self, turn: Turn, value: dict[str, Any], lang: Language) -> None:
        state = turn.state.get(DRAFT_KEY)
        if isinstance(state, dict) and state.get("id") == _id(value.get("draft")):
            turn.state.pop(DRAFT_KEY, None)
        await replace_pressed_card(
            turn,
            done_card(
                lang, text(lang, "experience.cancelled.title"), text(lang, "experience.cancelled")
            ),
        )

    async def _search(
        self,
        turn: Turn,
        principal: Principal,
        query: str,
        filters: dict[str, str],
        where: Where,
        lang: Language,
    ) -> None:
        found = await self._experiences.search(principal, query, filters, where)
        if not found.member:
            await turn.send(text(lang, "experience.search.no_network"))
            return
        await turn.send(results_card(lang, query, filters, found.hits))

    # --- "Nyttig" (Action.Execute) ---------------------------------------------------------

    async def on_execute(self, turn: Turn) -> CardAnswer | None:
        """A press on "Nyttig". None when the press is not on an experience card."""
        data = execute_data(turn)
        if data is None:
            return None
        lang = turn.lang
        person = turn.person
        experience_id = _id(data.get("experience"))
        shown = data.get("view")
        if (
            person is None
            or data.get("command") != "useful"
            or experience_id is None
            or shown not in (IN_CHANNEL, IN_CHAT)
        ):
            log.info("experience action with unknown data on activity %s", turn.activity_id)
            return CardAnswer(message=text(lang, "unknown_action"))
        principal = await self._gate.principal(person)
        where = Where(conversation_id=turn.conversation_id)
        now = self._now()
        try:
            view, added = await self._experiences.mark_useful(principal, experience_id, now, where)
        except ExperienceNotFound:
            return CardAnswer(message=text(lang, "experience.not_found"))
        except AccessDenied:
            return CardAnswer(message=text(lang, "experience.refused.not_member"))
        except ExperienceRefused as refused:
            return CardAnswer(message=text(lang, f"experience.refused.{refused.reason}"))
        if shown == IN_CHANNEL:
            return CardAnswer(card=experience_card(self._channel_lang, view, IN_CHANNEL))
        if not added:
            return CardAnswer(message=text(lang, "experience.useful.already"))
        # Marked in someone's own chat: the channel card's count follows.
        await self._experiences.refresh_card_later(view.id, now)
        if self.kick is not None:
            self.kick()
        return CardAnswer(message=text(lang, "experience.useful.thanks"))


def prefill(lang: Language, case: CaseView) -> dict[str, Any]:
    """A closed case's anonymised fields as a first draft: bands and categories written out, the
    free text only as the coordinator approved it for the channel. Tags from its codes."""
    facts = [
        f"{GENDER.label(case.gender, lang)}, {in_sentence(AGE_BAND.label(case.age_band, lang))}.",
        text(
            lang,
            "experience.prefill.vulnerability",
            values=_labels(VULNERABILITY, case.vulnerabilities, lang),
        ),
        text(
            lang,
            "experience.prefill.violence",
            values=_labels(VIOLENCE_TYPE, case.violence_types, lang),
        ),
        text(
            lang,
            "experience.prefill.perpetrator",
            value=in_sentence(PERPETRATOR_RELATION.label(case.perpetrator_relation, lang)),
        ),
        text(
            lang,
            "experience.prefill.reported_from",
            value=REPORTER_SERVICE.label(case.reporter_service, lang),
        ),
    ]
    situation = " ".join(facts)
    if case.shared_text:
        situation += "\n\n" + case.shared_text
    done = []
    if case.position:
        done.append(
            text(
                lang,
                "experience.prefill.position",
                value=in_sentence(POSITION.label(case.position, lang)),
            )
        )
    if case.measures:
        done.append(
            text(
                lang,
                "experience.prefill.services",
                values=_labels(MEASURE_SERVICE, case.measures, lang),
            )
        )
    if case.outcome:
        done.append(
            text(
                lang,
                "experience.prefill.outcome",
                value=in_sentence(OUTCOME.label(case.outcome, lang)),
            )
        )
    values: dict[str, Any] = {"situation": situation, "done": " ".join(done)}
    values["violence"] = [c for c in case.violence_types if c in VIOLENCE_TYPE]
    values["vulnerability"] = [c for c in case.vulnerabilities if c in VULNERABILITY]
    values["service"] = [c for c in case.measures if c in MEASURE_SERVICE]
    return {k: v for k, v in values.items() if v}


def _labels(codes: Any, chosen: tuple[str, ...], lang: Language) -> str:
    return ", ".join(in_sentence(label) for label in codes.labels(list(chosen), lang)) or "–"
