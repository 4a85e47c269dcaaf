"""Who is who, managed from Teams: people added by mention, listed, refused, removed when they
leave the Teams team, and the team's roster followed. End to end through /api/messages, on
SQLite and on PostgreSQL, with activities shaped like Teams' own (fixtures 02, 04 and 07)."""

from __future__ import annotations

import copy
import itertools
import tomllib
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from domain.access import Action, CaseTarget, Person, Role, decide
from storage.gate import AccessDenied, AccessGate
from storage.models import AccessLogEntry, Membership, Municipality, Team
from storage.org_config import apply_config, parse_config
from storage.organisation import OrganisationRepository
from tests.e2e.test_report_dialogue import answer_up_to_summary_with_consent, last
from tests.support import (
    OTHER_TENANT,
    TENANT,
    Chat,
    Failure,
    FakeConnector,
    all_text,
    find_action,
    fixture,
)
from tools import demo

# The Teams team and channel of fixture 02 (a channel thread that mentions the bot).
TEAMS_TEAM_ID = "19:66P469zibfbsGI-_a0aN_toLTZpyzS6u7CT3TsXdgPw1@thread.tacv2"
CHANNEL_ID = "19:6848757105754c8981c67612732d9aa7@thread.tacv2"

LARS = "aad-lars-coordinator"
MARTE = "aad-marte"
OLE = "aad-ole"
KARI = "aad-kari"
OTHER_ADMIN = "aad-admin-of-another-tenant"
TEAM_NAME = "TryggEst-teamet i Moss"

CONFIG = f"""
[[tenants]]
id = "{TENANT}"
name = "Moss kommune"

[[tenants]]
id = "{OTHER_TENANT}"
name = "Råde kommune"

[[admins]]
tenant = "{OTHER_TENANT}"
object_id = "{OTHER_ADMIN}"
name = "Admin i Råde"

[[municipalities]]
tenant = "{TENANT}"
name = "Moss"
number = "3103"

[[teams]]
tenant = "{TENANT}"
kind = "operational"
name = "{TEAM_NAME}"
phone = "69 24 00 00"
teams_team_id = "{TEAMS_TEAM_ID}"
channel_id = "{CHANNEL_ID}"
municipalities = ["Moss"]
people = [{{ object_id = "{LARS}", name = "Lars Haugen", role = "coordinator" }}]
"""


async def set_up(sessions: Any, connector: FakeConnector, extra: str = "") -> str:
    """Moss with its operational team tied to the Teams team; Lars coordinates. Everyone is in
    the Teams team. Returns the team's id."""
    await apply_config(sessions, parse_config(tomllib.loads(CONFIG + extra)))
    for teams_id, aad, name in (
        ("29:lars", LARS, "Lars Haugen"),
        ("29:marte", MARTE, "Marte Johansen"),
        ("29:ole", OLE, "Ole Berg"),
    ):
        connector.add_person(teams_id, aad, name)
    async with sessions() as session:
        return (await session.execute(select(Team.id))).scalar_one()


_ids = itertools.count(1)


def in_channel(
    connector: FakeConnector,
    aad_object_id: str,
    typed: str,
    mentions: tuple[tuple[str, str], ...] = (),
    tenant: str = TENANT,
) -> dict[str, Any]:
    """A channel thread reply that mentions the bot (fixture 02) and, in `typed`, the people
    written as {teams id}: "legg til {29:marte} som medlem"."""
    activity = copy.deepcopy(fixture("02_message_channel_thread_reply_mention.json"))
    activity.pop("attachments", None)
    activity["id"] = f"channel-{next(_ids)}"
    activity["serviceUrl"] = connector.url
    activity["locale"] = "nb-NO"
    activity["from"]["aadObjectId"] = aad_object_id
    activity["channelData"]["tenant"]["id"] = tenant
    activity["conversation"]["tenantId"] = tenant
    entities = [e for e in activity["entities"] if e["type"] == "mention"]
    for teams_id, name in mentions:
        typed = typed.replace("{" + teams_id + "}", f"<at>{name}</at>")
        entities.append(
            {
                "mentioned": {"id": teams_id, "name": name},
                "text": f"<at>{name}</at>",
                "type": "mention",
            }
        )
    activity["entities"] = entities
    activity["text"] = f"<at>ridotest</at> {typed}"
    return activity


async def say_in_channel(chat: Chat, *args: Any, **kwargs: Any) -> str:
    replies = await chat.post(in_channel(chat.connector, *args, **kwargs))
    assert chat.last_status is not None and chat.last_status < 300
    assert len(replies) == 1, replies
    return all_text(replies[0])


async def roles_of(sessions: Any, aad_object_id: str) -> set[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(Membership.role, Membership.source).where(
                Membership.aad_object_id == aad_object_id
            )
        )
        return {(role, source) for role, source in rows.all()}


async def denials(sessions: Any, aad_object_id: str) -> list[AccessLogEntry]:
    async with sessions() as session:
        rows = await session.execute(
            select(AccessLogEntry).where(
                AccessLogEntry.actor_aad_object_id == aad_object_id,
                AccessLogEntry.allowed.is_(False),
            )
        )
        return list(rows.scalars())


MARTE_MENTION = (("29:marte", "Marte Johansen"),)


# --- adding by mention, and "roller" ----------------------------------------------------------


async def test_a_coordinator_adds_a_member_by_mention_and_roller_shows_them(
    bot_url, connector, sessions
):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector)

    answer = await say_in_channel(chat, LARS, "legg til {29:marte} som medlem", MARTE_MENTION)
    assert answer == f"Marte Johansen er lagt til som medlem i {TEAM_NAME}."
    assert await roles_of(sessions, MARTE) == {("member", "command")}

    listing = await say_in_channel(chat, LARS, "roller")
    assert f"Hvem er med i {TEAM_NAME}:" in listing
    assert "- Lars Haugen: koordinator" in listing
    assert "- Marte Johansen: medlem" in listing


async def test_adding_someone_twice_says_they_are_already_there(bot_url, connector, sessions):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector)
    await say_in_channel(chat, LARS, "legg til {29:marte} som medlem", MARTE_MENTION)
    again = await say_in_channel(chat, LARS, "legg til {29:marte} som medlem", MARTE_MENTION)
    assert again == f"Marte Johansen er allerede medlem i {TEAM_NAME}."


async def test_a_coordinator_can_make_a_second_coordinator_and_remove_a_member(
    bot_url, connector, sessions
):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector)
    both = (("29:marte", "Marte Johansen"), ("29:ole", "Ole Berg"))
    answer = await say_in_channel(
        chat, LARS, "legg til {29:marte} og {29:ole} som koordinator", both
    )
    assert "Marte Johansen er lagt til som koordinator" in answer
    assert "Ole Berg er lagt til som koordinator" in answer

    removed = await say_in_channel(chat, LARS, "fjern {29:ole}", (("29:ole", "Ole Berg"),))
    assert removed == f"Ole Berg er fjernet fra {TEAM_NAME}."
    assert await roles_of(sessions, OLE) == set()
    assert await roles_of(sessions, MARTE) == {("coordinator", "command")}


async def test_a_plain_member_trying_to_add_someone_is_refused_in_plain_words_and_it_is_logged(
    bot_url, connector, sessions
):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector)
    await say_in_channel(chat, LARS, "legg til {29:marte} som medlem", MARTE_MENTION)

    answer = await say_in_channel(
        chat, MARTE, "legg til {29:ole} som medlem", (("29:ole", "Ole Berg"),)
    )

    assert answer == (
        f"Du har ikke lov til å endre hvem som er med i {TEAM_NAME}. "
        "Det kan koordinatoren for teamet eller en administrator gjøre."
    )
    assert "Traceback" not in answer and "Error" not in answer
    assert await roles_of(sessions, OLE) == set()
    [denial] = await denials(sessions, MARTE)
    assert denial.action == Action.MANAGE_MEMBERS.value
    assert denial.actor_tenant_id == TENANT
    assert denial.detail["subject"] == OLE


async def test_a_member_may_not_make_anyone_an_admin_nor_may_a_coordinator(
    bot_url, connector, sessions
):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector)
    answer = await say_in_channel(chat, LARS, "legg til {29:marte} som admin", MARTE_MENTION)
    assert (
        answer
        == "Bare en administrator kan gjøre noen til administrator, eller ta den rollen fra dem."
    )
    assert await roles_of(sessions, MARTE) == set()
    assert len(await denials(sessions, LARS)) == 1


async def test_an_admin_of_another_tenant_cannot_add_people_to_this_team(
    bot_url, connector, sessions
):
    team_id = await set_up(sessions, connector)
    chat = Chat(bot_url, connector)

    # Their own tenant is not the team's: the Teams team is not theirs to manage.
    answer = await say_in_channel(
        chat, OTHER_ADMIN, "legg til {29:marte} som medlem", MARTE_MENTION, tenant=OTHER_TENANT
    )
    assert "ikke satt opp i TryggEst" in answer
    assert await roles_of(sessions, MARTE) == set()

    # And the repository refuses it too, whoever calls it.
    gate = AccessGate(sessions)
    organisation = OrganisationRepository(sessions, gate)
    [team] = await organisation.teams_by_id([team_id])
    other_admin = await gate.principal(Person(OTHER_TENANT, OTHER_ADMIN))
    with pytest.raises(AccessDenied):
        await organisation.add_membership(other_admin, team, MARTE, Role.MEMBER, "Marte")
    assert await roles_of(sessions, MARTE) == set()
    assert [d.action for d in await denials(sessions, OTHER_ADMIN)] == ["members.manage"]


async def test_an_admin_of_the_tenant_adds_a_coordinator(bot_url, connector, sessions):
    admin = "aad-admin-of-moss"
    await set_up(
        sessions,
        connector,
        f'[[admins]]\ntenant = "{TENANT}"\nobject_id = "{admin}"\nname = "IT i Moss"\n',
    )
    answer = await say_in_channel(
        Chat(bot_url, connector), admin, "legg til {29:marte} som koordinator", MARTE_MENTION
    )
    assert answer == f"Marte Johansen er lagt til som koordinator i {TEAM_NAME}."


async def test_an_unknown_role_and_a_missing_mention_are_explained(bot_url, connector, sessions):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector)
    assert "Jeg kjenner ikke den rollen" in await say_in_channel(
        chat, LARS, "legg til {29:marte} som sjef", MARTE_MENTION
    )
    assert "Nevn personen med @" in await say_in_channel(chat, LARS, "legg til Marte som medlem")


async def test_a_team_not_in_the_configuration_says_so(bot_url, connector, sessions):
    chat = Chat(bot_url, connector)
    answer = await say_in_channel(chat, LARS, "roller")
    assert "ikke satt opp i TryggEst" in answer


async def test_other_channel_messages_still_get_the_redirect(bot_url, connector, sessions):
    await set_up(sessions, connector)
    answer = await say_in_channel(Chat(bot_url, connector), LARS, "meld bekymring")
    assert "privat chat" in answer


# --- in personal chat -------------------------------------------------------------------------


async def test_in_personal_chat_a_coordinator_manages_their_own_team(bot_url, connector, sessions):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector, aad_object_id=LARS)
    mention = {"mentioned": {"id": "29:marte", "name": "Marte Johansen"}}
    mention |= {"text": "<at>Marte Johansen</at>", "type": "mention"}
    activity = chat.activity(text="legg til <at>Marte Johansen</at> som medlem")
    activity["entities"] = [*activity.get("entities", []), mention]

    [reply] = await chat.post(activity)
    assert all_text(reply) == f"Marte Johansen er lagt til som medlem i {TEAM_NAME}."
    [listing] = await chat.say("roller")
    assert "- Marte Johansen: medlem" in all_text(listing)


async def test_in_personal_chat_someone_who_coordinates_nothing_is_told_where_to_go(
    bot_url, connector, sessions
):
    await set_up(sessions, connector)
    [reply] = await Chat(bot_url, connector, aad_object_id=MARTE).say("roller")
    assert "Du er ikke koordinator for noe TryggEst-team" in all_text(reply)


async def test_in_the_middle_of_a_report_roller_is_an_answer_but_a_mention_command_is_not(
    bot_url, connector, sessions
):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector, aad_object_id=LARS)
    await chat.say("meld bekymring")
    await chat.say("nei")

    answers = await chat.say("roller")
    assert answers and not any("Hvem er med" in all_text(a) for a in answers)
    assert "Jeg forstod ikke svaret" in all_text(answers[0])  # the report's question took it

    mention = {"mentioned": {"id": "29:marte", "name": "Marte Johansen"}}
    mention |= {"text": "<at>Marte Johansen</at>", "type": "mention"}
    activity = chat.activity(text="legg til <at>Marte Johansen</at> som medlem")
    activity["entities"] = [*activity.get("entities", []), mention]
    [added] = await chat.post(activity)
    assert all_text(added) == f"Marte Johansen er lagt til som medlem i {TEAM_NAME}."


# --- leaving the Teams team (fixture 07) ------------------------------------------------------


def member_removed(connector: FakeConnector, *members: dict[str, str]) -> dict[str, Any]:
    activity = copy.deepcopy(fixture("07_conversationupdate_member_removed.json"))
    activity["serviceUrl"] = connector.url
    activity["channelData"]["team"]["id"] = TEAMS_TEAM_ID
    activity["channelData"]["tenant"]["id"] = TENANT
    activity["membersRemoved"] = list(members)
    return activity


async def can_see_cases_of_moss(sessions: Any, aad_object_id: str) -> bool:
    """Whether the gate would let the person read a case of Moss."""
    async with sessions() as session:
        moss = (await session.execute(select(Municipality.id))).scalar_one()
    principal = await AccessGate(sessions).principal(Person(TENANT, aad_object_id))
    case = CaseTarget("case-1", TENANT, moss)
    return decide(principal, Action.VIEW_CASE_IDENTIFIABLE, case).allowed


async def test_a_member_removed_from_the_teams_team_loses_case_access_at_once(
    bot_url, connector, sessions
):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector)
    await say_in_channel(chat, LARS, "legg til {29:marte} som medlem", MARTE_MENTION)
    assert await can_see_cases_of_moss(sessions, MARTE)

    replies = await chat.post(member_removed(connector, {"id": "29:marte", "aadObjectId": MARTE}))

    assert chat.last_status is not None and chat.last_status < 300
    assert replies == []
    principal = await AccessGate(sessions).principal(Person(TENANT, MARTE))
    assert principal.grants == ()
    assert not await can_see_cases_of_moss(sessions, MARTE)
    assert await can_see_cases_of_moss(sessions, LARS)
    async with sessions() as session:
        logged = (
            await session.execute(
                select(AccessLogEntry).where(AccessLogEntry.actor_aad_object_id == "bot")
            )
        ).scalar_one()
    assert logged.actor_tenant_id == TENANT
    assert logged.detail["system"] == "left_in_teams"
    assert logged.detail["removed"] == [MARTE]


async def test_when_teams_does_not_say_who_left_the_roster_decides(bot_url, connector, sessions):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector)
    await say_in_channel(chat, LARS, "legg til {29:marte} som medlem", MARTE_MENTION)
    await say_in_channel(chat, LARS, "legg til {29:ole} som medlem", (("29:ole", "Ole Berg"),))
    del connector.people["29:marte"]  # she has left: no longer found, not in the roster

    await chat.post(member_removed(connector, {"id": "29:marte"}))

    assert await roles_of(sessions, MARTE) == set()
    assert await roles_of(sessions, OLE) == {("member", "command")}
    assert await roles_of(sessions, LARS) == {("coordinator", "config")}


# --- the roster (fixture 04 and "synk medlemmer") ---------------------------------------------


async def test_synk_medlemmer_takes_the_roster_over_two_pages(bot_url, connector, sessions):
    await set_up(sessions, connector)
    connector.add_person("29:kari", KARI, "Kari Nilsen")
    connector.page_size = 2  # four people: two pages
    chat = Chat(bot_url, connector)

    answer = await say_in_channel(chat, LARS, "synk medlemmer")

    assert answer.startswith("Medlemmene er hentet fra Teams: 3 lagt til, 0 fjernet.")
    assert [r.get("continuationToken") for r in connector.roster_requests] == [None, "2"]
    assert {r["conversation"] for r in connector.roster_requests} == {TEAMS_TEAM_ID}
    for aad in (MARTE, OLE, KARI):
        assert await roles_of(sessions, aad) == {("member", "roster")}
    assert await roles_of(sessions, LARS) == {("coordinator", "config")}

    # Kari leaves the Teams team; the next sync takes her roster membership away, nobody else's.
    del connector.people["29:kari"]
    again = await say_in_channel(chat, LARS, "synk medlemmer")
    assert again.startswith("Medlemmene er hentet fra Teams: 0 lagt til, 1 fjernet.")
    assert await roles_of(sessions, KARI) == set()
    assert await roles_of(sessions, LARS) == {("coordinator", "config")}


async def test_a_member_may_not_sync_the_roster(bot_url, connector, sessions):
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector)
    await say_in_channel(chat, LARS, "legg til {29:marte} som medlem", MARTE_MENTION)
    answer = await say_in_channel(chat, MARTE, "synk medlemmer")
    assert answer.startswith("Du har ikke lov til å endre hvem som er med")
    assert connector.roster_requests == []
    assert await roles_of(sessions, OLE) == set()


async def test_the_bot_added_to_a_configured_team_takes_its_roster(bot_url, connector, sessions):
    await set_up(sessions, connector)
    activity = copy.deepcopy(fixture("04_conversationupdate_bot_added_to_team.json"))
    activity["serviceUrl"] = connector.url
    activity["channelData"]["team"]["id"] = TEAMS_TEAM_ID
    activity["channelData"]["tenant"]["id"] = TENANT
    activity["conversation"]["tenantId"] = TENANT
    chat = Chat(bot_url, connector)

    replies = await chat.post(activity)

    assert chat.last_status is not None and chat.last_status < 300
    assert replies == []
    assert await roles_of(sessions, MARTE) == {("member", "roster")}
    assert await roles_of(sessions, OLE) == {("member", "roster")}
    assert await roles_of(sessions, LARS) == {("coordinator", "config")}
    async with sessions() as session:
        [logged] = (
            await session.execute(
                select(AccessLogEntry).where(AccessLogEntry.actor_aad_object_id == "bot")
            )
        ).scalars()
    assert logged.detail["system"] == "roster_sync"
    assert sorted(logged.detail["added"]) == sorted([MARTE, OLE])


async def test_someone_joining_the_teams_team_becomes_a_member_at_once(
    bot_url, connector, sessions
):
    await set_up(sessions, connector)
    connector.add_person("29:kari", KARI, "Kari Nilsen")
    activity = copy.deepcopy(fixture("04_conversationupdate_bot_added_to_team.json"))
    activity["serviceUrl"] = connector.url
    activity["channelData"]["team"]["id"] = TEAMS_TEAM_ID
    activity["channelData"]["tenant"]["id"] = TENANT
    activity["membersAdded"] = [{"id": "29:kari"}]  # the bot looks her up in the team

    await Chat(bot_url, connector).post(activity)

    assert await roles_of(sessions, KARI) == {("member", "roster")}
    assert await roles_of(sessions, MARTE) == set()  # no sync: only who joined


# --- an empty or failed roster answer changes nothing ---------------------------------------


class RosterFailing(FakeConnector):
    """A Bot Connector whose roster answer fails while `roster_failure` is set (the bot was
    removed from the team meanwhile: 403), or names nobody while `roster_empty` is, though its
    people are still found one by one."""

    roster_failure: Failure | None = None
    roster_empty = False

    async def _paged_members(self, request: web.Request) -> web.Response:
        if self.roster_failure is None and not self.roster_empty:
            return await super()._paged_members(request)
        self.roster_requests.append({"conversation": request.match_info["conversation"]})
        if self.roster_failure is not None:
            return self.roster_failure.response()
        return web.json_response({"members": []})


@pytest.fixture
async def failing_connector():
    fake = RosterFailing()
    await fake.start()
    yield fake
    await fake.close()


def bot_added(connector: FakeConnector, tenant: str = TENANT, team: str = TEAMS_TEAM_ID) -> Any:
    activity = copy.deepcopy(fixture("04_conversationupdate_bot_added_to_team.json"))
    activity["serviceUrl"] = connector.url
    activity["channelData"]["team"]["id"] = team
    activity["channelData"]["tenant"]["id"] = tenant
    activity["conversation"]["tenantId"] = tenant
    return activity


async def synced(bot_url: str, connector: FakeConnector, sessions: Any) -> Chat:
    """set_up, then "synk medlemmer" once: Marte and Ole are roster members."""
    await set_up(sessions, connector)
    chat = Chat(bot_url, connector)
    answer = await say_in_channel(chat, LARS, "synk medlemmer")
    assert answer.startswith("Medlemmene er hentet fra Teams: 2 lagt til, 0 fjernet.")
    return chat


SYNC_FAILED = (
    "Jeg fikk ikke hentet medlemslisten fra Teams. Ingenting er endret. Prøv igjen om litt."
)


async def test_one_empty_roster_answer_to_synk_medlemmer_removes_nobody(
    bot_url, connector, sessions
):
    chat = await synced(bot_url, connector, sessions)
    connector.people.clear()  # Teams answers once with nobody in the team

    answer = await say_in_channel(chat, LARS, "synk medlemmer")

    assert answer == SYNC_FAILED
    assert await roles_of(sessions, MARTE) == {("member", "roster")}
    assert await roles_of(sessions, OLE) == {("member", "roster")}
    assert await roles_of(sessions, LARS) == {("coordinator", "config")}


async def test_the_bot_added_again_with_an_empty_roster_answer_removes_nobody(
    bot_url, connector, sessions
):
    chat = await synced(bot_url, connector, sessions)
    connector.people.clear()

    replies = await chat.post(bot_added(connector))

    assert chat.last_status is not None and chat.last_status < 300 and replies == []
    assert await roles_of(sessions, MARTE) == {("member", "roster")}
    assert await roles_of(sessions, OLE) == {("member", "roster")}


async def test_a_failed_roster_fetch_changes_nothing_and_says_so(
    bot_url, failing_connector, sessions
):
    chat = await synced(bot_url, failing_connector, sessions)
    failing_connector.roster_failure = Failure(403, code="BotNotInConversationRoster")

    answer = await say_in_channel(chat, LARS, "synk medlemmer")
    replies = await chat.post(bot_added(failing_connector))

    assert answer == SYNC_FAILED
    assert replies == [] and chat.last_status is not None and chat.last_status < 300
    assert len(failing_connector.roster_requests) == 3  # the first sync, and the two refused
    assert await roles_of(sessions, MARTE) == {("member", "roster")}
    assert await roles_of(sessions, OLE) == {("member", "roster")}


async def test_someone_left_unnamed_and_the_roster_failed_takes_nobody_away(
    bot_url, failing_connector, sessions
):
    chat = await synced(bot_url, failing_connector, sessions)
    del failing_connector.people["29:marte"]  # not found by id: Teams did not say who left
    failing_connector.roster_failure = Failure(403, code="BotNotInConversationRoster")

    await chat.post(member_removed(failing_connector, {"id": "29:marte"}))

    assert chat.last_status is not None and chat.last_status < 300
    assert await roles_of(sessions, MARTE) == {("member", "roster")}
    assert await roles_of(sessions, OLE) == {("member", "roster")}


async def test_someone_left_unnamed_and_an_empty_roster_takes_nobody_away(
    bot_url, failing_connector, sessions
):
    chat = await synced(bot_url, failing_connector, sessions)
    del failing_connector.people["29:marte"]
    failing_connector.roster_empty = True

    await chat.post(member_removed(failing_connector, {"id": "29:marte"}))

    assert await roles_of(sessions, MARTE) == {("member", "roster")}
    assert await roles_of(sessions, OLE) == {("member", "roster")}


# --- the demo: the Playground's team is the demo operational team ----------------------------

# The Playground's six people as its team's roster lists them (.m365agentsplayground.yml):
# every one of them, whatever the demo says.
PLAYGROUND_PEOPLE = (
    ("user-ingrid-solberg", demo.INGRID, "Ingrid Solberg"),
    ("user-lars-haugen", demo.LARS, "Lars Haugen"),
    ("user-marte-johansen", demo.MARTE, "Marte Johansen"),
    ("user-ole-berg", demo.OLE, "Ole Berg"),
    ("user-kari-nilsen", demo.KARI, "Kari Nilsen"),
    ("user-jonas-bakken", demo.JONAS, "Jonas Bakken"),
)


async def the_playground(bot_url: str, connector: FakeConnector, sessions: Any) -> None:
    """`make run`: the demo data, then the Playground's team channel opened, which adds the
    bot to the team and so syncs its roster."""
    await demo.load_demo_data(sessions, demo.PLAYGROUND_TENANT_ID)
    for teams_id, aad, name in PLAYGROUND_PEOPLE:
        connector.add_person(teams_id, aad, name)
    chat = Chat(bot_url, connector)
    await chat.post(bot_added(connector, demo.PLAYGROUND_TENANT_ID, demo.DEMO_TEAMS_TEAM_ID))
    assert chat.last_status is not None and chat.last_status < 300


async def test_the_playground_roster_keeps_the_demo_roles_apart(bot_url, connector, sessions):
    await the_playground(bot_url, connector, sessions)

    assert await roles_of(sessions, demo.INGRID) == {
        ("coordinator", "config"),
        ("network", "config"),
    }
    assert await roles_of(sessions, demo.LARS) == {("coordinator", "config")}
    assert await roles_of(sessions, demo.MARTE) == {("member", "roster")}
    assert await roles_of(sessions, demo.KARI) == {("leader", "config")}
    assert await roles_of(sessions, demo.OLE) == {("network", "config")}
    assert await roles_of(sessions, demo.JONAS) == set()


async def test_someone_the_demo_leaves_out_joining_the_playground_team_gets_no_role(
    bot_url, connector, sessions
):
    await the_playground(bot_url, connector, sessions)
    joined = bot_added(connector, demo.PLAYGROUND_TENANT_ID, demo.DEMO_TEAMS_TEAM_ID)
    joined["membersAdded"] = [{"id": "user-jonas-bakken"}]

    await Chat(bot_url, connector).post(joined)

    assert await roles_of(sessions, demo.JONAS) == set()


async def test_in_the_demo_a_leader_and_an_outside_reporter_are_refused_a_case(
    bot_url, connector, sessions
):
    await the_playground(bot_url, connector, sessions)
    ingrid = Chat(bot_url, connector, demo.PLAYGROUND_TENANT_ID, demo.INGRID)
    summary = await answer_up_to_summary_with_consent(ingrid)
    sent = await ingrid.tap(find_action(last(summary), command="send"))
    assert "TE-2026-0001" in all_text(last(sent))

    def person(aad: str) -> Chat:
        return Chat(bot_url, connector, demo.PLAYGROUND_TENANT_ID, aad)

    refused = "Jeg fant ingen sak TE-2026-0001 som du har tilgang til."
    for outside in (demo.KARI, demo.JONAS, demo.OLE):
        assert all_text(last(await person(outside).say("vis TE-2026-0001"))) == refused
    shown = all_text(last(await person(demo.MARTE).say("vis TE-2026-0001")))
    assert "TE-2026-0001" in shown and refused not in shown


async def test_in_the_playground_team_the_demo_coordinator_sees_the_roles(
    bot_url, connector, sessions
):
    await the_playground(bot_url, connector, sessions)
    activity = in_channel(connector, demo.LARS, "roller")
    activity["channelData"]["tenant"]["id"] = demo.PLAYGROUND_TENANT_ID
    activity["channelData"]["team"]["id"] = demo.DEMO_TEAMS_TEAM_ID
    activity["channelData"]["channel"]["id"] = demo.DEMO_CHANNEL_ID

    [reply] = await Chat(bot_url, connector).post(activity)

    listing = all_text(reply)
    assert "Hvem er med i TryggEst-teamet i Demo kommune:" in listing
    assert "- Lars Haugen: koordinator" in listing
    assert "- Ingrid Solberg: koordinator" in listing
    assert "- Marte Johansen: medlem" in listing
    for outside in ("Ole Berg", "Kari Nilsen", "Jonas Bakken"):
        assert outside not in listing
