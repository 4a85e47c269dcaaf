"""Tokens, through /api/messages against a stand-in for Microsoft's token service
(tests/token_service.py): incoming ones checked by the Agents SDK's real validation and by
bot/authentication.py (the channel's are taken; the emulator's, another tenant's, and one issued
for another service URL are refused), and the bot's own, which its replies carry."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conftest import BOT_APP_ID as APP_ID
from tests.e2e.test_http_endpoint import post_raw
from tests.support import Chat, all_text
from tests.token_service import BOTFRAMEWORK_TENANT, Running, TokenService


@pytest.fixture(scope="module")
def login_hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One stand-in for the module: urllib (which fetches the SDK's signing keys) builds its
    opener, proxy and all, once per process, so the proxy's address must not change."""
    running = Running(TokenService(APP_ID), tmp_path_factory.mktemp("login-hosts"))
    yield running
    running.close()


@pytest.fixture
def tokens(login_hosts: Running, monkeypatch: pytest.MonkeyPatch) -> Iterator[TokenService]:
    service = TokenService(APP_ID)
    login_hosts.serve(service)
    for name in ("https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, login_hosts.proxy_url)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    # aiohttp and urllib trust the test CA already (tests/__init__.py); msal's requests does not.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(login_hosts.ca_bundle))
    yield service


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
    # Taken, so its key came from the stand-in (kept for the run, as Microsoft's are kept), and
    # so did the bot's own token for its reply.
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


async def test_replies_carry_the_bots_own_token_asked_for_once_across_turns(
    tokens, authenticated_bot_url, connector
):
    chat = Chat(authenticated_bot_url, connector)
    token = tokens.sign(
        {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": connector.url}
    )

    for said in ("hei", "hjelp"):
        assert await post_with_token(authenticated_bot_url, chat.activity(text=said), token) < 300

    assert len(connector.authorizations) >= 2
    assert all(a is not None and a.startswith("Bearer ey") for a in connector.authorizations)
    assert len(set(connector.authorizations)) == 1
    asked = [r for r in tokens.requests if r == "POST /botframework.com/oauth2/v2.0/token"]
    assert len(asked) == 1


async def test_an_activity_naming_another_service_url_than_its_token_gets_401(
    tokens, authenticated_bot_url, connector
):
    # A channel's token, replayed with the activity's serviceUrl pointing elsewhere: the bot
    # would send its reply, with its own token, there.
    activity = Chat(authenticated_bot_url, connector).activity(text="hei")
    token = tokens.sign(
        {
            "iss": "https://api.botframework.com",
            "aud": APP_ID,
            "serviceurl": "https://smba.trafficmanager.net/emea/",
        }
    )

    status = await post_with_token(authenticated_bot_url, activity, token)

    assert status == 401
    assert connector.received == []


async def test_a_token_another_tenant_issued_for_the_bot_gets_401(
    tokens, authenticated_bot_url, connector
):
    other_tenant = "0b0b0b0b-1111-2222-3333-444444444444"
    activity = Chat(authenticated_bot_url, connector).activity(text="hei")
    token = tokens.sign(
        {
            "iss": f"https://login.microsoftonline.com/{other_tenant}/v2.0",
            "tid": other_tenant,
            "ver": "2.0",
            "aud": APP_ID,
            "azp": APP_ID,
        },
        emulator=True,  # signed with the Entra key the stand-in publishes
    )

    status = await post_with_token(authenticated_bot_url, activity, token)

    assert status == 401
    assert connector.received == []


def channel_claims(connector, **changes: object) -> dict[str, object]:
    return {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": connector.url,
        **changes,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "00000000-0000-0000-0000-0000000000aa"},  # another bot's
        {"iss": "https://api.botframework.example"},  # no issuer the bot trusts
        {"exp": 1_700_000_000, "nbf": 1_699_999_000, "iat": 1_699_999_000},  # expired in 2023
    ],
    ids=["another-audience", "unknown-issuer", "expired"],
)
async def test_a_channel_token_not_for_this_bot_or_no_longer_valid_gets_401(
    tokens, authenticated_bot_url, connector, changes
):
    activity = Chat(authenticated_bot_url, connector).activity(text="hei")
    token = tokens.sign(channel_claims(connector, **changes))

    status = await post_with_token(authenticated_bot_url, activity, token)

    assert status == 401
    assert connector.received == []


async def test_a_token_signed_with_a_key_microsoft_did_not_publish_gets_401(
    tokens, authenticated_bot_url, connector
):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    activity = Chat(authenticated_bot_url, connector).activity(text="hei")
    claims = {**channel_claims(connector), "exp": 4_000_000_000, "nbf": 1_700_000_000}
    token = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": "channel"})

    status = await post_with_token(authenticated_bot_url, activity, token)

    assert status == 401
    assert connector.received == []


async def test_an_authorization_that_is_not_a_bearer_token_gets_401(
    authenticated_bot_url, connector
):
    activity = Chat(authenticated_bot_url, connector).activity(text="hei")

    status, _ = await post_raw(
        authenticated_bot_url, json.dumps(activity).encode(), Authorization="Basic dXNlcjpwYXNz"
    )

    assert status == 401
    assert connector.received == []
