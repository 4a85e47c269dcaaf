"""Where a case is posted, on both databases: whether it has its thread already and where its
team's channel is are one read, a thread is recorded once, and the card's place is found by the
case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from domain.clock import utcnow
from domain.views import PostedMessage
from storage.channels import ChannelAddress, Channels
from storage.models import Team
from storage.references import ConversationReferences, StoredReference
from tests.storage.case_support import make_world
from tests.support import TENANT

TEAMS_TEAM = "19:moss-general@thread.tacv2"
CHANNEL = "19:moss-saker@thread.tacv2"
TEAM_URL = "https://smba.trafficmanager.net/emea/"
NEWER_URL = "https://smba.trafficmanager.net/emea-2/"


def posted(activity_id: str = "1700000000001") -> PostedMessage:
    return PostedMessage(TENANT, TEAM_URL, f"{CHANNEL};messageid={activity_id}", activity_id)


async def in_teams(sessions: Any, team_id: str, service_url: str | None = TEAM_URL) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(Team)
            .where(Team.id == team_id)
            .values(
                teams_team_id=TEAMS_TEAM,
                channel_id=CHANNEL,
                service_url=service_url,
                service_url_at=utcnow() - timedelta(days=1) if service_url else None,
                bot_id="28:bot",
            )
        )


async def test_an_unposted_case_is_told_so_with_its_teams_channel(sessions):
    world = await make_world(sessions)
    await in_teams(sessions, world.moss_team)
    channels = Channels(sessions)

    posted_before, channel = await channels.post_target(world.case.id, world.moss_team)

    assert posted_before is False
    assert channel is not None and channel == await channels.channel_of(world.moss_team)
    assert channel.team_id == world.moss_team and not channel.blocked
    assert channel.address == ChannelAddress(TENANT, TEAM_URL, CHANNEL, "28:bot")


async def test_a_recorded_thread_makes_the_case_posted_and_is_found_again(sessions):
    world = await make_world(sessions)
    await in_teams(sessions, world.moss_team)
    channels = Channels(sessions)
    assert await channels.post_of(world.case.id) is None

    assert await channels.record_post(world.case.id, world.moss_team, posted()) is True
    assert await channels.record_post(world.case.id, world.moss_team, posted("2")) is False

    posted_before, _ = await channels.post_target(world.case.id, world.moss_team)
    assert posted_before is True
    found = await channels.post_of(world.case.id)
    # The first thread, with the bot id of the team it was posted in.
    assert found == PostedMessage(
        TENANT, TEAM_URL, f"{CHANNEL};messageid=1700000000001", "1700000000001", "28:bot"
    )


async def test_a_case_whose_team_is_gone_or_missing_has_no_channel(sessions):
    world = await make_world(sessions)
    channels = Channels(sessions)

    assert await channels.post_target(world.case.id, "no-such-team") == (False, None)
    assert await channels.post_target(world.case.id, None) == (False, None)
    assert await channels.channel_of("no-such-team") is None


async def test_the_tenants_newest_service_url_is_used_once_newer_than_the_teams(sessions):
    world = await make_world(sessions)
    await in_teams(sessions, world.moss_team)
    channels = Channels(sessions)
    references = ConversationReferences(sessions)
    await references.remember(
        StoredReference(TENANT, "someone", NEWER_URL, "msteams", "a:chat", "28:bot")
    )

    _, channel = await channels.post_target(world.case.id, world.moss_team)

    assert channel is not None and channel.address is not None
    assert channel.address.service_url == NEWER_URL
    assert channel == await channels.channel_of(world.moss_team)


async def test_a_team_the_bot_was_never_added_to_has_no_address_until_a_url_is_known(sessions):
    world = await make_world(sessions)
    await in_teams(sessions, world.moss_team, service_url=None)
    channels = Channels(sessions)

    _, unknown = await channels.post_target(world.case.id, world.moss_team)
    await ConversationReferences(sessions).remember(
        StoredReference(TENANT, "someone", NEWER_URL, "msteams", "a:chat", "28:bot")
    )
    _, known = await channels.post_target(world.case.id, world.moss_team)

    assert unknown is not None and unknown.address is None
    assert known is not None and known.address is not None
    assert known.address.service_url == NEWER_URL


async def test_a_blocked_team_says_so(sessions):
    world = await make_world(sessions)
    await in_teams(sessions, world.moss_team)
    channels = Channels(sessions)
    await channels.bot_removed(world.moss_team)

    _, channel = await channels.post_target(world.case.id, world.moss_team)

    assert channel is not None and channel.blocked
