"""bot/connector_pool.py's shortcuts for cards and activities: the same JSON msrest would have
produced."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from copy import deepcopy
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ChannelAccount, Entity, Mention
from botframework.connector import models
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from botframework.connector.models import ErrorResponseException
from msrest import Serializer

from bot.connector_pool import (
    ConnectionPool,
    _fast_bodies,
    _fast_objects,
    _json_body,
    _pooled,
    is_plain_json,
    model_json,
)
from bot.turns import card_message
from tests.support import FIXTURES
from tools.samples.catalogue import sample_cards


def serializers() -> tuple[Serializer, Serializer]:
    client_models = {k: v for k, v in models.__dict__.items() if isinstance(v, type)}
    fast = Serializer(client_models)
    _fast_objects(fast)
    _fast_bodies(fast)
    return Serializer(client_models), fast


def teams_activities() -> dict[str, Activity]:
    found = {p.name: json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))}
    return {name: Activity().deserialize(body) for name, body in found.items()}


def test_every_teams_activity_serializes_exactly_as_msrest_would():
    stock, fast = serializers()
    activities = teams_activities()
    assert len(activities) >= 10
    for name, activity in activities.items():
        made = model_json(activity, fast.serialize_type["object"])  # not msrest's fallback
        assert made == stock.body(activity, "Activity"), name


def test_a_reply_to_each_teams_activity_serializes_exactly_as_msrest_would():
    stock, fast = serializers()
    activities = teams_activities()
    assert len(activities) >= 10  # the payloads are there (a loop over none would pass)
    for name, incoming in activities.items():
        reply = MessageFactory.text("Takk. Saken er sendt.")
        reply.timestamp = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
        reply.entities = [Mention(mentioned=ChannelAccount(id="29:x", name="Kari"), text="@Kari")]
        TurnContext.apply_conversation_reference(
            reply, TurnContext.get_conversation_reference(incoming)
        )
        made = model_json(reply, fast.serialize_type["object"])
        assert made == stock.body(reply, "Activity"), name


def test_a_dict_where_a_model_belongs_takes_msrests_way():
    # msrest turns the dict into an Entity first (dropping what Entity does not map).
    stock, fast = serializers()
    activity = MessageFactory.text("hei")
    activity.entities = [{"type": "clientInfo", "locale": "nb-NO"}]
    activity.from_property = {"id": "28:bot", "name": "TryggEst"}

    assert fast.body(activity, "Activity") == stock.body(activity, "Activity")
    assert fast.body(activity, "Activity")["entities"] == [{"type": "clientInfo"}]


def test_entities_keep_only_what_msrest_keeps():
    stock, fast = serializers()
    activity = MessageFactory.text("hei")
    activity.entities = [Entity(type="clientInfo")]
    activity.entities[0].additional_properties = {"locale": "nb-NO"}

    assert fast.body(activity, "Activity") == stock.body(activity, "Activity")


def test_every_card_serializes_exactly_as_msrest_would():
    stock, fast = serializers()
    cards = sample_cards()
    assert cards
    for name, card in cards.items():
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        assert fast.body(activity, "Activity") == stock.body(activity, "Activity"), name


def test_what_is_not_plain_json_still_goes_msrests_way():
    stock, fast = serializers()
    value = {"when": datetime(2026, 11, 28, 12, 0, tzinfo=UTC), "n": [1, 2]}

    assert not is_plain_json(value)
    assert fast.serialize_type["object"](value) == stock.serialize_object(value)


def test_plain_json_is_recognised_and_other_values_are_not():
    assert is_plain_json({"a": [1, 2.5, "x", None, True, {"b": []}]})
    assert not is_plain_json({1: "a key that is not a string"})
    assert not is_plain_json({"a": (1, 2)})


# --- replies, sends and updates as one request on the pooled session ----------------------


class Recorder:
    """A Bot Connector on 127.0.0.1 that records each request and answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.headers: dict[str, str] = {}

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(
            {
                "method": request.method,
                "path": request.raw_path,
                "content_type": request.headers.get("Content-Type"),
                "user_agent": request.headers.get("User-Agent"),
                "conversation": request.headers.get("x-ms-conversation-id"),
                "accept": request.headers.get("Accept"),
                "cookie": request.headers.get("Cookie"),
                "body": json.loads(await request.read()),
            }
        )
        if self.status >= 400:
            return web.json_response(
                {"error": {"code": "x", "message": "no"}}, status=self.status, headers=self.headers
            )
        response = web.json_response({"id": f"r{len(self.requests)}"}, status=self.status)
        response.set_cookie("ARRAffinity", "instance-7")
        return response


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, ConnectorClient, ConnectionPool]]:
    found = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    pool = ConnectionPool()
    client = _pooled(
        ConnectorClient(MicrosoftAppCredentials("", ""), base_url=f"http://localhost:{port}/"),
        pool,
    )
    yield found, client, pool
    await pool.close()
    await runner.cleanup()


def a_reply() -> Activity:
    card = next(iter(sample_cards().values()))
    return MessageFactory.attachment(CardFactory.adaptive_card(card))


async def test_a_reply_goes_out_as_msrest_would_send_it(recorder):
    found, client, _ = recorder
    conversations = client.conversations
    cid, aid = "a:1Xy/+=;messageid=5", "1:ab c"

    direct = await conversations.reply_to_activity(cid, aid, a_reply())
    stock = await conversations.reply_to_activity(cid, aid, a_reply(), custom_headers=None)

    first, second = found.requests
    assert first == second
    assert first["method"] == "POST"
    assert (direct.id, stock.id) == ("r1", "r2")
    assert type(direct) is type(stock) is models.ResourceResponse
    assert direct.additional_properties == stock.additional_properties


async def test_an_update_and_a_send_go_out_as_msrest_would_send_them(recorder):
    found, client, _ = recorder
    conversations = client.conversations

    await conversations.update_activity("a:1", "5", a_reply())
    await conversations.update_activity("a:1", "5", a_reply(), custom_headers=None)
    await conversations.send_to_conversation("a:1", a_reply())
    await conversations.send_to_conversation("a:1", a_reply(), custom_headers=None)

    update_direct, update_stock, send_direct, send_stock = found.requests
    assert update_direct == update_stock and update_direct["method"] == "PUT"
    assert send_direct == send_stock and send_direct["path"] == "/v3/conversations/a:1/activities"


async def test_a_refusal_raises_msrests_own_error_with_status_and_headers(recorder):
    found, client, _ = recorder
    found.status, found.headers = 429, {"Retry-After": "3"}

    with pytest.raises(ErrorResponseException) as direct:
        await client.conversations.reply_to_activity("a:1", "5", a_reply())
    with pytest.raises(ErrorResponseException) as stock:
        await client.conversations.reply_to_activity("a:1", "5", a_reply(), custom_headers=None)

    for raised in (direct.value, stock.value):
        assert raised.response.status == 429
        assert raised.response.headers["Retry-After"] == "3"


async def test_a_reply_in_norwegian_reaches_the_connector_as_the_same_json(recorder):
    found, client, _ = recorder
    reply = MessageFactory.text("Takk! Saken går til teamet i Sør-Odal – «hastesak»")

    await client.conversations.reply_to_activity("a:1", "5", reply)

    assert found.requests[0]["body"]["text"] == "Takk! Saken går til teamet i Sør-Odal – «hastesak»"


def test_json_orjson_will_not_write_is_written_by_the_standard_library():
    # A key that is not a string: nothing the bot builds, but never a failed reply for it.
    assert json.loads(_json_body({"a": {1: "én"}})) == {"a": {"1": "én"}}
    assert json.loads(_json_body({"text": "blåbær"})) == {"text": "blåbær"}


async def test_cookies_the_connector_sets_are_not_sent_back(recorder):
    # The pool keeps no cookie jar (a token-authenticated API; the jar cost a third of a request).
    found, client, _ = recorder

    await client.conversations.reply_to_activity("a:1", "5", a_reply())
    await client.conversations.reply_to_activity("a:1", "6", a_reply())

    assert [r["cookie"] for r in found.requests] == [None, None]


def test_a_card_message_goes_out_as_message_factory_would_make_it():
    # bot.turns.card_message makes a message whose deep copy (botbuilder's, on every send) is shallow.
    stock, fast = serializers()
    for name, content in sample_cards().items():
        ours = card_message(content)
        theirs = MessageFactory.attachment(CardFactory.adaptive_card(content))
        sent = deepcopy(ours)
        assert sent is not ours
        TurnContext.apply_conversation_reference(
            sent, TurnContext.get_conversation_reference(next(iter(teams_activities().values())))
        )
        assert ours.conversation is None  # addressing the copy left the card as it was
        assert ours.as_dict() == theirs.as_dict(), name
        assert model_json(ours, fast.serialize_type["object"]) == stock.body(theirs, "Activity")


@pytest.mark.parametrize(
    "base",
    [
        "https://smba.trafficmanager.net/emea/",
        "https://smba.trafficmanager.net/emea",
        "https://smba.trafficmanager.net/amer/v3",
        "http://127.0.0.1:3978/",
        "http://127.0.0.1:3978",
        "https://x.example/a/./b/",
        "https://x.example/a/../b/",
        "https://x.example/path?query=1",
        "https://x.example/path#fragment",
    ],
)
@pytest.mark.parametrize(
    "conversation, activity",
    [
        ("a:1Xy/+=;messageid=5", "1:ab c"),
        ("19:abc@thread.tacv2;messageid=1700000000000", "1700000000001"),
        (".", ".."),
        ("..", "x"),
        ("ø æ å", "%2F"),
    ],
)
def test_a_request_url_is_the_one_msrest_would_make(base, conversation, activity):
    client = ConnectorClient(MicrosoftAppCredentials("", ""), base_url=base)
    direct = _pooled(client, ConnectionPool()).conversations
    path = {
        "conversationId": direct._url_part("conversation_id", conversation),
        "activityId": direct._url_part("activity_id", activity),
    }
    stock = client._client.format_url(
        "/v3/conversations/{conversationId}/activities/{activityId}",
        conversationId=Serializer().url("conversation_id", conversation, "str"),
        activityId=Serializer().url("activity_id", activity, "str"),
    )

    made = direct._url("/v3/conversations/{conversationId}/activities/{activityId}", path)

    assert made == stock
