"""The personal chats of a team's people in one read (ConversationReferences.of_team), on both
databases: everyone of the team who has written to the bot, once each, and no one of another
team."""

from __future__ import annotations

from domain.access import Person
from storage.references import ConversationReferences, StoredReference
from tests.storage.case_support import add_member, make_world
from tests.support import TENANT


def chat_of(aad: str, locale: str | None = "nb-NO") -> StoredReference:
    return StoredReference(
        TENANT, aad, "https://smba.example/", "msteams", f"a:{aad}", "28:bot", locale
    )


async def test_each_of_the_teams_people_with_a_chat_once_and_no_one_else(sessions):
    world = await make_world(sessions)
    await add_member(sessions, world.moss_team, "coord-1", "member")  # a second role
    await add_member(sessions, world.moss_team, "silent", "member")  # never wrote to the bot
    await add_member(sessions, world.rade_team, "rade-member", "member")
    references = ConversationReferences(sessions)
    for aad in ("coord-1", "rade-member"):
        await references.remember(chat_of(aad))

    chats = await ConversationReferences(sessions).of_team(world.moss_team)

    assert chats == {Person(TENANT, "coord-1"): chat_of("coord-1")}


async def test_a_team_without_chats_has_none(sessions):
    world = await make_world(sessions)

    assert await ConversationReferences(sessions).of_team(world.moss_team) == {}
