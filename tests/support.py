"""What the end-to-end tests stand in for, and how they talk to the bot.

Only what lies outside this machine is stood in for: the Bot Connector (Teams' side, which
receives the bot's replies) is a small aiohttp server here. The bot itself is the real
application on a real port, reached over HTTP at /api/messages.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

# Real Teams payloads (copied from shared/fixtures/teams so a fresh clone tests on its own).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "teams"

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-8888-7777-6666-555555555555"
REPORTER_AAD = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class FakeConnector:
    """Receives what the bot sends to Teams and answers as the Bot Connector does."""

    received: list[dict[str, Any]] = field(default_factory=list)
    # The Authorization header of each request that wrote (None where there was none).
    authorizations: list[str | None] = field(default_factory=list)
    server: TestServer | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # The Teams team's members by their '29:' id, as Teams returns them ({"id", "name",
    # "aadObjectId"}). While empty, any member looked up is "Testbruker" (the reporter).
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Members per page of GET …/pagedmembers, and each page asked for (its query).
    page_size: int = 100
    roster_requests: list[dict[str, str]] = field(default_factory=list)
    # Conversations whose sends are refused, with the status and error code Teams answers
    # (403 "MessageWritesBlocked": the person blocked the bot); and the sends refused so.
    refuse: dict[str, tuple[int, str]] = field(default_factory=dict)
    refused: list[dict[str, Any]] = field(default_factory=list)
    # Answers for the next requests that write (send, reply, update, create), one consumed per
    # request whatever its conversation: 429 with Retry-After twice, then the usual answer.
    fail_next: list[Failure] = field(default_factory=list)
    # The requests so answered, recorded as in `received`, with "_status" added.
    failed: list[dict[str, Any]] = field(default_factory=list)
    # Run on each message received, before the bot hears back: a person who answers a reply the
    # moment it shows, while the bot's turn has not finished.
    on_message: Callable[[dict[str, Any]], Awaitable[None]] | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._send)
        # A new conversation; in Teams with channelData.channel: a new thread in that channel.
        app.router.add_post("/v3/conversations", self._create)
        # TeamsActivityHandler looks up each added member before on_members_added runs.
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        # The Bot Connector's paths are not case-sensitive; SDKs have written this one either way.
        for paged in ("pagedmembers", "pagedMembers"):
            app.router.add_get(f"/v3/conversations/{{conversation}}/{paged}", self._paged_members)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server:
            await self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/"))

    def add_person(self, teams_id: str, aad_object_id: str, name: str) -> None:
        self.people[teams_id] = {"id": teams_id, "name": name, "aadObjectId": aad_object_id}

    async def _member(self, request: web.Request) -> web.Response:
        member = request.match_info["member"]
        if member in self.people:
            return web.json_response(self.people[member])
        if self.people:
            # What the Bot Connector answers for someone not (or no longer) in the team.
            error = {"code": "MemberNotFoundInConversation", "message": "member not found"}
            return web.json_response({"error": error}, status=404)
        return web.json_response({"id": member, "name": "Testbruker", "aadObjectId": REPORTER_AAD})

    async def _paged_members(self, request: web.Request) -> web.Response:
        """The team's roster a page at a time; the continuation token is the next offset."""
        # An empty continuation token is none: the first page.
        query = {k: v for k, v in request.query.items() if v != ""}
        self.roster_requests.append({"conversation": request.match_info["conversation"], **query})
        start = int(request.query.get("continuationToken") or 0)
        members = list(self.people.values())
        page: dict[str, Any] = {"members": members[start : start + self.page_size]}
        if start + self.page_size < len(members):
            page["continuationToken"] = str(start + self.page_size)
        return web.json_response(page)

    async def _send(self, request: web.Request) -> web.Response:
        self.authorizations.append(request.headers.get("Authorization"))
        body = await request.json()
        body["_conversation"] = request.match_info["conversation"]
        body["_method"] = request.method
        refusal = await self._refusal(body, request)
        if refusal is not None:
            return refusal
        # The id Teams gives the message (what a later update names), kept as "_given_id".
        body["_given_id"] = f"reply-{next(self._ids)}"
        self.received.append(body)
        if self.on_message is not None and request.method == "POST":
            await self.on_message(body)
        return web.json_response({"id": body["_given_id"]})

    async def _create(self, request: web.Request) -> web.Response:
        """POST /v3/conversations as Teams answers it for a channel: the new thread's id is the
        channel's with the first message's id after ';messageid='."""
        self.authorizations.append(request.headers.get("Authorization"))
        body = await request.json()
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        body["_conversation"] = channel
        body["_method"] = "CREATE"
        refusal = await self._refusal(body, request)
        if refusal is not None:
            return refusal
        self.received.append(body)
        # Teams' message ids are the message's time in milliseconds.
        activity_id = str(1_700_000_000_000 + next(self._ids))
        return web.json_response(
            {"id": f"{channel};messageid={activity_id}", "activityId": activity_id}, status=201
        )

    async def _refusal(self, body: dict[str, Any], request: web.Request) -> web.Response | None:
        failure = next(
            (
                f
                for f in self.fail_next
                if f.method in (None, body["_method"])
                and f.conversation in (None, body["_conversation"])
            ),
            None,
        )
        if failure is not None:
            self.fail_next.remove(failure)
            self.failed.append({**body, "_status": failure.status})
            if failure.status == RESET:
                # The connection dropped before any answer, as a reset one is.
                assert request.transport is not None
                request.transport.abort()
            if failure.status == HANG:
                # The answer comes, but only after the bot has stopped waiting for it.
                await asyncio.sleep(HANG_SECONDS)
            return failure.response()
        if body["_conversation"] in self.refuse:
            status, code = self.refuse[body["_conversation"]]
            self.refused.append(body)
            return Failure(status, code=code).response()
        return None


# A Failure's status that answers nothing: the connection is reset instead.
RESET = 0
# A Failure's status that answers 503 only after HANG_SECONDS: past a bot's timeout in tests.
HANG = -1
HANG_SECONDS = 3.0


@dataclass(frozen=True)
class Failure:
    """An error the fake Bot Connector answers with, shaped as Teams' (an ErrorResponse); with
    status RESET, no answer at all."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    code: str = "ServiceError"
    # Only requests of this method ("POST" a new message, "PUT" an update) meet it.
    method: str | None = None
    # Only requests to this conversation (or, creating a thread, this channel) meet it.
    conversation: str | None = None

    def response(self) -> web.Response:
        error = {"code": self.code, "message": "refused by the fake connector"}
        status = 503 if self.status in (RESET, HANG) else self.status
        return web.json_response({"error": error}, status=status, headers=self.headers)


def cards_in(activity: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        a["content"]
        for a in activity.get("attachments") or []
        if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]


def nodes(tree: Any) -> Iterator[dict[str, Any]]:
    """Every object in a card's (or an activity's) JSON, depth first."""
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from nodes(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from nodes(item)


def all_text(activity: dict[str, Any]) -> str:
    """Everything a person would read in a reply: its text and every text in its cards."""
    parts = [activity.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "placeholder"):
                if isinstance(node.get(key), str):
                    parts.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for card in cards_in(activity):
        walk(card)
    # Non-breaking spaces (in phone numbers) read as spaces; Markdown escapes (\\[) and the
    # invisible word joiners cards/markup.py puts in typed text are not seen.
    shown = "\n".join(parts).replace("\u00a0", " ").replace("\u2060", "")
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", shown)


def find_action(activity: dict[str, Any], **data: Any) -> dict[str, Any]:
    """The data of the first Action.Submit in the reply's cards whose data has these values.

    Without command=…, only answer buttons count (not "Tilbake"/"Avbryt", which carry a step too).
    """
    data.setdefault("command", None)
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and isinstance(node.get("data"), dict):
                if all(node["data"].get(k) == v for k, v in data.items()):
                    found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for card in cards_in(activity):
        walk(card)
    if not found:
        raise AssertionError(f"no action with {data} in {json.dumps(activity)[:2000]}")
    return found[0]


class Chat:
    """A person in a Teams personal chat with the bot, speaking through /api/messages."""

    _activity_ids = itertools.count(1)

    def __init__(
        self,
        bot_url: str,
        connector: FakeConnector,
        tenant: str = TENANT,
        aad_object_id: str = REPORTER_AAD,
        locale: str = "nb-NO",
        conversation_id: str | None = None,
    ) -> None:
        self.bot_url = bot_url
        self.connector = connector
        self.tenant = tenant
        self.aad_object_id = aad_object_id
        self.locale = locale
        self.conversation_id = conversation_id or f"a:personal-{aad_object_id}-{tenant}"
        self.last_status: int | None = None

    def activity(self, **overrides: Any) -> dict[str, Any]:
        """A personal-chat message shaped like the real one in the fixtures."""
        activity = copy.deepcopy(fixture("01_message_personal.json"))
        activity.pop("attachments", None)
        activity["id"] = f"act-{next(self._activity_ids)}"
        activity["serviceUrl"] = self.connector.url
        activity["from"]["aadObjectId"] = self.aad_object_id
        activity["conversation"]["id"] = self.conversation_id
        activity["channelData"]["tenant"]["id"] = self.tenant
        activity["locale"] = self.locale
        for entity in activity.get("entities", []):
            if entity.get("type") == "clientInfo":
                entity["locale"] = self.locale
        activity.update(overrides)
        return activity

    async def post(self, activity: dict[str, Any]) -> list[dict[str, Any]]:
        """Send one activity; return the replies the bot sent to Teams during that turn."""
        before = len(self.connector.received)
        async with aiohttp.ClientSession() as session:
            async with session.post(self.bot_url + "/api/messages", json=activity) as response:
                self.last_status = response.status
                await response.read()
        return self.connector.received[before:]

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.post(self.activity(text=text))

    async def tap(self, data: dict[str, Any], **inputs: Any) -> list[dict[str, Any]]:
        """Press an Action.Submit: Teams sends a message whose value is the data and the inputs."""
        activity = self.activity(value={**data, **inputs})
        activity.pop("text", None)
        return await self.post(activity)


async def refuse_writes(engine: Any, table: str, operation: str) -> None:
    """A real failure inside the database, as a full disk would give, not a mock of our code:
    every `operation` (INSERT, UPDATE) on `table` fails until `allow_writes`."""
    from sqlalchemy import text

    async with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            await conn.execute(
                text(
                    f"CREATE TRIGGER refuse_{table} BEFORE {operation} ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            )
        else:
            await conn.execute(
                text(
                    f"CREATE FUNCTION refuse_{table}() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql"
                )
            )
            await conn.execute(
                text(
                    f"CREATE TRIGGER refuse_{table} BEFORE {operation} ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION refuse_{table}()"
                )
            )


async def allow_writes(engine: Any, table: str) -> None:
    from sqlalchemy import text

    async with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            await conn.execute(text(f"DROP TRIGGER refuse_{table}"))
        else:
            await conn.execute(text(f"DROP TRIGGER refuse_{table} ON {table}"))
            await conn.execute(text(f"DROP FUNCTION refuse_{table}()"))
