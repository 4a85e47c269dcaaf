"""Where the Agents Playground plays Teams (local mode), the demo data says who its team really
has; otherwise a team's roster is Teams' word alone."""

from __future__ import annotations

from typing import Any

from bot.app import ENGINE_KEY, SERVICES_KEY, create_app
from bot.teams_roster import TeamsRoster
from storage.stand_in_rosters import StandInRosters
from tests.conftest import settings_for, sqlite_only

# As Teams lists them: (Entra object id, name).
LISTED = [("aad-ingrid", "Ingrid Solberg"), ("aad-jonas", "Jonas Bakken")]


async def test_a_stand_in_roster_says_who_of_those_listed_the_team_really_has(sessions: Any):
    stand_ins = StandInRosters(sessions)
    await stand_ins.replace("tenant-1", "team-1", ["aad-ingrid", "aad-lars"])
    roster = TeamsRoster(stand_ins)

    assert await roster.in_team("tenant-1", "team-1", LISTED) == LISTED[:1]
    # Another team, or the same team id in another tenant: what Teams lists.
    assert await roster.in_team("tenant-1", "team-2", LISTED) == LISTED
    assert await roster.in_team("tenant-2", "team-1", LISTED) == LISTED


async def test_a_stand_in_roster_written_again_is_the_new_one(sessions: Any):
    stand_ins = StandInRosters(sessions)
    await stand_ins.replace("tenant-1", "team-1", ["aad-ingrid", "aad-lars"])
    await stand_ins.replace("tenant-1", "team-1", ["aad-jonas"])

    assert await stand_ins.of("tenant-1", "team-1") == frozenset({"aad-jonas"})
    assert await stand_ins.of("tenant-1", "team-2") is None


async def test_without_stand_ins_the_roster_is_what_teams_lists():
    assert await TeamsRoster().in_team("tenant-1", "team-1", LISTED) == LISTED


@sqlite_only
async def test_only_in_local_mode_does_the_bot_read_stand_in_rosters(
    engine: Any, database_url: str
):
    local = create_app(settings_for(database_url))
    with_app_id = create_app(
        settings_for(database_url, MicrosoftAppId="an-app", MicrosoftAppPassword="a-secret")
    )
    try:
        assert local[SERVICES_KEY].bot._roster._stand_ins is not None
        assert with_app_id[SERVICES_KEY].bot._roster._stand_ins is None
    finally:
        for app in (local, with_app_id):
            await app[ENGINE_KEY].dispose()
