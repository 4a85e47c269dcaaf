"""The guard in the team channel, end to end through /api/messages (SQLite and PostgreSQL): a
channel message that names a person in one of the team's cases, or holds a fødselsnummer, gets
a reply in its thread asking to delete it, and the reply never repeats what was found.

Channel messages here are fixture 02 (a thread reply in Teams' own shape) without the bot's
@mention: with ChannelMessage.Read.Group Teams sends the bot every message in the channel.
"""

from __future__ import annotations

import copy
import itertools
import tomllib
from typing import Any

from storage.org_config import apply_config, parse_config
from tests.e2e.test_report_dialogue import NAME, answer_up_to_summary_with_consent, last
from tests.support import REPORTER_AAD, TENANT, Chat, FakeConnector, all_text, find_action, fixture
from tools.app_package import DEFAULT_SOURCE, build_manifests

# The Teams team and channel of fixture 02, tied to Moss's operational team.
TEAMS_TEAM_ID = "19:66P469zibfbsGI-_a0aN_toLTZpyzS6u7CT3TsXdgPw1@thread.tacv2"
CHANNEL_ID = "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
THREAD = CHANNEL_ID + ";messageid=1759881511856"
COLLEAGUE = "aad-marte"
COORDINATOR = "aad-lars"
FNR = "15108695088"

CONFIG = f"""
[[tenants]]
id = "{TENANT}"
name = "Moss kommune"

[[municipalities]]
tenant = "{TENANT}"
name = "Moss"
number = "3103"

[[teams]]
tenant = "{TENANT}"
kind = "operational"
name = "TryggEst-teamet i Moss"
phone = "69 24 00 00"
teams_team_id = "{TEAMS_TEAM_ID}"
channel_id = "{CHANNEL_ID}"
municipalities = ["Moss"]
people = [{{ object_id = "{COORDINATOR}", name = "Lars Haugen", role = "coordinator" }}]
"""

_ids = itertools.count(1)


async def moss_with_a_case(sessions: Any, bot_url: str, connector: FakeConnector) -> None:
    """Moss's team in the Teams team of fixture 02, and a report about Kari Nordmann."""
    await apply_config(sessions, parse_config(tomllib.loads(CONFIG)))
    chat = Chat(bot_url, connector, aad_object_id=REPORTER_AAD)
    summary = await answer_up_to_summary_with_consent(chat)
    receipt = await chat.tap(find_action(last(summary), command="send"))
    assert "TE-2026-0001" in all_text(last(receipt))


def channel_message(
    connector: FakeConnector,
    typed: str,
    teams_team_id: str = TEAMS_TEAM_ID,
    mention: bool = False,
    sender: str = COLLEAGUE,
) -> dict[str, Any]:
    """A colleague's message in a thread of the team's channel (fixture 02)."""
    activity = copy.deepcopy(fixture("02_message_channel_thread_reply_mention.json"))
    activity.pop("attachments", None)
    activity["id"] = f"guarded-{next(_ids)}"
    activity["serviceUrl"] = connector.url
    activity["locale"] = "nb-NO"
    activity["from"]["aadObjectId"] = sender
    activity["channelData"]["tenant"]["id"] = TENANT
    activity["channelData"]["team"]["id"] = teams_team_id
    activity["channelData"]["teamsTeamId"] = teams_team_id
    activity["conversation"]["tenantId"] = TENANT
    if mention:
        activity["text"] = f"<at>ridotest</at> {typed}"
    else:
        activity["entities"] = [e for e in activity["entities"] if e["type"] != "mention"]
        activity["text"] = typed
    return activity


async def replies_to(chat: Chat, activity: dict[str, Any]) -> list[dict[str, Any]]:
    """The bot's answers to this message (a case's own channel post may be sent meanwhile)."""
    sent = await chat.post(activity)
    assert chat.last_status is not None and chat.last_status < 300
    return [reply for reply in sent if reply.get("replyToId") == activity["id"]]


async def test_a_message_naming_the_person_of_a_case_is_answered_in_its_thread_without_the_name(
    bot_url, connector, sessions
):
    await moss_with_a_case(sessions, bot_url, connector)
    chat = Chat(bot_url, connector)

    [reply] = await replies_to(
        chat, channel_message(connector, f"Har noen snakket med {NAME} i dag?")
    )

    said = all_text(reply)
    assert "slett" in said.lower() and "saksnummeret" in said
    assert reply["_conversation"] == THREAD
    for part in (*NAME.split(), "TE-2026-0001"):
        assert part not in said


async def test_a_message_with_a_fodselsnummer_is_answered_without_the_number(
    bot_url, connector, sessions
):
    await moss_with_a_case(sessions, bot_url, connector)
    chat = Chat(bot_url, connector)

    [reply] = await replies_to(chat, channel_message(connector, f"Gjelder {FNR}, kan noen ta den?"))

    said = all_text(reply)
    assert "fødselsnummer" in said and "slett" in said.lower()
    assert FNR not in said and FNR[6:] not in said and FNR[:6] not in said


async def test_an_ordinary_message_with_a_case_number_gets_no_reply(bot_url, connector, sessions):
    await moss_with_a_case(sessions, bot_url, connector)
    chat = Chat(bot_url, connector)

    replies = await replies_to(
        chat, channel_message(connector, "Vi tar TE-2026-0001 på møtet i morgen")
    )

    assert replies == []


async def test_a_message_in_a_teams_team_the_bot_does_not_serve_gets_no_reply(
    bot_url, connector, sessions
):
    await moss_with_a_case(sessions, bot_url, connector)
    chat = Chat(bot_url, connector)
    elsewhere = "19:another-team@thread.tacv2"

    replies = await replies_to(
        chat, channel_message(connector, f"{NAME}, fnr {FNR}", teams_team_id=elsewhere)
    )

    assert replies == []


async def test_the_log_says_what_kind_was_found_and_nothing_that_was_written(
    bot_url, connector, sessions, caplog
):
    await moss_with_a_case(sessions, bot_url, connector)
    chat = Chat(bot_url, connector)
    caplog.set_level("DEBUG")

    await replies_to(chat, channel_message(connector, f"{NAME} har fnr {FNR}"))

    assert "fnr,name" in caplog.text
    for written in (*NAME.split(), FNR, FNR[6:]):
        assert written not in caplog.text


async def test_a_people_command_still_works_with_the_guard_reading_along(
    bot_url, connector, sessions
):
    await moss_with_a_case(sessions, bot_url, connector)
    chat = Chat(bot_url, connector)

    [reply] = await replies_to(
        chat, channel_message(connector, "roller", mention=True, sender=COORDINATOR)
    )

    assert "Lars Haugen" in all_text(reply)


async def test_a_channel_message_not_to_the_bot_gets_no_command_answer(
    bot_url, connector, sessions
):
    # Every channel message reaches the bot now: "hei" to colleagues is not "hei" to the bot.
    await moss_with_a_case(sessions, bot_url, connector)
    chat = Chat(bot_url, connector)

    assert await replies_to(chat, channel_message(connector, "hei")) == []
    assert await replies_to(chat, channel_message(connector, "roller", sender=COORDINATOR)) == []


def test_the_app_asks_teams_for_every_channel_message() -> None:
    manifest = build_manifests(
        DEFAULT_SOURCE, "00000000-0000-0000-0000-000000000001", "tryggest.example.no"
    )["manifest.json"]

    permissions = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in permissions
