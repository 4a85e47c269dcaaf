"""Local adaptation through /api/messages: two municipalities with their own risk checklists,
partner services and tiltakskort each see their own, on the case card in their channel and on
the help card; a change to the file shows at once; an unadapted team has Bufdir's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from domain.adaptation import Partner, RiskQuestion, TeamAdaptation
from storage.models import Team
from tests.conftest import add_municipality, deliver
from tests.e2e.channel import MEMBER, find_execute, member_chat, moss_with_channel
from tests.e2e.test_case_channel import reported, thread_card
from tests.e2e.test_report_dialogue import last
from tests.support import Chat, all_text

OTHER_TENANT = "99999999-8888-7777-6666-555555555555"
MOSS = TeamAdaptation(
    risk_questions=(
        RiskQuestion("kveld", "Er personen i fare i kveld?"),
        RiskQuestion("penger", "Har noen tatt over pengene?"),
    ),
    partners=(Partner("Overgrepsmottaket i Østfold", "69 86 00 00", "hele døgnet"),),
    tiltakskort="Moss: ring 112 om noen er i fare, og meld i TryggEst samme dag.",
)
HALDEN = TeamAdaptation(tiltakskort="Halden: snakk med lederen din før du melder.")


async def adapt(sessions: Any, team_id: str, adaptation: TeamAdaptation) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(Team).where(Team.id == team_id).values(adaptation=adaptation.to_json())
        )


def risk_questions_on(card: dict[str, Any]) -> list[str]:
    """The questions of the card's risk form (its inputs sit in the ShowCard with its button)."""
    assert find_execute(card, "risk")
    shown: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("id") == "risk_answers":
                shown.extend(c["title"] for c in node.get("choices", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return shown


async def test_each_municipality_sees_its_own_checklist_partners_and_tiltakskort(
    bot_server, bot_url, connector, sessions
):
    _, moss_team = await moss_with_channel(sessions)
    await adapt(sessions, moss_team, MOSS)
    _, halden_team = await add_municipality(sessions, "Halden", tenant_id=OTHER_TENANT)
    await adapt(sessions, halden_team, HALDEN)
    channel = await reported(bot_url, connector, sessions, bot_server, organise=False)

    assert risk_questions_on(thread_card(channel)) == [
        "Er personen i fare i kveld?",
        "Har noen tatt over pengene?",
    ]
    member_help = all_text(last(await member_chat(bot_url, connector, MEMBER).say("hjelp")))
    assert "Moss: ring 112" in member_help
    assert "Overgrepsmottaket i Østfold" in member_help and "69 86 00 00" in member_help
    halden = Chat(bot_url, connector, aad_object_id="halden-employee", tenant=OTHER_TENANT)
    halden_help = all_text(last(await halden.say("hjelp")))
    assert "Halden: snakk med lederen din" in halden_help and "Moss:" not in halden_help
    assert "Overgrepsmottaket" not in halden_help


async def test_a_change_to_the_checklist_shows_on_the_next_card_drawn(
    bot_server, bot_url, connector, sessions
):
    _, moss_team = await moss_with_channel(sessions)
    channel = await reported(bot_url, connector, sessions, bot_server, organise=False)
    assert "Pågår volden nå, eller skjedde den nylig?" in risk_questions_on(thread_card(channel))

    await adapt(sessions, moss_team, MOSS)
    status, body = await channel.press(MEMBER, thread_card(channel), "take")
    await deliver(bot_server)

    assert status == 200
    assert risk_questions_on(body["value"])[0] == "Er personen i fare i kveld?"
