"""The way to Teams: one Bot Connector client per service URL, kept for the life of the process,
for the replies of a turn (the SDK's CloudAdapter asks this factory for them) and for what the
bot sends unasked (bot/proactive.py).

The SDK's own factory makes a new client, so a new HTTP session and TCP connection, every turn;
these clients share one connection pool with keep-alive, and the adapter's `close()` at the end
of a turn leaves them open. In production each request carries the bot's token from Microsoft's
token service (msal, through the SDK's MsalAuth); in local mode none.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from typing import Any

import aiohttp
import orjson
from microsoft_agents.hosting.core import (
    AccessTokenProviderBase,
    ChannelServiceClientFactoryBase,
    ClaimsIdentity,
    TurnContext,
)
from microsoft_agents.hosting.core.connector.client import UserTokenClient
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient
from yarl import URL

log = logging.getLogger(__name__)

# Teams answers within seconds or not at all; a hung connection must not hold a turn for ever.
TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)
# The Bot Connector's token scope (what botbuilder asked msal for, too).
BOT_CONNECTOR_SCOPE = "https://api.botframework.com/.default"
# msal hands out a token only while it has five minutes or more left; kept here for less, it is
# never used stale, and msal's thread hop is made once in a while rather than every turn.
TOKEN_KEPT_SECONDS = 240.0
# Service URLs are few (one per Teams region); a bound keeps a flood of made-up ones small.
MOST_CLIENTS = 64


def teams_timeout(seconds: float) -> aiohttp.ClientTimeout:
    """A whole request to Teams within `seconds`, its connection within ten of them at most."""
    return aiohttp.ClientTimeout(total=seconds, connect=min(10.0, seconds))


class BadServiceUrl(ValueError):
    """An activity's serviceUrl that no client can be made for (not an absolute http(s) URL)."""


def service_url_problem(service_url: str) -> str | None:
    """Why no connector client can be made for `service_url`, or None."""
    try:
        url = URL(service_url)
    except (ValueError, TypeError):
        return "not a URL"
    if url.scheme not in ("http", "https") or not url.host:
        return "not an absolute http(s) URL"
    if url.query_string or url.fragment or url.user or url.password:
        return "a query, fragment or credentials in the service URL"
    return None


def _json(value: Any) -> str:
    """A request's JSON: orjson's (a card is most of a reply, and the standard library's encoder
    was a twentieth of a turn), or the standard library's for what orjson will not take."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False)


class KeptClient(TeamsConnectorClient):
    """A connector client the adapter "closes" after every turn: it stays open until the
    process stops (TeamsClients.close)."""

    async def close(self) -> None:
        return None

    async def dispose(self) -> None:
        await super().close()


class _NoUserTokens(UserTokenClient):
    """The adapter makes a user-token client every turn (OAuth sign-in, which this bot does not
    use): one, kept, that is never asked anything."""

    async def close(self) -> None:
        return None

    async def dispose(self) -> None:
        await super().close()


class BotTokens:
    """The bot's token for the Bot Connector, from the SDK's token provider, kept a while."""

    def __init__(self, provider: AccessTokenProviderBase) -> None:
        self._provider = provider
        self._token: str | None = None
        self._until = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if self._token is not None and time.monotonic() < self._until:
            return self._token
        async with self._lock:
            if self._token is None or time.monotonic() >= self._until:
                token = await self._provider.get_access_token(
                    "https://api.botframework.com", [BOT_CONNECTOR_SCOPE]
                )
                self._token, self._until = token, time.monotonic() + TOKEN_KEPT_SECONDS
        return self._token


class TeamsClients(ChannelServiceClientFactoryBase):
    """The SDK's client factory, handing out kept clients (see the module's docstring)."""

    def __init__(
        self,
        tokens: BotTokens | None = None,
        app_id: str | None = None,
        timeout: aiohttp.ClientTimeout = TIMEOUT,
    ) -> None:
        self._tokens = tokens
        self._app_id = app_id or None
        self._timeout = timeout
        self._connector: aiohttp.TCPConnector | None = None
        self._clients: OrderedDict[str, KeptClient] = OrderedDict()
        self._user_tokens: _NoUserTokens | None = None

    async def client(self, service_url: str) -> KeptClient:
        """The client for `service_url`, with a fresh token. Raises BadServiceUrl."""
        client = self._clients.get(service_url)
        if client is None:
            client = self._new_client(service_url)
        else:
            self._clients.move_to_end(service_url)
        if self._tokens is not None:
            bearer = f"Bearer {await self._tokens.token()}"
            if client.client.headers.get("Authorization") != bearer:
                client.client.headers["Authorization"] = bearer
        return client

    def _new_client(self, service_url: str) -> KeptClient:
        problem = service_url_problem(service_url)
        if problem is not None:
            raise BadServiceUrl(problem)
        if self._connector is None or self._connector.closed:
            # Made on first use, inside the running event loop.
            self._connector = aiohttp.TCPConnector(limit=100, keepalive_timeout=60)
        base = service_url if service_url.endswith("/") else service_url + "/"
        session = aiohttp.ClientSession(
            base_url=base,
            timeout=self._timeout,
            connector=self._connector,
            connector_owner=False,
            # The Bot Connector is a token-authenticated API: its cookies mean nothing to us.
            cookie_jar=aiohttp.DummyCookieJar(),
            json_serialize=_json,
        )
        client = KeptClient(base, "", session=session)
        if len(self._clients) >= MOST_CLIENTS:
            _, oldest = self._clients.popitem(last=False)
            # A request of a turn may still be on its way: closed once any would have ended.
            asyncio.get_running_loop().call_later(
                self._timeout.total or 30, lambda: asyncio.ensure_future(oldest.dispose())
            )
        self._clients[service_url] = client
        return client

    async def create_connector_client(
        self,
        context: TurnContext | None,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> KeptClient:
        return await self.client(service_url)

    async def create_user_token_client(
        self, context: TurnContext, claims_identity: ClaimsIdentity, use_anonymous: bool = False
    ) -> _NoUserTokens:
        if self._user_tokens is None:
            self._user_tokens = _NoUserTokens(
                "https://api.botframework.com", "", app_id=self._app_id
            )
        return self._user_tokens

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), OrderedDict()
        for client in clients:
            await client.dispose()
        if self._user_tokens is not None:
            await self._user_tokens.dispose()
            self._user_tokens = None
        if self._connector is not None:
            await self._connector.close()
            self._connector = None
