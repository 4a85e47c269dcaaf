"""The team channel as the end-to-end tests see it: the bot added to a Teams team, members who
press the buttons on a case's card (Action.Execute invokes through /api/messages), and what
the bot posted in the channel."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import aiohttp
from sqlalchemy import update

from storage.models import Membership, Team
from tests.conftest import add_municipality
from tests.support import TENANT, Chat, FakeConnector, cards_in, fixture

TEAMS_TEAM_ID = "19:moss-tryggest-team@thread.tacv2"
CHANNEL_ID = "19:moss-tryggest-saker@thread.tacv2"
BOT_ID = "28:tryggest-bot"
COORDINATOR = "moss-coordinator"
MEMBER = "moss-member"
OTHER_MEMBER = "moss-member-2"
REPORTER = "moss-reporter"
STRANGER = "someone-else"


async def moss_with_channel(sessions: Any) -> tuple[str, str]:
    """Moss with its operational team in a Teams team and channel: a coordinator and two
    members. Returns (municipality id, team id)."""
    municipality_id, team_id = await add_municipality(sessions, "Moss")
    async with sessions() as session, session.begin():
        await session.execute(
            update(Team)
            .where(Team.id == team_id)
            .values(teams_team_id=TEAMS_TEAM_ID, channel_id=CHANNEL_ID)
        )
        for aad, role, name in (
            (COORDINATOR, "coordinator", "Lars Koordinator"),
            (MEMBER, "member", "Marte Medlem"),
            (OTHER_MEMBER, "member", "Ole Medlem"),
        ):
            session.add(
                Membership(
                    team_id=team_id,
                    tenant_id=TENANT,
                    aad_object_id=aad,
                    role=role,
                    display_name=name,
                )
            )
    return municipality_id, team_id


class Channel:
    """People in the team channel, speaking through /api/messages."""

    _ids = itertools.count(1)

    def __init__(self, bot_url: str, connector: FakeConnector) -> None:
        self.bot_url = bot_url
        self.connector = connector

    async def add_bot(self) -> int:
        """Teams tells the bot it was added to the team (a real conversationUpdate)."""
        activity = copy.deepcopy(fixture("04_conversationupdate_bot_added_to_team.json"))
        activity["id"] = f"added-{next(self._ids)}"
        activity["serviceUrl"] = self.connector.url
        activity["membersAdded"] = [{"id": BOT_ID}]
        activity["recipient"]["id"] = BOT_ID
        activity["conversation"]["id"] = TEAMS_TEAM_ID
        activity["conversation"]["tenantId"] = TENANT
        activity["channelData"]["team"]["id"] = TEAMS_TEAM_ID
        activity["channelData"]["tenant"]["id"] = TENANT
        status, _ = await self._post(activity)
        return status

    def posts(self) -> list[dict[str, Any]]:
        """New threads the bot started in the channel."""
        return [a for a in self.connector.received if a.get("_method") == "CREATE"]

    def updates(self, thread: str) -> list[dict[str, Any]]:
        return [
            a
            for a in self.connector.received
            if a.get("_method") == "PUT" and a.get("_conversation") == thread
        ]

    def everything_in_channel(self) -> list[dict[str, Any]]:
        """Every activity the bot sent to a channel conversation (posts, updates, replies)."""
        return [
            a
            for a in self.connector.received
            if str(a.get("_conversation") or "").startswith(CHANNEL_ID)
        ]

    async def press(
        self, who: str, card: dict[str, Any], command: str, **inputs: Any
    ) -> tuple[int, dict[str, Any]]:
        """`who` presses the Action.Execute `command` on the card, with the inputs filled in
        (Teams merges them into the action's data). Returns the HTTP status and Teams' answer."""
        action = find_execute(card, command)
        return await self.invoke(who, {**action["data"], **inputs}, verb=action["verb"])

    async def invoke(
        self,
        who: str,
        data: dict[str, Any],
        verb: str = "tryggest.x",
        activity_id: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        activity = copy.deepcopy(fixture("03_invoke_adaptivecard_action_execute_personal.json"))
        activity["id"] = activity_id or f"press-{next(self._ids)}"
        activity["serviceUrl"] = self.connector.url
        activity["from"] = {"id": f"29:{who}", "aadObjectId": who, "name": who}
        activity["recipient"]["id"] = BOT_ID
        activity["conversation"] = {
            "id": f"{CHANNEL_ID};messageid=1700000000001",
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT,
        }
        activity["channelData"] = {
            "tenant": {"id": TENANT},
            "team": {"id": TEAMS_TEAM_ID},
            "channel": {"id": CHANNEL_ID},
        }
        activity["locale"] = "nb-NO"
        activity["value"] = {
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": "manual",
        }
        return await self._post(activity)

    async def _post(self, activity: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        async with aiohttp.ClientSession() as session:
            async with session.post(self.bot_url + "/api/messages", json=activity) as response:
                raw = await response.read()
                return response.status, (json.loads(raw) if raw else {})


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card of a post (its first attachment, or the create-conversation's)."""
    if "activity" in activity:  # POST /v3/conversations carries the first message inside
        activity = activity["activity"]
    cards = cards_in(activity)
    assert cards, f"no card in {json.dumps(activity)[:500]}"
    return cards[0]


def answered_card(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("type") == "application/vnd.microsoft.card.adaptive", body
    card: dict[str, Any] = body["value"]
    return card


def answered_message(body: dict[str, Any]) -> str:
    assert body.get("type") == "application/vnd.microsoft.activity.message", body
    return str(body["value"])


def find_execute(card: dict[str, Any], command: str) -> dict[str, Any]:
    """The Action.Execute for `command` anywhere in the card (inside a ShowCard too)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if (
                node.get("type") == "Action.Execute"
                and isinstance(data, dict)
                and data.get("command") == command
            ):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    if not found:
        raise AssertionError(f"no Action.Execute {command!r} on the card")
    return found[0]


def has_execute(card: dict[str, Any], command: str) -> bool:
    try:
        find_execute(card, command)
    except AssertionError:
        return False
    return True


def member_chat(bot_url: str, connector: FakeConnector, who: str) -> Chat:
    return Chat(bot_url, connector, aad_object_id=who)
