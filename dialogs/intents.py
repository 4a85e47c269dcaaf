"""What a person asks for, typed or tapped: the few commands that work anywhere in a chat."""

from __future__ import annotations

import re
from typing import Any

from botbuilder.core import TurnContext

from cards.report_cards import ACTION_KEY
from cards.texts import Language, language_for_locale, text
from domain.access import Principal
from domain.case import Reporter
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
    "help": {"hjelp", "help", "tiltakskort"},
    "cancel": {"avbryt", "stopp", "cancel", "stop", "avslutt"},
    "back": {"tilbake", "back", "forrige", "go back"},
    "my_reports": {"mine meldinger", "mine meldingar", "my reports", "meldingene mine", "status"},
    "greeting": {"hei", "hallo", "heisann", "god morgen", "god dag", "hi", "hello", "hey", "start"},
}
CARD_COMMANDS = {*COMMANDS, "send", "edit", "cancel_confirmed", "resume"}
_LOOKUP = {normalise(w): name for name, words in COMMANDS.items() for w in words}


def card_value(context: TurnContext) -> dict[str, Any] | None:
    value = context.activity.value
    if isinstance(value, dict) and isinstance(value.get(ACTION_KEY), str):
        return value
    return None


def intent_of(context: TurnContext) -> str | None:
    value = card_value(context)
    if value is not None:
        command = value.get("command")
        return command if command in CARD_COMMANDS else None
    typed = context.activity.text
    if not isinstance(typed, str):
        return None
    words = strip_mentions(typed)
    if words == "?":
        return "help"
    # Emoji or punctuation alone is no command (it normalises to nothing): in a report it is
    # an answer to nudge, not a call for the help card.
    return _LOOKUP.get(normalise(words)) if normalise(words) else None


def strip_mentions(typed: str) -> str:
    """Teams puts '<at>TryggEst</at>' in the text when the bot is mentioned."""
    return re.sub(r"<at>.*?</at>", " ", typed).strip()


def language_of(context: TurnContext) -> Language:
    activity = context.activity
    locale = activity.locale
    if not locale:
        for entity in activity.entities or []:
            props = getattr(entity, "additional_properties", None) or {}
            if getattr(entity, "type", None) == "clientInfo" and props.get("locale"):
                locale = props["locale"]
    return language_for_locale(locale)


def tenant_of(context: TurnContext) -> str | None:
    """The tenant the activity comes from: channelData.tenant, as Teams sends it, else the
    conversation's."""
    activity = context.activity
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    if isinstance(tenant, dict) and tenant.get("id"):
        return str(tenant["id"])
    conversation = activity.conversation
    return conversation.tenant_id if conversation is not None else None


def reporter_of(context: TurnContext) -> Reporter | None:
    """A person is (tenant, Entra object id); Teams' '29:' ids differ per bot and are not used."""
    activity = context.activity
    tenant_id = tenant_of(context)
    aad = activity.from_property.aad_object_id if activity.from_property else None
    if not tenant_id or not aad:
        return None
    return Reporter(str(tenant_id), str(aad))


async def principal_or_tell(
    context: TurnContext, gate: AccessGate, lang: Language
) -> Principal | None:
    """Who wrote, with their roles; None, and they are told so, when Teams did not say who
    they are (no tenant or Entra id on the activity)."""
    person = reporter_of(context)
    if person is None:
        await context.send_activity(text(lang, "no_identity"))
        return None
    return await gate.principal(person)
