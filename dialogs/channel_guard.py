"""The guard in the team channel: a message that seems to hold a fødselsnummer, a phone number,
an e-mail address or the name of a person in one of the team's cases gets a short, kind answer
in its thread, asking to delete it and to write the case number instead.

The answer never repeats what was found, and the log says only which kinds and which team:
personal data in a channel is a breach already, and must not spread to the bot's own words.
The rules are domain/guard.py's; names are compared as keyed hashes (storage/name_digests.py).

Teams sends the bot every channel message only with the resource-specific permission
ChannelMessage.Read.Group in the manifest; without it, only messages that @mention the bot.
"""

from __future__ import annotations

import html
import logging
import re

from cards.texts import text
from dialogs.intents import strip_mentions
from dialogs.turn import Turn
from domain.access import TeamKind
from domain.guard import EMAIL, FNR, NAME, PHONE, message_words, what_identifies
from storage.name_digests import NameDigests
from storage.organisation import OrganisationRepository

log = logging.getLogger(__name__)

# One answer per kind; a combination gets the general one.
_ANSWERS = {FNR: "guard.fnr", PHONE: "guard.phone", EMAIL: "guard.email", NAME: "guard.name"}
# Teams may send formatting as HTML in the text of a channel message.
_TAG = re.compile(r"<[^<>]{1,500}>")


class ChannelGuard:
    def __init__(self, organisation: OrganisationRepository, digests: NameDigests) -> None:
        self._organisation = organisation
        self._digests = digests

    async def check(self, turn: Turn) -> bool:
        """Answer in the thread when a channel message seems to hold personal data; True when
        it answered. Any other message, and a channel of a Teams team the bot does not serve,
        gets nothing."""
        if turn.conversation_type != "channel":
            return False
        if turn.text is None or not turn.text.strip():
            return False
        teams_team_id = turn.team_id
        tenant_id = turn.tenant_id
        if not teams_team_id or not tenant_id:
            return False
        teams = await self._organisation.teams_for_teams_team(tenant_id, teams_team_id)
        operational = [t.id for t in teams if t.kind == TeamKind.OPERATIONAL]
        if not operational:
            return False
        typed = _plain(turn.text)
        kinds = what_identifies(typed)
        if await self._digests.matching_cases(operational, message_words(typed)):
            kinds.add(NAME)
        if not kinds:
            return False
        key = _ANSWERS[next(iter(kinds))] if len(kinds) == 1 else "guard.several"
        # In a channel the conversation id carries ';messageid=': the answer joins the thread.
        await turn.send(text(turn.lang, key))
        log.info(
            "channel guard: %s in a message for team %s",
            ",".join(sorted(kinds)),
            ",".join(operational),
        )
        return True


def _plain(typed: str) -> str:
    """The words people wrote: without @mentions (colleagues' names, the bot's), HTML tags
    and entities."""
    return html.unescape(_TAG.sub(" ", strip_mentions(typed)))
