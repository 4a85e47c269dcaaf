"""A team member's look at a case, in personal chat only: "vis TE-2026-0042", its personal
details behind a button, "hvem har sett TE-2026-0042" and "tilgangsgjennomgang".

Every look goes through the gate and into the access log. A case that does not exist and a case
the person may not see get the same answer, so nobody learns which case numbers exist elsewhere.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from cards.case_cards import access_review_card, case_card, personal_card, who_has_seen_card
from cards.texts import Language, text
from dialogs.intents import principal_or_tell, strip_mentions
from dialogs.turn import Turn
from domain.access import Action, MunicipalityTarget, Role, decide
from domain.choices import normalise
from domain.clock import utcnow
from storage.access_log import AccessLogReader
from storage.cases import AmbiguousCaseNumber, CaseNotFound, CaseRepository
from storage.gate import AccessDenied, AccessGate, Where
from storage.organisation import OrganisationRepository
from storage.personal_views import PersonalViews

log = logging.getLogger(__name__)

_NUMBER = r"(?P<number>te[\s-]*\d{4}[\s-]*\d{1,6})"
_OPEN = re.compile(rf"^(?:vis|apne|open|show|sak|case)\s+(?:sak\s+)?{_NUMBER}$")
_SEEN = re.compile(rf"^(?:hvem har sett|kven har sett|who has seen)\s+{_NUMBER}$")
_REVIEW = {"tilgangsgjennomgang", "access review", "vis tilgangsgjennomgang"}
REVIEW_DAYS = 30


def case_number(raw: str) -> str:
    """'te 2026 42', 'TE-2026-0042' → 'TE-2026-0042'."""
    digits = re.findall(r"\d+", raw)
    return f"TE-{digits[0]}-{int(digits[1]):04d}"


def case_command_of(turn: Turn) -> tuple[str, str | None] | None:
    value = turn.card_data
    if value is not None:
        if value.get("tryggest") == "case" and isinstance(value.get("command"), str):
            case_id = value.get("case")
            return value["command"], case_id if isinstance(case_id, str) else None
        return None
    typed = normalise(strip_mentions(turn.text or ""))
    if match := _OPEN.match(typed):
        return "open", case_number(match.group("number"))
    if match := _SEEN.match(typed):
        return "who_has_seen_number", case_number(match.group("number"))
    if typed in _REVIEW:
        return "review", None
    return None


class CaseCommands:
    def __init__(
        self,
        organisation: OrganisationRepository,
        gate: AccessGate,
        cases: CaseRepository,
        access_log: AccessLogReader,
        views: PersonalViews | None = None,
    ) -> None:
        self._views = views
        self._organisation = organisation
        self._gate = gate
        self._cases = cases
        self._log = access_log

    async def handle(self, turn: Turn) -> bool:
        """True when the message was a case command (answered, or refused in plain words)."""
        command = case_command_of(turn)
        if command is None:
            return False
        lang = turn.lang
        principal = await principal_or_tell(turn, self._gate)
        if principal is None:
            return True
        where = Where(conversation_id=turn.conversation_id)
        name, argument = command
        try:
            if name == "open" and argument:
                view = await self._cases.open_case(principal, argument, None, "anonymised", where)
                can_see_log = bool(decide(principal, Action.VIEW_CASE_ACCESS_LOG, view.target))
                await turn.send(case_card(lang, view, can_see_log))
            elif name == "show_personal" and argument:
                view = await self._cases.open_case_by_id(principal, argument, "identifiable", where)
                sent = turn.message(await turn.send(personal_card(lang, view)))
                if self._views is not None and sent is not None:
                    await self._views.shown(principal.person, view.id, "show_personal", sent)
            elif name in ("who_has_seen", "who_has_seen_number") and argument:
                records = await self._log.who_has_seen(principal, argument, None, where)
                number = argument if name == "who_has_seen_number" else _number_on_card(turn)
                names = await self._organisation.names_of({r.who for r in records})
                await turn.send(who_has_seen_card(lang, number, records, names))
            elif name == "review":
                await self._review(turn, principal, where, lang)
            else:
                await turn.send(text(lang, "unknown_action"))
        except (CaseNotFound, AccessDenied):
            shown = argument if argument and argument.startswith("TE-") else ""
            if shown:
                await turn.send(text(lang, "case.not_found", number=shown))
            else:
                await turn.send(text(lang, "case.no_access"))
        except AmbiguousCaseNumber as error:
            await turn.send(text(lang, "case.which_municipality", number=error.number))
        return True

    async def _review(self, turn: Turn, principal: Any, where: Where, lang: Language) -> None:
        served = [g.municipality_ids for g in principal.grants if g.role == Role.COORDINATOR]
        if not served:
            nothing = MunicipalityTarget(frozenset())
            raise AccessDenied(decide(principal, Action.REVIEW_ACCESS, nothing))
        until = utcnow()
        since = until - timedelta(days=REVIEW_DAYS)
        reviews = []
        for municipalities in served:
            reviews += await self._log.access_review(principal, municipalities, since, until, where)
        people = {r.who for review in reviews for r in review.reads}
        names = await self._organisation.names_of(people)
        await turn.send(access_review_card(lang, reviews, names, REVIEW_DAYS))


def _number_on_card(turn: Turn) -> str:
    value = turn.card_data or {}
    number = value.get("number")
    return number if isinstance(number, str) else ""
