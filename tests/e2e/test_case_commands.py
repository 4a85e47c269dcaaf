"""A team member's look at a case through /api/messages: allowed for the team that serves the
municipality, refused in plain words for anyone else, forged card actions included, and every
look in the access log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import AccessLogEntry, Case, Membership
from tests.conftest import add_municipality
from tests.e2e.test_report_dialogue import NAME, answer_up_to_summary_with_consent, last
from tests.support import OTHER_TENANT, TENANT, Chat, all_text, find_action, fixture

MOSS_MEMBER = "moss-member"
MOSS_COORDINATOR = "moss-coordinator"
RADE_MEMBER = "rade-member"


async def setting(sessions: Any) -> None:
    """Moss and Råde in one tenant, each with its own team; a report in Moss."""
    _, moss_team = await add_municipality(sessions, "Moss")
    _, rade_team = await add_municipality(sessions, "Råde")
    async with sessions() as session, session.begin():
        session.add_all(
            [
                Membership(
                    team_id=moss_team,
                    tenant_id=TENANT,
                    aad_object_id=MOSS_MEMBER,
                    role="member",
                    display_name="Marte Moss",
                ),
                Membership(
                    team_id=moss_team,
                    tenant_id=TENANT,
                    aad_object_id=MOSS_COORDINATOR,
                    role="coordinator",
                    display_name="Lars Moss",
                ),
                Membership(
                    team_id=rade_team,
                    tenant_id=TENANT,
                    aad_object_id=RADE_MEMBER,
                    role="member",
                    display_name="Rita Råde",
                ),
            ]
        )


async def moss_case_id(sessions: Any) -> str:
    async with sessions() as session:
        return (
            await session.execute(select(Case.id).where(Case.number == "TE-2026-0001"))
        ).scalar_one()


async def log_rows(sessions: Any, who: str) -> list[tuple[str, bool]]:
    async with sessions() as session:
        rows = await session.execute(
            select(AccessLogEntry.action, AccessLogEntry.allowed)
            .where(AccessLogEntry.actor_aad_object_id == who)
            .order_by(AccessLogEntry.id)
        )
        return [(a, bool(ok)) for a, ok in rows.all()]


async def test_a_member_of_the_serving_team_sees_the_case_without_names_first(
    bot_url, connector, sessions
):
    await setting(sessions)
    chat = Chat(bot_url, connector, aad_object_id="reporter")
    await report_with_municipality(chat, "Moss")
    member = Chat(bot_url, connector, aad_object_id=MOSS_MEMBER)

    r = await member.say("vis TE-2026-0001")

    shown = all_text(last(r))
    assert "Sak TE-2026-0001" in shown
    assert "Demens" in shown
    assert NAME not in shown
    assert await log_rows(sessions, MOSS_MEMBER) == [("case.view_anonymised", True)]


async def test_personal_details_are_shown_behind_a_button_and_the_read_is_logged(
    bot_url, connector, sessions
):
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    member = Chat(bot_url, connector, aad_object_id=MOSS_MEMBER)
    r = await member.say("vis TE-2026-0001")

    r = await member.tap(find_action(last(r), command="show_personal"))

    assert NAME in all_text(last(r))
    assert ("case.view_identifiable", True) in await log_rows(sessions, MOSS_MEMBER)


async def test_a_member_of_another_municipality_is_told_there_is_no_such_case(
    bot_url, connector, sessions
):
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")

    r = await Chat(bot_url, connector, aad_object_id=RADE_MEMBER).say("vis TE-2026-0001")

    assert "fant ingen sak TE-2026-0001" in all_text(last(r))
    assert NAME not in str(r)


async def test_a_forged_card_action_for_another_municipalitys_case_is_refused_and_logged(
    bot_url, connector, sessions
):
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    forged = {"tryggest": "case", "command": "show_personal", "case": await moss_case_id(sessions)}

    r = await Chat(bot_url, connector, aad_object_id=RADE_MEMBER).tap(forged)

    assert "ikke tilgang" in all_text(last(r))
    assert NAME not in str(r)
    assert await log_rows(sessions, RADE_MEMBER) == [("case.view_identifiable", False)]


async def test_a_forged_card_action_from_another_tenant_is_refused(bot_url, connector, sessions):
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    forged = {"tryggest": "case", "command": "show_personal", "case": await moss_case_id(sessions)}
    # Same object id as a Moss member, but another tenant: a different person.
    outsider = Chat(bot_url, connector, tenant=OTHER_TENANT, aad_object_id=MOSS_MEMBER)

    r = await outsider.tap(forged)

    assert NAME not in str(r)
    assert "ikke tilgang" in all_text(last(r))


async def test_a_reporter_without_a_role_cannot_open_cases(bot_url, connector, sessions):
    await setting(sessions)
    reporter = Chat(bot_url, connector, aad_object_id="reporter")
    await report_with_municipality(reporter, "Moss")
    r = await reporter.say("vis TE-2026-0001")
    assert "fant ingen sak" in all_text(last(r))


async def test_the_coordinator_sees_who_has_seen_the_case(bot_url, connector, sessions):
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    member = Chat(bot_url, connector, aad_object_id=MOSS_MEMBER)
    r = await member.say("vis TE-2026-0001")
    await member.tap(find_action(last(r), command="show_personal"))

    r = await Chat(bot_url, connector, aad_object_id=MOSS_COORDINATOR).say(
        "hvem har sett TE-2026-0001"
    )

    shown = all_text(last(r))
    assert "Marte Moss" in shown
    assert "så personopplysningene" in shown


async def test_a_member_may_not_read_the_access_log(bot_url, connector, sessions):
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    r = await Chat(bot_url, connector, aad_object_id=MOSS_MEMBER).say("hvem har sett TE-2026-0001")
    assert "fant ingen sak" in all_text(last(r))


async def test_the_access_review_flags_a_read_by_someone_not_assigned(bot_url, connector, sessions):
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    member = Chat(bot_url, connector, aad_object_id=MOSS_MEMBER)
    r = await member.say("vis TE-2026-0001")
    await member.tap(find_action(last(r), command="show_personal"))

    r = await Chat(bot_url, connector, aad_object_id=MOSS_COORDINATOR).say("tilgangsgjennomgang")

    shown = all_text(last(r))
    assert "TE-2026-0001" in shown
    assert "⚠" in shown and "Marte Moss" in shown


async def test_a_case_is_never_opened_in_a_channel(bot_url, connector, sessions):
    await setting(sessions)
    activity = fixture("02_message_channel_thread_reply_mention.json")
    activity["serviceUrl"] = connector.url
    activity["locale"] = "nb-NO"
    activity["text"] = "<at>ridotest</at> vis TE-2026-0001"

    replies = await Chat(bot_url, connector).post(activity)

    assert "privat chat" in all_text(replies[-1])


async def report_with_municipality(chat: Chat, municipality: str) -> None:
    """A consented report; with several municipalities the reporter picks one."""
    summary = await answer_up_to_summary_with_consent(chat, municipality)
    r = await chat.tap(find_action(last(summary), command="send"))
    assert "TE-2026-0001" in all_text(last(r))
