"""Experiences through /api/messages (SQLite and PostgreSQL): a network member shares one in their
own chat (form, anonymised preview with each replacement marked, confirmation), it is posted once
in the network channel, another member finds it with a different word form and marks it useful,
and the network's coordinators get one digest a month. Nobody outside the network sees any of it,
and forged card actions get a plain answer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from cards.texts import text
from storage.gate import allow_tenant
from storage.models import AccessLogEntry, Case, Experience, Membership, Team
from tests.conftest import remind
from tests.e2e.channel import (
    COORDINATOR,
    TEAMS_TEAM_ID,
    Channel,
    answered_card,
    answered_message,
    card_of,
    find_execute,
    member_chat,
    moss_with_channel,
)
from tests.e2e.test_case_channel import reported, to
from tests.support import TENANT, Chat, all_text, cards_in, find_action

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NETWORK_CHANNEL = "19:moss-nettverk@thread.tacv2"
NETWORK_NAME = "TryggEst-nettverket Øst"
READER = "network-reader"
OUTSIDER = "moss-member"  # in Moss's operational team (tests/e2e/channel.py), in no network
SITUATION = (
    "Kari Nordmann har demens. Sønnen brukte fullmakten til økonomisk utnyttelse av henne. "
    "Ring ham på 915 55 123."
)
FORM = {
    "situation": SITUATION,
    "done": "Samtale med henne alene, så samarbeidsmøte med fastlegen. Verge ble oppnevnt.",
    "worked": "Å snakke med henne uten sønnen til stede.",
    "violence": "financial",
    "vulnerability": "dementia,old_age",
}
IDENTIFIERS = ("Kari", "Nordmann", "915 55 123", "91555123")


async def network(sessions: Any) -> str:
    """Moss's operational team (its coordinator also in the network) and a network team in the
    same Teams team, with its own channel; a reader in the network only."""
    await moss_with_channel(sessions)
    await allow_tenant(sessions, TENANT, "Moss")
    async with sessions() as session, session.begin():
        team = Team(
            tenant_id=TENANT,
            kind="network",
            name=NETWORK_NAME,
            teams_team_id=TEAMS_TEAM_ID,
            channel_id=NETWORK_CHANNEL,
        )
        session.add(team)
        await session.flush()
        for aad in (COORDINATOR, READER):
            session.add(
                Membership(team_id=team.id, tenant_id=TENANT, aad_object_id=aad, role="network")
            )
        return team.id


async def with_network(bot_url: str, connector: Any, sessions: Any) -> Channel:
    await network(sessions)
    channel = Channel(bot_url, connector)
    assert await channel.add_bot() < 300
    for who in (COORDINATOR, READER, OUTSIDER):
        await member_chat(bot_url, connector, who).say("hei")
    return channel


def network_posts(channel: Channel) -> list[dict[str, Any]]:
    return [p for p in channel.posts() if p.get("_conversation") == NETWORK_CHANNEL]


def last_card(replies: list[dict[str, Any]]) -> dict[str, Any]:
    with_cards = [r for r in replies if cards_in(r)]
    assert with_cards, replies
    return with_cards[-1]


async def preview(chat: Chat, **changes: str) -> dict[str, Any]:
    """'del erfaring', the form filled in with FORM and sent for review: the preview reply."""
    form = await chat.say("del erfaring")
    action = find_action(last_card(form), command="preview")
    return last_card(await chat.tap(action, **{**FORM, **changes}))


async def shared(bot_url: str, connector: Any, sessions: Any, server: Any) -> Channel:
    """The coordinator's experience shared, confirmed and posted."""
    channel = await with_network(bot_url, connector, sessions)
    author = member_chat(bot_url, connector, COORDINATOR)
    shown = await preview(author)
    await author.tap(find_action(shown, command="confirm"))
    await remind(server, NOW)
    return channel


async def test_the_preview_marks_every_replacement_and_shares_nothing_yet(
    bot_server, bot_url, connector, sessions
):
    channel = await with_network(bot_url, connector, sessions)

    shown = all_text(await preview(member_chat(bot_url, connector, COORDINATOR)))
    await remind(bot_server, NOW)

    assert "**[navn]** har demens" in shown and "**[telefon]**" in shown
    assert "«Kari Nordmann»" in shown  # the author sees what was taken out, in their own chat
    assert "Kari Nordmann har demens" not in shown
    assert network_posts(channel) == []
    async with sessions() as session:
        assert (await session.execute(select(Experience))).scalars().all() == []


async def test_confirming_posts_it_once_in_the_network_channel_without_identifiers(
    bot_server, bot_url, connector, sessions
):
    channel = await with_network(bot_url, connector, sessions)
    author = member_chat(bot_url, connector, COORDINATOR)
    confirm = find_action(await preview(author), command="confirm")

    done = all_text(last_card(await author.tap(confirm)))
    await remind(bot_server, NOW)
    again = await author.tap(confirm)  # a double tap
    await remind(bot_server, NOW)

    assert "Erfaringen er delt" in done
    posts = network_posts(channel)
    assert len(posts) == 1
    posted = all_text(posts[0]["activity"])
    assert "Økonomiske overgrep" in posted and "[navn] har demens" in posted
    for identifier in IDENTIFIERS:
        assert identifier not in posted
    assert "allerede delt" in all_text(again[-1])


async def test_a_confirmation_of_an_unknown_draft_is_answered_plainly(
    bot_server, bot_url, connector, sessions
):
    channel = await with_network(bot_url, connector, sessions)
    author = member_chat(bot_url, connector, COORDINATOR)
    confirm = find_action(await preview(author), command="confirm")

    forged = await author.tap({**confirm, "draft": "f" * 32})
    odd = await author.tap({**confirm, "draft": "not an id"})
    await remind(bot_server, NOW)

    assert "finnes ikke lenger" in all_text(forged[-1])
    assert all_text(odd[-1]) == text("nb", "unknown_action")
    assert network_posts(channel) == []


async def test_a_confirmation_of_an_older_preview_shows_the_new_one_and_shares_nothing(
    bot_server, bot_url, connector, sessions
):
    channel = await with_network(bot_url, connector, sessions)
    author = member_chat(bot_url, connector, COORDINATOR)
    first = find_action(await preview(author), command="confirm")
    edit = await author.tap(find_action(await preview(author), command="edit"))
    # The second form was changed and reviewed; the first preview's button is pressed.
    form = find_action(last_card(edit), command="preview")
    await author.tap(form, **{**FORM, "worked": "Det hjalp å ha verge."})

    replies = await author.tap({**first, "draft": form["draft"]})
    await remind(bot_server, NOW)

    assert "endret i mellomtiden" in all_text(replies[0])
    assert "Det hjalp å ha verge." in all_text(replies[-1])
    assert network_posts(channel) == []


async def test_another_member_finds_it_with_a_different_word_form(
    bot_server, bot_url, connector, sessions
):
    await shared(bot_url, connector, sessions, bot_server)
    reader = member_chat(bot_url, connector, READER)

    found = all_text(last_card(await reader.say("søk erfaringer utnyttet demente")))
    filtered = all_text(
        last_card(
            await reader.tap(
                {"tryggest": "experience", "command": "search"}, q="utnytte", violence="physical"
            )
        )
    )

    assert "Erfaringer om «utnyttet demente»" in found
    assert "Økonomiske overgrep" in found and "[navn] har demens" in found
    assert "Ingen erfaringer passet" in filtered


async def test_someone_outside_the_network_finds_nothing_and_is_told_why(
    bot_server, bot_url, connector, sessions
):
    await shared(bot_url, connector, sessions, bot_server)
    outsider = member_chat(bot_url, connector, OUTSIDER)

    answer = all_text((await outsider.say("søk erfaringer utnyttelse"))[-1])
    form = all_text((await outsider.say("del erfaring"))[-1])

    assert "ikke med i et TryggEst-nettverk" in answer and "[navn]" not in answer
    assert "ikke er med i et TryggEst-nettverk" in form


async def test_useful_in_the_channel_updates_the_count_and_refuses_outsiders(
    bot_server, bot_url, connector, sessions
):
    channel = await shared(bot_url, connector, sessions, bot_server)
    card = card_of(network_posts(channel)[0])

    status, body = await channel.press(READER, card, "useful")
    _, outsider = await channel.press(OUTSIDER, card, "useful")
    _, own = await channel.press(COORDINATOR, card, "useful")

    assert status == 200 and "Nyttig (1)" in str(answered_card(body))
    assert "Bare de som er med i nettverket" in answered_message(outsider)
    assert "din egen erfaring" in answered_message(own)
    async with sessions() as session:
        assert (await session.execute(select(Experience.useful_count))).scalar_one() == 1


async def test_forged_useful_presses_get_a_plain_answer(bot_server, bot_url, connector, sessions):
    channel = await shared(bot_url, connector, sessions, bot_server)
    action = find_execute(card_of(network_posts(channel)[0]), "useful")

    _, unknown = await channel.invoke(READER, {**action["data"], "experience": "a" * 32})
    _, garbled = await channel.invoke(READER, {**action["data"], "experience": ["x"]})
    _, wrong_view = await channel.invoke(READER, {**action["data"], "view": "somewhere"})

    assert "finner ikke denne erfaringen" in answered_message(unknown)
    for body in (garbled, wrong_view):
        assert answered_message(body)  # a plain sentence, not an error
    async with sessions() as session:
        assert (await session.execute(select(Experience.useful_count))).scalar_one() == 0


async def test_the_network_coordinator_gets_one_digest_a_month(
    bot_server, bot_url, connector, sessions
):
    await shared(bot_url, connector, sessions, bot_server)
    author = member_chat(bot_url, connector, COORDINATOR)
    second = find_action(await preview(author, worked="Det hjalp å ha verge."), command="confirm")
    await author.tap(second)
    await remind(bot_server, NOW)
    before = len(to(connector, COORDINATOR))

    # 1 December 09.00 in Oslo is 08.00 UTC.
    await remind(bot_server, datetime(2026, 12, 1, 7, 59, tzinfo=UTC))
    assert len(to(connector, COORDINATOR)) == before
    await remind(bot_server, datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    await remind(bot_server, datetime(2026, 12, 15, 8, 0, tzinfo=UTC))

    digests = [a for a in to(connector, COORDINATOR)[before:] if "Nye erfaringer" in all_text(a)]
    assert len(digests) == 1
    assert "november 2026" in all_text(digests[0]) and "2 nye erfaringer" in all_text(digests[0])
    # The reader is in the network but coordinates no team.
    assert not [a for a in to(connector, READER) if "Nye erfaringer" in all_text(a)]


async def test_a_coordinator_starts_one_from_a_closed_case_without_its_identifiers(
    bot_server, bot_url, connector, sessions
):
    await reported(bot_url, connector, sessions, bot_server)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Case).values(
                status="closed",
                closed_at=NOW,
                position="guide",
                measures=["gp", "home_care"],
                outcome="ordinary_services",
            )
        )
    network_id = await _network_only(sessions)
    assert network_id
    author = member_chat(bot_url, connector, COORDINATOR)

    form = all_text(last_card(await author.say("del erfaring TE-2026-0001")))

    assert "Fylt ut fra TE-2026-0001" in form
    assert "Veiviser" in form or "veiviser" in form
    for identifier in ("Kari", "Nordmann", "915 55 123", "Storgata"):
        assert identifier not in form
    async with sessions() as session:
        logged = (
            (
                await session.execute(
                    select(AccessLogEntry.action).where(
                        AccessLogEntry.case_number == "TE-2026-0001"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert "case.view_identifiable" in logged  # the name, read to take it out again, is logged


async def test_a_member_cannot_start_one_from_a_case(bot_server, bot_url, connector, sessions):
    await reported(bot_url, connector, sessions, bot_server)
    async with sessions() as session, session.begin():
        await session.execute(update(Case).values(status="closed", closed_at=NOW))
    team_id = await _network_only(sessions)
    async with sessions() as session, session.begin():
        session.add(
            Membership(team_id=team_id, tenant_id=TENANT, aad_object_id=OUTSIDER, role="network")
        )

    answer = all_text(
        (await member_chat(bot_url, connector, OUTSIDER).say("del erfaring TE-2026-0001"))[-1]
    )

    assert "Bare koordinatoren" in answer


async def _network_only(sessions: Any) -> str:
    """A network team (in the same Teams team) with Moss's coordinator in it."""
    async with sessions() as session, session.begin():
        team = Team(
            tenant_id=TENANT,
            kind="network",
            name=NETWORK_NAME,
            teams_team_id=TEAMS_TEAM_ID,
            channel_id=NETWORK_CHANNEL,
        )
        session.add(team)
        await session.flush()
        session.add(
            Membership(team_id=team.id, tenant_id=TENANT, aad_object_id=COORDINATOR, role="network")
        )
        return team.id
