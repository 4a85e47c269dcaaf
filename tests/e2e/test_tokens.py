"""Incoming tokens, checked by the Agents SDK's real validation against a stand-in for Microsoft's
token service (tests/token_service.py): the channel's are taken, the emulator's are refused unless
the bot runs in local mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BOT_APP_ID as APP_ID
from tests.e2e.test_http_endpoint import post_raw
from tests.support import Chat, all_text
from tests.token_service import BOTFRAMEWORK_TENANT, Running, TokenService


@pytest.fixture
def tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TokenService]:
    service = TokenService(APP_ID)
    running = Running(service, tmp_path)
    for name in ("https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, running.proxy_url)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    # aiohttp and urllib trust the test CA already (tests/__init__.py); msal's requests does not.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(running.ca_bundle))
    yield service
    running.close()


async def post_with_token(bot_url: str, activity: dict[str, object], token: str) -> int:
    status, _ = await post_raw(
        bot_url, json.dumps(activity).encode(), Authorization=f"Bearer {token}"
    )
    return status


async def test_a_token_from_the_channel_is_taken_and_answered(
    tokens, authenticated_bot_url, connector
):
    activity = Chat(authenticated_bot_url, connector).activity(text="hei")
    token = tokens.sign(
        {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": connector.url}
    )

    status = await post_with_token(authenticated_bot_url, activity, token)

    assert status < 300
    assert connector.received and all_text(connector.received[-1])
    # The channel's keys came from the stand-in, and so did the bot's token for its reply.
    assert "GET /v1/.well-known/keys" in tokens.requests
    assert "POST /botframework.com/oauth2/v2.0/token" in tokens.requests


async def test_a_token_from_the_emulators_issuer_gets_401(tokens, authenticated_bot_url, connector):
    activity = Chat(authenticated_bot_url, connector).activity(text="hei")
    token = tokens.sign(
        {
            "iss": f"https://sts.windows.net/{BOTFRAMEWORK_TENANT}/",
            "ver": "1.0",
            "aud": APP_ID,
            "appid": APP_ID,
        },
        emulator=True,
    )

    status = await post_with_token(authenticated_bot_url, activity, token)

    assert status == 401
    assert connector.received == []


async def test_the_bots_own_outgoing_token_gets_401(tokens, authenticated_bot_url, connector):
    activity = Chat(authenticated_bot_url, connector).activity(text="hei")

    status = await post_with_token(authenticated_bot_url, activity, tokens.outgoing_token())

    assert status == 401
    assert connector.received == []
