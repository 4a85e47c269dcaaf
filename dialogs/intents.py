"""What a person asks for, typed or tapped: the few commands that work anywhere in a chat."""

from __future__ import annotations

import re

from cards.texts import text
from dialogs.turn import Turn
from domain.access import Principal
from domain.choices import normalise
from storage.gate import AccessGate

# Typed commands in bokmål, nynorsk and English; compared after normalise().
COMMANDS: dict[str, set[str]] = {
    "report": {
        "meld bekymring",
        "meld",
        "ny melding",
        "bekymring",
        "bekymringsmelding",
        "melding",
        "report",
        "new report",
        "report a concern",
    },
    "enquiry": {
        "ny henvendelse",
        "henvendelse",
        "registrer henvendelse",
        "registrer en henvendelse",
        "ny henvending",
        "henvending",
        "registrer henvending",
        "new enquiry",
        "register an enquiry",
    },
    "help": {"hjelp", "help", "tiltakskort"},
    "cancel": {"avbryt", "stopp", "cancel", "stop", "avslutt"},
    "back": {"tilbake", "back", "forrige", "go back"},
    "my_reports": {"mine meldinger", "mine meldingar", "my reports", "meldingene mine", "status"},
    "greeting": {"hei", "hallo", "heisann", "god morgen", "god dag", "hi", "hello", "hey", "start"},
}
CARD_COMMANDS = {*COMMANDS, "send", "edit", "cancel_confirmed", "resume"}
_LOOKUP = {normalise(w): name for name, words in COMMANDS.items() for w in words}


def intent_of(turn: Turn) -> str | None:
    value = turn.card_data
    if value is not None:
        command = value.get("command")
        return command if command in CARD_COMMANDS else None
    if turn.text is None:
        return None
    words = strip_mentions(turn.text)
    if words == "?":
        return "help"
    # Emoji or punctuation alone is no command (it normalises to nothing): in a report it is
    # an answer to nudge, not a call for the help card.
    return _LOOKUP.get(normalise(words)) if normalise(words) else None


def strip_mentions(typed: str) -> str:
    """Teams puts '<at>TryggEst</at>' in the text when the bot is mentioned."""
    return re.sub(r"<at>.*?</at>", " ", typed).strip()


async def principal_or_tell(turn: Turn, gate: AccessGate) -> Principal | None:
    """Who wrote, with their roles; None, and they are told so, when Teams did not say who
    they are (no tenant or Entra id on the activity)."""
    if turn.person is None:
        await turn.send(text(turn.lang, "no_identity"))
        return None
    return await gate.principal(turn.person)
