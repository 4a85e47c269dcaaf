"""Outgoing Bot Connector calls through one pooled aiohttp session with keep-alive.

Stock botbuilder 4.17 builds a new ConnectorClient for every turn: a new msrest Configuration
(whose ClientRetryPolicy costs milliseconds to construct), and a `requests` session run in a
thread pool, on a new TCP connection, for every reply. That is most of why a stock echo bot
manages about 50 turns a second. The SDK is archived, so we carry the fix here, in one place:

- one ConnectorClient per (app id, service URL, audience), kept and reused;
- its msrest pipeline sends through one shared aiohttp ClientSession (pooled connections,
  keep-alive) on the event loop instead of `requests` in threads;
- the bearer token comes from the same credentials object the SDK made (msal caches it), and
  is fetched in a thread, since msal is synchronous;
- the user-token client (OAuth sign-in, which this bot does not use) is made once per app id;
- a card (a plain JSON tree of dicts and lists) is not walked node by node by msrest's
  generic object serializer, which cost more than half of every reply's CPU time.

Retries stay where they were decided: bot/proactive.py for what we send unasked; a reply within
a turn is not retried (Teams redelivers the turn instead).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from msrest.pipeline import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline, Request, Response
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.aiohttp import AioHttpClientResponse

log = logging.getLogger(__name__)

# Teams answers within seconds or not at all; a hung connection must not hold a turn for ever.
TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)


class ConnectionPool:
    """One aiohttp session for every Bot Connector call of this process."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self.clients: dict[tuple[str, str, str], ConnectorClient] = {}
        self.user_token_clients: dict[str, UserTokenClient] = {}

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # Made on first use, inside the running event loop.
            self._session = aiohttp.ClientSession(
                timeout=TIMEOUT,
                connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=60),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self.clients.clear()


class _PooledSender(AsyncHTTPSender):
    """The end of the msrest pipeline: the request goes out on the shared session."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    async def __aenter__(self) -> _PooledSender:
        return self

    async def __aexit__(self, *exc_details: Any) -> None:
        return None

    def build_context(self) -> Any:
        return None

    async def send(self, request: Request, **config: Any) -> Response:
        http: ClientRequest = request.http_request
        result = await self._pool.session().request(
            http.method, http.url, headers=dict(http.headers), data=http.data
        )
        response = AioHttpClientResponse(http, result)
        await response.load_body()
        return Response(request, response)


class _Bearer(AsyncHTTPPolicy):
    """The Authorization header from the SDK's own credentials (none in local mode)."""

    def __init__(self, credentials: Any) -> None:
        super().__init__()
        self._credentials = credentials

    async def send(self, request: Request, **kwargs: Any) -> Response:
        credentials = self._credentials
        app_id = getattr(credentials, "microsoft_app_id", None)
        if credentials is not None and app_id and credentials._should_set_token(None):
            token = await asyncio.to_thread(credentials.get_access_token)
            request.http_request.headers["Authorization"] = f"Bearer {token}"
        return await self.next.send(request, **kwargs)  # type: ignore[union-attr]


_JSON_SCALARS = (str, int, float, bool, type(None))


def is_plain_json(value: Any) -> bool:
    """Only dicts with string keys, lists, strings, numbers, booleans and None."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str:
                    return False
                if type(child) in (dict, list):
                    stack.append(child)
                elif not isinstance(child, _JSON_SCALARS):
                    return False
        elif kind is list:
            stack.extend(item)
        elif not isinstance(item, _JSON_SCALARS):
            return False
    return True


def _fast_objects(serializer: Any) -> None:
    """msrest serializes an 'object' attribute (an attachment's content: our cards) by visiting
    every node with a dispatch per type; a plain JSON tree goes out as it is, which is what
    that walk would have produced. Anything else (a model, a date) takes msrest's way."""
    generic = serializer.serialize_object

    def serialize_object(attr: Any, **kwargs: Any) -> Any:
        if type(attr) in (dict, list) and is_plain_json(attr):
            return attr
        return generic(attr, **kwargs)

    # msrest looks the method up in a table made when the serializer was built.
    serializer.serialize_object = serialize_object
    serializer.serialize_type["object"] = serialize_object


def _pooled(client: ConnectorClient, pool: ConnectionPool) -> ConnectorClient:
    _fast_objects(client._serialize)
    config = client.config
    config.pipeline = AsyncPipeline(
        [
            config.user_agent_policy,
            _Bearer(config.credentials),
            RawDeserializer(),
            config.http_logger_policy,
        ],
        _PooledSender(pool),
    )
    return client


class _PooledFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, pool: ConnectionPool) -> None:
        self._inner = inner
        self._pool = pool

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (str(getattr(self._inner, "_app_id", "") or ""), service_url, audience or "")
        client = self._pool.clients.get(key)
        if client is None:
            client = _pooled(await self._inner.create(service_url, audience), self._pool)
            # Service URLs are few (one per Teams region); a bound keeps a forged flood small.
            if len(self._pool.clients) >= 256:
                self._pool.clients.clear()
            self._pool.clients[key] = client
        return client


class PooledBotFrameworkAuthentication(ConfigurationBotFrameworkAuthentication):
    """The SDK's authentication, whose connector factories hand out pooled, kept clients."""

    def __init__(self, configuration: Any, pool: ConnectionPool) -> None:
        super().__init__(configuration)
        self.pool = pool

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await super().authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _PooledFactory(result.connector_factory, self.pool)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _PooledFactory(super().create_connector_factory(claims_identity), self.pool)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = str(claims_identity.claims.get("appid") or claims_identity.claims.get("azp") or "")
        client = self.pool.user_token_clients.get(app_id)
        if client is None:
            client = await super().create_user_token_client(claims_identity)
            self.pool.user_token_clients[app_id] = client
        return client
