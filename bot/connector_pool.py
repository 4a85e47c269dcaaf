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
  generic object serializer, which cost more than half of every reply's CPU time;
- an outgoing activity is turned into JSON by one walk over its models' attribute maps, not by
  msrest's `Serializer.body`, which first re-deserializes the whole model in place, validates
  it, and then serializes it through a generic dispatch per attribute (a tenth of a turn);
- a reply, a send and a card update go out as one JSON request on the pooled session rather
  than through msrest's policy pipeline (half a millisecond of CPU each, measured); what comes
  back is read as msrest would, and a refusal raises msrest's own ErrorResponseException.

Retries stay where they were decided: bot/proactive.py for what we send unasked; a reply within
a turn is not retried (Teams redelivers the turn instead).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector import models
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from botframework.connector.auth import (
    AuthenticateRequestResult,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from msrest.pipeline import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline, Request, Response
from msrest.pipeline.universal import RawDeserializer
from msrest.serialization import Model, Serializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.aiohttp import AioHttpClientResponse

from bot import auth_cache

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
            # No cookie jar: the Bot Connector is a token-authenticated API whose cookies (a
            # load balancer's affinity at most) mean nothing to us, and a jar's bookkeeping is a
            # third of a request's CPU here (bench/turns.py's profile).
            self._session = aiohttp.ClientSession(
                timeout=TIMEOUT,
                connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=60),
                cookie_jar=aiohttp.DummyCookieJar(),
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

    async def token(self) -> str | None:
        credentials = self._credentials
        app_id = getattr(credentials, "microsoft_app_id", None)
        if credentials is not None and app_id and credentials._should_set_token(None):
            return str(await asyncio.to_thread(credentials.get_access_token))
        return None

    async def send(self, request: Request, **kwargs: Any) -> Response:
        token = await self.token()
        if token:
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


class _NotAsBuilt(Exception):
    """A value msrest would first have converted (a dict where a model belongs): msrest's way."""


def model_json(model: Model, serialize_object: Any) -> dict[str, Any]:
    """What msrest's Serializer.body(model, type) gives for a model built from botbuilder's schema
    types: attributes in map order, None left out, strings by str(), nested models by their own
    map. Raises _NotAsBuilt where msrest would have converted or refused the value."""
    out: dict[str, Any] = {}
    for attr, desc in type(model)._attribute_map.items():
        value = getattr(model, attr, None)
        if value is not None:
            out[desc["key"]] = _json_value(value, desc["type"], serialize_object)
    return out


def _json_value(value: Any, kind: str, serialize_object: Any) -> Any:
    if kind == "str":
        # msrest takes an enum's (or anything's) .value, else str(): the same here.
        return getattr(value, "value", None) if hasattr(value, "value") else str(value)
    if kind == "object":
        return serialize_object(value)
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "iso-8601":
        return Serializer.serialize_iso(value)
    if kind[0] == "[" and kind[-1] == "]":
        if isinstance(value, str | dict):
            raise _NotAsBuilt
        inner = kind[1:-1]
        return [None if v is None else _json_value(v, inner, serialize_object) for v in value]
    if kind[0] == "{" and kind[-1] == "}":
        if not isinstance(value, dict):
            raise _NotAsBuilt
        inner = kind[1:-1]
        return {
            str(k): None if v is None else _json_value(v, inner, serialize_object)
            for k, v in value.items()
        }
    if isinstance(value, Model):
        return model_json(value, serialize_object)
    raise _NotAsBuilt


def _fast_bodies(serializer: Any) -> None:
    """Serializer.body through model_json for a model whose values are what its map says (every
    activity the bot builds); anything else, msrest's way. The schema's models declare no
    validation rules, so msrest's validation pass has nothing to find in them."""
    generic = serializer.body

    def body(data: Any, data_type: str, **kwargs: Any) -> Any:
        if isinstance(data, Model) and not kwargs and not type(data)._validation:
            try:
                return model_json(data, serializer.serialize_type["object"])
            except _NotAsBuilt:
                pass
        return generic(data, data_type, **kwargs)

    serializer.body = body


def _json_body(value: Any) -> bytes:
    """A request's JSON: orjson's (UTF-8, no spaces; a card is most of a reply, and the
    standard library's encoder was a twentieth of a turn), or the standard library's for what
    orjson will not take (a key that is not a string, an integer beyond 64 bits)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False).encode()


# A service URL whose joining with a path is plain concatenation: scheme, host, a path of
# ordinary segments, no query, fragment, braces or dot segments.
_PLAIN_BASE = re.compile(r"https?://[^/?#{}]+(/[\w\-~%+:@;=,]+)*/?")

_ACTIVITY_URL = "/v3/conversations/{conversationId}/activities/{activityId}"
_CONVERSATION_URL = "/v3/conversations/{conversationId}/activities"


class _DirectConversations(ConversationsOperations):
    """The three calls of every turn (reply, send, update) as one request each on the pooled
    session; the others, and any call with msrest's options, go msrest's way."""

    def __init__(self, client: ConnectorClient, pool: ConnectionPool) -> None:
        super().__init__(client._client, client.config, client._serialize, client._deserialize)
        self._pool = pool
        self._bearer = _Bearer(client.config.credentials)

    async def reply_to_activity(  # type: ignore[override]
        self, conversation_id: str, activity_id: str, activity: Any, **options: Any
    ) -> Any:
        if options:
            return await super().reply_to_activity(
                conversation_id, activity_id, activity, **options
            )
        # Only a reply names its conversation in a header too, as msrest sends it.
        return await self._send(
            "POST", _ACTIVITY_URL, conversation_id, activity_id, activity, named=True
        )

    async def send_to_conversation(  # type: ignore[override]
        self, conversation_id: str, activity: Any, **options: Any
    ) -> Any:
        if options:
            return await super().send_to_conversation(conversation_id, activity, **options)
        return await self._send("POST", _CONVERSATION_URL, conversation_id, None, activity)

    async def update_activity(  # type: ignore[override]
        self, conversation_id: str, activity_id: str, activity: Any, **options: Any
    ) -> Any:
        if options:
            return await super().update_activity(conversation_id, activity_id, activity, **options)
        return await self._send("PUT", _ACTIVITY_URL, conversation_id, activity_id, activity)

    async def _send(
        self,
        method: str,
        template: str,
        conversation_id: str,
        activity_id: str | None,
        activity: Any,
        named: bool = False,
    ) -> Any:
        path = {"conversationId": self._url_part("conversation_id", conversation_id)}
        if activity_id is not None:
            path["activityId"] = self._url_part("activity_id", activity_id)
        url = self._url(template, path)
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": self.config.user_agent,
        }
        if named:
            headers["x-ms-conversation-id"] = conversation_id
        token = await self._bearer.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = _json_body(self._serialize.body(activity, "Activity"))
        async with self._pool.session().request(
            method, url, headers=headers, data=body
        ) as response:
            if response.status not in (200, 201, 202):
                sent = ClientRequest(method, url, headers=headers, data=body)
                refused = AioHttpClientResponse(sent, response)
                await refused.load_body()
                raise models.ErrorResponseException(self._deserialize, refused)
            answer = await response.read()
        found = json.loads(answer) if answer.strip() else None
        if type(found) is dict and found.keys() <= {"id"} and type(found.get("id", "")) is str:
            # What Teams answers, {"id": "…"}: msrest's Deserializer would make the same, slowly.
            return models.ResourceResponse(id=found.get("id"))
        return self._deserialize("ResourceResponse", found)

    def _url(self, template: str, path: dict[str, str]) -> str:
        """msrest's ServiceClient.format_url (the service URL joined with the template) without
        its urlparse and urljoin, 3% of a turn. Ids are quoted, so no '/' is in them; the rare
        URL that joining would change ('.' or '..' as an id, a query in the service URL) goes
        msrest's way."""
        base = self.config.base_url
        if "." in path.values() or ".." in path.values() or not _PLAIN_BASE.fullmatch(base):
            return str(self._client.format_url(template, **path))
        return base.rstrip("/") + template.format(**path)

    def _url_part(self, name: str, value: str) -> str:
        """A value in the URL's path, as msrest's Serializer.url quotes it (every character but
        letters, digits and '_.-~'); anything but a string msrest's way, which checks it."""
        if type(value) is str:
            return quote(value, safe="")
        return str(self._serialize.url(name, value, "str"))


# msrest's way reads its URL from the method it was called as.
for _name in ("reply_to_activity", "send_to_conversation", "update_activity"):
    getattr(_DirectConversations, _name).metadata = getattr(ConversationsOperations, _name).metadata


def _pooled(client: ConnectorClient, pool: ConnectionPool) -> ConnectorClient:
    _fast_objects(client._serialize)
    _fast_bodies(client._serialize)
    client.conversations = _DirectConversations(client, pool)
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
        # Incoming tokens' signing keys: fetched off the event loop, kept through a failed
        # refresh, a new key id looked up (bot/auth_cache.py).
        auth_cache.install()

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
