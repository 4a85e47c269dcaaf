"""bot/auth_cache.py: incoming tokens are checked against keys fetched once, not once per request.

The OpenID metadata endpoint (login.botframework.com in production) is the one thing outside the
machine: a small aiohttp server on 127.0.0.1 stands in for it and counts what is asked of it.
Tokens go through our real PooledBotFrameworkAuthentication and the SDK's validation, configured
with that endpoint's URL (TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL). Time is a clock the test
moves on.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from botframework.connector.auth import AuthenticationConstants, JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot import auth_cache
from bot.config import BotFrameworkConfig
from bot.connector_pool import ConnectionPool, PooledBotFrameworkAuthentication

APP_ID = "00000000-0000-0000-0000-00000000b07"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER


@dataclass
class Key:
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**public, "use": "sig", "kid": self.kid, "endorsements": ["msteams"]}

    def sign(self, kid: str | None = None, expires_in: int = 3600) -> str:
        now = int(time.time())
        claims = {
            "serviceurl": SERVICE_URL,
            "nbf": now - 300,
            "exp": now + expires_in,
            "iss": ISSUER,
            "aud": APP_ID,
        }
        return "Bearer " + jwt.encode(
            claims, self.private, algorithm="RS256", headers={"kid": kid or self.kid}
        )


class Endpoint:
    """The OpenID configuration and its keys, counting the requests."""

    def __init__(self, keys: list[Key]) -> None:
        self.keys = keys
        self.hits: Counter[str] = Counter()
        self.status = 200
        self.url = ""

    async def metadata(self, request: web.Request) -> web.Response:
        self.hits["metadata"] += 1
        if self.status != 200:
            return web.Response(status=self.status)
        jwks_uri = str(request.url.with_path("/keys"))
        return web.json_response({"issuer": ISSUER, "jwks_uri": jwks_uri})

    async def jwks(self, request: web.Request) -> web.Response:
        self.hits["keys"] += 1
        if self.status != 200:
            return web.Response(status=self.status)
        return web.json_response({"keys": [key.jwk() for key in self.keys]})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def key() -> Key:
    return Key()


@pytest.fixture
def clock() -> Iterator[Clock]:
    moved = Clock()
    auth_cache.install(clock=moved)
    yield moved
    auth_cache.uninstall()


@pytest.fixture
async def endpoint(key: Key) -> AsyncIterator[Endpoint]:
    served = Endpoint([key])
    app = web.Application()
    app.router.add_get("/v1/.well-known/openidconfiguration", served.metadata)
    app.router.add_get("/keys", served.jwks)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    served.url = str(server.make_url("/v1/.well-known/openidconfiguration"))
    yield served
    await server.close()
    JwtTokenExtractor.metadataCache.pop(served.url, None)


@pytest.fixture
def authenticate(endpoint: Endpoint, clock: Clock):
    config = BotFrameworkConfig(
        APP_ID=APP_ID,
        APP_PASSWORD="not-a-real-secret",
        APP_TYPE="MultiTenant",
        APP_TENANTID="",
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=endpoint.url,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=ISSUER,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
    )
    auth = PooledBotFrameworkAuthentication(config, ConnectionPool())
    activity = Activity(
        type="message",
        id="1",
        channel_id="msteams",
        service_url=SERVICE_URL,
        from_property=ChannelAccount(id="29:someone"),
        recipient=ChannelAccount(id=f"28:{APP_ID}"),
        conversation=ConversationAccount(id="a:conversation"),
    )

    async def accepted(header: str) -> bool:
        try:
            result = await auth.authenticate_request(activity, header)
        except Exception:
            return False
        return result.claims_identity.get_claim_value("aud") == APP_ID

    return accepted


async def settle(endpoint: Endpoint) -> None:
    """Let a refresh begun beside a request finish."""
    running = JwtTokenExtractor.metadataCache[endpoint.url]._refreshing
    if running is not None:
        await running


async def test_the_keys_are_fetched_once_for_many_tokens(authenticate, endpoint, key):
    for _ in range(20):
        assert await authenticate(key.sign())

    assert endpoint.hits == {"metadata": 1, "keys": 1}


async def test_a_forged_or_expired_token_is_refused(authenticate, endpoint, key):
    forger = Key(kid=key.kid)

    assert not await authenticate(forger.sign())
    assert not await authenticate(key.sign(expires_in=-600))
    assert await authenticate(key.sign())
    assert endpoint.hits == {"metadata": 1, "keys": 1}


async def test_unknown_key_ids_fetch_the_keys_again_at_most_once_in_five_minutes(
    authenticate, endpoint, key, clock
):
    assert await authenticate(key.sign())
    clock.now += 301

    for _ in range(50):
        assert not await authenticate(key.sign(kid=uuid.uuid4().hex))
    assert endpoint.hits == {"metadata": 2, "keys": 2}

    clock.now += 301
    assert not await authenticate(key.sign(kid=uuid.uuid4().hex))
    assert endpoint.hits == {"metadata": 3, "keys": 3}


async def test_a_key_published_after_the_last_fetch_is_taken_on_first_sight(
    authenticate, endpoint, key, clock
):
    assert await authenticate(key.sign())
    rotated = Key()
    endpoint.keys.append(rotated)
    clock.now += 600

    assert await authenticate(rotated.sign())
    assert await authenticate(rotated.sign())
    assert endpoint.hits == {"metadata": 2, "keys": 2}


async def test_day_old_keys_are_refreshed_beside_the_requests(authenticate, endpoint, key, clock):
    assert await authenticate(key.sign())
    clock.now += 24 * 3600 + 1
    successor = Key()
    endpoint.keys = [successor]

    # The request that finds the keys a day old is served with them; the new ones follow.
    assert await authenticate(key.sign())
    await settle(endpoint)
    assert await authenticate(successor.sign())
    assert endpoint.hits == {"metadata": 2, "keys": 2}


async def test_an_endpoint_outage_at_refresh_time_keeps_the_keys_held(
    authenticate, endpoint, key, clock
):
    assert await authenticate(key.sign())
    clock.now += 24 * 3600 + 1
    endpoint.status = 503

    for _ in range(20):
        assert await authenticate(key.sign())
        await settle(endpoint)
    # One attempt, not one per request; the next after a pause.
    assert endpoint.hits == {"metadata": 2, "keys": 1}

    clock.now += 31
    endpoint.status = 200
    assert await authenticate(key.sign())
    await settle(endpoint)
    assert endpoint.hits == {"metadata": 3, "keys": 2}


async def test_without_keys_and_with_the_endpoint_down_requests_are_refused_not_retried_each(
    authenticate, endpoint, key, clock
):
    endpoint.status = 503

    for _ in range(10):
        assert not await authenticate(key.sign())
    assert endpoint.hits == {"metadata": 1}

    clock.now += 31
    endpoint.status = 200
    assert await authenticate(key.sign())


def test_only_usable_rsa_keys_with_a_key_id_are_kept(key):
    jwks = [
        key.jwk(),
        {**key.jwk(), "kid": ""},
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
    ]

    keys = auth_cache.parse_keys(jwks)

    assert list(keys) == [key.kid]
    assert keys[key.kid].endorsements == ["msteams"]


def test_install_and_uninstall_swap_the_sdks_metadata_objects():
    url = "http://127.0.0.1:9/never-fetched"
    auth_cache.install()
    try:
        installed = JwtTokenExtractor.get_open_id_metadata(url)
        assert isinstance(installed, auth_cache.SigningKeys)
        assert JwtTokenExtractor.get_open_id_metadata(url) is installed
    finally:
        auth_cache.uninstall()
    try:
        assert not isinstance(JwtTokenExtractor.get_open_id_metadata(url), auth_cache.SigningKeys)
    finally:
        JwtTokenExtractor.metadataCache.pop(url, None)
