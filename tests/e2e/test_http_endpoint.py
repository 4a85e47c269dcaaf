"""The HTTP edge: bad requests get a clear 4xx, never a 5xx; Teams-shaped activities of other kinds
are taken without harm."""

from __future__ import annotations

import copy
import json

import aiohttp
import pytest

from tests.conftest import add_municipality
from tests.support import TENANT, Chat, all_text, find_action, fixture


async def post_raw(url: str, body: bytes, content_type: str = "application/json", **headers: str):
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url + "/api/messages", data=body, headers={"Content-Type": content_type, **headers}
        ) as response,
    ):
        return response.status, await response.text()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'{"text": "no type"}', "application/json", 400),
        (b'{"type": "message", "text": "no conversation"}', "application/json", 400),
        (b'{"type": "message"}', "text/plain", 415),
        (b"\xff\xfe\x00", "application/json", 400),
        (b'{"type": "message", "from": 5, "conversation": 7}', "application/json", 400),
        (
            b'{"type": "message", "text": "hei", "conversation": {"id": "a"},'
            b' "serviceUrl": "http://127.0.0.1:9/"}',
            "application/json",
            400,
        ),
        # 10 KB of brackets: json.loads runs out of stack (RecursionError, not a ValueError).
        (b"[" * 5000 + b"]" * 5000, "application/json", 400),
        # No reply can go to a service URL that is no http(s) URL: refused before the turn.
        (
            b'{"type": "message", "text": "hei", "channelId": "msteams",'
            b' "conversation": {"id": "a"}, "serviceUrl": "javascript:alert(1)"}',
            "application/json",
            400,
        ),
        (
            b'{"type": "message", "text": "hei", "channelId": "msteams",'
            b' "conversation": {"id": "a"}, "serviceUrl": "/v3/relative"}',
            "application/json",
            400,
        ),
    ],
    ids=[
        "malformed",
        "array",
        "no-type",
        "no-conversation",
        "wrong-type",
        "not-utf8",
        "bad-shape",
        "no-channel",
        "nested-too-deep",
        "service-url-not-http",
        "service-url-relative",
    ],
)
async def test_a_bad_request_gets_a_4xx(bot_url, body, content_type, status):
    got, _ = await post_raw(bot_url, body, content_type)
    assert got == status


async def test_a_body_over_256_kb_is_refused_with_413(bot_url, connector):
    activity = Chat(bot_url, connector).activity(text="x" * (300 * 1024))
    got, _ = await post_raw(bot_url, json.dumps(activity).encode())
    assert got == 413


async def test_health_says_ok_when_the_database_answers(bot_url):
    async with aiohttp.ClientSession() as session:
        async with session.get(bot_url + "/healthz") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "ok"


async def test_installing_the_bot_in_personal_chat_gets_a_welcome(bot_url, connector):
    activity = fixture("05_conversationupdate_bot_added_personal.json")
    activity["serviceUrl"] = connector.url
    activity["channelData"]["tenant"]["id"] = TENANT
    activity["conversation"]["id"] = "a:installed"
    # The fixture has placeholders; in real traffic the recipient is the bot that was added.
    activity["recipient"]["id"] = activity["membersAdded"][0]["id"]

    chat = Chat(bot_url, connector)
    replies = await chat.post(activity)

    assert chat.last_status is not None and chat.last_status < 300
    assert len(replies) == 1
    assert "Hei, jeg er TryggEst" in all_text(replies[0])
    assert find_action(replies[0], command="report")


async def test_a_report_started_in_a_channel_is_sent_to_personal_chat(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    activity = fixture("02_message_channel_thread_reply_mention.json")
    activity["serviceUrl"] = connector.url
    activity["text"] = "<at>ridotest</at> meld bekymring"
    activity["locale"] = "nb-NO"

    replies = await Chat(bot_url, connector).post(activity)

    assert len(replies) == 1
    assert "privat chat" in all_text(replies[0])


@pytest.mark.parametrize(
    "name",
    [
        "04_conversationupdate_bot_added_to_team.json",
        "06_conversationupdate_channel_created.json",
        "07_conversationupdate_member_removed.json",
        "08_installationupdate_add_team.json",
        "09_messagereaction_added_channel.json",
    ],
)
async def test_other_teams_activities_are_taken_without_error(bot_url, connector, name):
    activity = copy.deepcopy(fixture(name))
    activity["serviceUrl"] = connector.url
    chat = Chat(bot_url, connector)
    await chat.post(activity)
    assert chat.last_status is not None and chat.last_status < 300


async def test_an_unknown_card_action_is_answered_in_plain_words(bot_url, connector):
    activity = fixture("03_invoke_adaptivecard_action_execute_personal.json")
    activity["serviceUrl"] = connector.url
    async with aiohttp.ClientSession() as session:
        async with session.post(bot_url + "/api/messages", json=activity) as response:
            assert response.status == 200
            answer = await response.json()
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert "virker ikke lenger" in answer["value"] or "no longer works" in answer["value"]


# --- with an app id: the real token validation --------------------------------------------


async def test_with_an_app_id_a_request_without_a_token_gets_401(authenticated_bot_url, connector):
    activity = Chat(authenticated_bot_url, connector).activity(text="hei")
    got, _ = await post_raw(authenticated_bot_url, json.dumps(activity).encode())
    assert got == 401
    assert connector.received == []


async def test_with_an_app_id_a_forged_token_gets_401(authenticated_bot_url, connector):
    activity = Chat(authenticated_bot_url, connector).activity(text="hei")
    got, _ = await post_raw(
        authenticated_bot_url,
        json.dumps(activity).encode(),
        Authorization="Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.",
    )
    assert got == 401
    assert connector.received == []
