"""The SDK's turn read once into our own `Turn` (dialogs/turn.py), and the `Chat` it answers in.

Teams is surprising in a few places, all handled here and nowhere else:
- the tenant is in channelData.tenant.id; conversation.tenantId is not always there;
- the locale may come only in a clientInfo entity;
- a channel message's team and channel are in channelData.team / .channel;
- a mention carries the per-bot '29:' id and the name, never the Entra object id.
"""

from __future__ import annotations

import copy
from typing import Any

from botbuilder.core import CardFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, AttachmentLayoutTypes

from cards.texts import Language, language_for_locale
from dialogs.turn import Card, Mention, Turn
from domain.case import Reporter


class _CardMessage(Activity):
    """A message with a card, made for one send. botbuilder deep-copies each activity it sends
    so that the sender cannot change it afterwards; nothing changes a card's insides once it is
    made, so a shallow copy is the same copy, without walking hundreds of nodes a send."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _CardMessage:
        return copy.copy(self)


def card_message(content: Card) -> Activity:
    # What MessageFactory.attachment makes (no input hint: botbuilder sets it when sending).
    return _CardMessage(
        type=ActivityTypes.message,
        attachment_layout=AttachmentLayoutTypes.list,
        attachments=[CardFactory.adaptive_card(content)],
    )


class ContextChat:
    """Chat over botbuilder's TurnContext: replies go to the conversation the turn came from."""

    def __init__(self, context: TurnContext) -> None:
        self.context = context

    async def send(self, message: str | Card) -> str | None:
        outgoing: str | Activity = message if isinstance(message, str) else card_message(message)
        response = await self.context.send_activity(outgoing)
        return response.id if response is not None else None

    async def update(self, message_id: str, content: Card) -> None:
        update = card_message(content)
        update.id = message_id
        await self.context.update_activity(update)


def context_of(turn: Turn) -> TurnContext:
    """The SDK's turn behind a Turn the bot made: for the parts of bot/ that implement a
    dialogue's seams (the roster, file offers) with the SDK."""
    if not isinstance(turn.chat, ContextChat):
        raise TypeError("a Turn the bot did not make from an SDK turn")
    return turn.chat.context


def _channel_data(activity: Activity) -> dict[str, Any]:
    return activity.channel_data if isinstance(activity.channel_data, dict) else {}


def _id_in(data: dict[str, Any], key: str) -> str | None:
    node = data.get(key)
    return str(node["id"]) if isinstance(node, dict) and node.get("id") else None


def tenant_of(activity: Activity) -> str | None:
    """channelData.tenant, as Teams sends it, else the conversation's."""
    tenant = _id_in(_channel_data(activity), "tenant")
    if tenant:
        return tenant
    conversation = activity.conversation
    if conversation is None:
        return None
    # botbuilder's schema reads "tenantID"; Teams writes "tenantId", which lands with the
    # properties botbuilder does not know.
    extra = getattr(conversation, "additional_properties", None) or {}
    tenant = conversation.tenant_id or extra.get("tenantId")
    return str(tenant) if tenant else None


def _locale_of(activity: Activity) -> str | None:
    if activity.locale:
        return str(activity.locale)
    for entity in activity.entities or []:
        props = getattr(entity, "additional_properties", None) or {}
        if getattr(entity, "type", None) == "clientInfo" and props.get("locale"):
            return str(props["locale"])
    return None


def team_id_of(activity: Activity) -> str | None:
    """The Teams team a channel's activity comes from (channelData.team.id)."""
    return _id_in(_channel_data(activity), "team")


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    return conversation is not None and (conversation.conversation_type or "personal") == "personal"


def reporter_of(activity: Activity) -> Reporter | None:
    """A person is (tenant, Entra object id); Teams' '29:' ids differ per bot and are not used."""
    tenant_id = tenant_of(activity)
    sender = activity.from_property
    aad = sender.aad_object_id if sender is not None else None
    return Reporter(str(tenant_id), str(aad)) if tenant_id and aad else None


def language_of(activity: Activity) -> Language:
    return language_for_locale(_locale_of(activity))


def _mentions_of(activity: Activity) -> tuple[Mention, ...]:
    found: list[Mention] = []
    for entity in activity.entities or []:
        if getattr(entity, "type", None) != "mention":
            continue
        props = getattr(entity, "additional_properties", None) or {}
        who = props.get("mentioned")
        if not isinstance(who, dict) or not who.get("id"):
            continue
        said = props.get("text")
        found.append(
            Mention(
                str(who["id"]), str(who.get("name") or ""), said if isinstance(said, str) else None
            )
        )
    return tuple(found)


def turn_of(context: TurnContext, state: dict[str, Any] | None = None) -> Turn:
    """The activity of `context` as a Turn answering through `context`; `state` is the
    conversation's dialogue state for this turn (the dict the bot stores when the turn ends)."""
    activity = context.activity
    data = _channel_data(activity)
    sender = activity.from_property
    conversation = activity.conversation
    # A press that sent something other than an object is still a press, not typed text.
    value = activity.value if isinstance(activity.value, dict) else None
    if value is None and activity.value is not None:
        value = {}
    return Turn(
        chat=ContextChat(context),
        activity_id=activity.id,
        lang=language_of(activity),
        tenant_id=tenant_of(activity),
        person=reporter_of(activity),
        person_name=sender.name if sender is not None else None,
        conversation_id=conversation.id if conversation is not None else None,
        conversation_type=(conversation.conversation_type if conversation else None) or "personal",
        team_id=team_id_of(activity),
        channel_id=_id_in(data, "channel"),
        service_url=activity.service_url,
        bot_id=activity.recipient.id if activity.recipient else None,
        text=activity.text if isinstance(activity.text, str) else None,
        value=value,
        reply_to_id=activity.reply_to_id,
        mentions=_mentions_of(activity),
        state=state if state is not None else {},
    )
