"""The SDK's turn read once into our own `Turn` (dialogs/turn.py), and the `Chat` it answers in.

Teams is surprising in a few places, all handled here and nowhere else:
- the tenant is in channelData.tenant.id; conversation.tenantId is not always there;
- the locale may come only in a clientInfo entity;
- a channel message's team and channel are in channelData.team / .channel;
- a mention carries the per-bot '29:' id and the name, never the Entra object id.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, AttachmentLayoutTypes, InputHints
from microsoft_agents.hosting.core import CardFactory, TurnContext

from cards.texts import Language, language_for_locale
from dialogs.turn import Card, Mention, Turn
from domain.case import Reporter


def card_message(content: Card) -> Activity:
    # What MessageFactory.attachment makes.
    return Activity(
        type=ActivityTypes.message,
        attachment_layout=AttachmentLayoutTypes.list,
        attachments=[CardFactory.adaptive_card(content)],
    )


class ContextChat:
    """Chat over the SDK's TurnContext: replies go to the conversation the turn came from.

    Sent through the adapter, as TurnContext.send_activity and update_activity do in the end:
    those wrap each send in closures that refer to themselves and to the turn, so that every
    turn's context, replies and cards stayed in memory until the garbage collector came by; and
    they deep-copy each message, card and all, which a message made for one send does not need."""

    def __init__(self, context: TurnContext) -> None:
        self.context = context

    async def send(self, message: str | Card) -> str | None:
        if isinstance(message, str):
            outgoing = Activity(type=ActivityTypes.message, text=message)
        else:
            outgoing = card_message(message)
        context = self.context
        outgoing.apply_conversation_reference(context.activity.get_conversation_reference())
        outgoing.input_hint = InputHints.accepting_input
        responses = await context.adapter.send_activities(context, [outgoing])
        context.responded = True
        return responses[0].id if responses and responses[0].id else None

    async def update(self, message_id: str, content: Card) -> None:
        update = card_message(content)
        update.apply_conversation_reference(self.context.activity.get_conversation_reference())
        update.id = message_id
        await self.context.adapter.update_activity(self.context, update)


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
    tenant = conversation.tenant_id
    return str(tenant) if tenant else None


def _locale_of(activity: Activity) -> str | None:
    if activity.locale:
        return str(activity.locale)
    for entity in activity.entities or []:
        locale = _entity_field(entity, "locale") if entity.type == "clientInfo" else None
        if isinstance(locale, str) and locale:
            return locale
    return None


def _entity_field(entity: Any, name: str) -> Any:
    """A field of an entity: the SDK reads known entities (mention, clientInfo) into their own
    classes and keeps any other's fields as extras, by their snake_case names."""
    value = getattr(entity, name, None)
    if value is None:
        value = (getattr(entity, "model_extra", None) or {}).get(name)
    return value


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
        if entity.type != "mention":
            continue
        who = _entity_field(entity, "mentioned")
        if isinstance(who, dict):
            who_id, who_name = who.get("id"), who.get("name")
        else:
            who_id, who_name = getattr(who, "id", None), getattr(who, "name", None)
        if not who_id:
            continue
        said = _entity_field(entity, "text")
        found.append(
            Mention(str(who_id), str(who_name or ""), said if isinstance(said, str) else None)
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
