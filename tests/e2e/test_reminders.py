"""Casework and half-year reminders end to end: a report is made and worked through /api/messages,
the bot's own reminder sweep runs at the (fast-forwarded) time the test says, and what reaches
each person's chat is checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from storage.models import (
    Membership,
    Municipality,
    Reminder,
    ReportSubmission,
    Team,
    TeamMunicipality,
)
from tests.conftest import NOW, deliver, remind
from tests.e2e.channel import (
    COORDINATOR,
    MEMBER,
    OTHER_MEMBER,
    REPORTER,
    Channel,
    member_chat,
    moss_with_channel,
)
from tests.e2e.test_case_channel import answered_card, reported, thread_card, to
from tests.support import TENANT, all_text

LEADER = "moss-leader"
# The report is made at NOW: Saturday 28 November 2026, 13.00 in Oslo. Three working days
# later is Wednesday 2 December; six is Monday 7 December (mornings at 08.00, UTC+1).
THIRD_WORKING_DAY = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
SIXTH_WORKING_DAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


async def reported_a_while_ago(
    bot_url: str, connector: Any, sessions: Any, server: Any, organise: bool = True
) -> Channel:
    """A report made and delivered at NOW, and the coordinators' preview of its free text hidden
    again ten minutes later, as it is long before any casework reminder falls due."""
    channel = await reported(bot_url, connector, sessions, server, organise=organise)
    await remind(server, NOW + timedelta(minutes=10))
    return channel


def texts(connector: Any, who: str) -> list[str]:
    return [all_text(a) for a in to(connector, who)]


async def with_leadership(sessions: Any) -> None:
    """A leadership team for Moss with one leader."""
    async with sessions() as session, session.begin():
        moss = (await session.execute(select(Municipality.id))).scalar_one()
        team = Team(tenant_id=TENANT, kind="leadership", name="Lederteamet i Moss")
        session.add(team)
        await session.flush()
        session.add(TeamMunicipality(team_id=team.id, municipality_id=moss))
        session.add(
            Membership(
                team_id=team.id,
                tenant_id=TENANT,
                aad_object_id=LEADER,
                role="leader",
                display_name="Kari Leder",
            )
        )


async def organised_with_leadership(sessions: Any) -> None:
    # The organisation must exist before the report plans its reminders.
    await moss_with_channel(sessions)
    await with_leadership(sessions)


async def test_an_unassessed_report_reminds_the_coordinator_then_the_leadership(
    bot_server, bot_url, connector, sessions
):
    await organised_with_leadership(sessions)
    await reported_a_while_ago(bot_url, connector, sessions, bot_server, organise=False)
    await member_chat(bot_url, connector, LEADER).say("hei")

    before = await remind(bot_server, THIRD_WORKING_DAY - timedelta(minutes=1))
    at_three = await remind(bot_server, THIRD_WORKING_DAY)
    at_six = await remind(bot_server, SIXTH_WORKING_DAY)

    # The coordinators (Moss has two) at three working days, the leader at six.
    assert (before["sent"], at_three["sent"], at_six["sent"]) == (0, 2, 1)
    [coordinator] = [t for t in texts(connector, COORDINATOR) if "er ikke vurdert" in t]
    assert "TE-2026-0001" in coordinator and "3 arbeidsdager" in coordinator
    assert "skulle kommet" not in coordinator  # on time
    [leader] = [t for t in texts(connector, LEADER) if "venter på vurdering" in t]
    assert "TE-2026-0001 i Moss" in leader and "6 arbeidsdager" in leader
    for detail in ("Kari", "Nordmann", "blåmerker", "Demens"):
        assert detail not in leader  # leaders see a number, not a case


async def test_assessing_the_case_in_time_cancels_its_reminders(
    bot_server, bot_url, connector, sessions
):
    channel = await reported_a_while_ago(bot_url, connector, sessions, bot_server)
    await channel.press(MEMBER, thread_card(channel), "classify", classification="should")

    counts = await remind(bot_server, SIXTH_WORKING_DAY)

    assert counts["sent"] == 0
    assert not any("er ikke vurdert" in t for t in texts(connector, COORDINATOR))


async def test_a_follow_up_date_reminds_whoever_has_the_case_that_morning(
    bot_server, bot_url, connector, sessions
):
    channel = await reported_a_while_ago(bot_url, connector, sessions, bot_server)
    _, body = await channel.press(MEMBER, thread_card(channel), "take")
    card = answered_card(body)
    await channel.press(MEMBER, card, "classify", classification="must")
    await member_chat(bot_url, connector, MEMBER).say("hei")
    _, body = await channel.press(MEMBER, thread_card(channel), "follow_up", follow_up="2027-03-28")

    # 28 March 2027 is the day summer time starts: 08.00 in Oslo is 06.00 UTC.
    await remind(bot_server, datetime(2027, 3, 28, 5, 59, tzinfo=UTC))
    assert not [t for t in texts(connector, MEMBER) if "følges opp" in t]
    await remind(bot_server, datetime(2027, 3, 28, 6, 0, tzinfo=UTC))

    [reminder] = [t for t in texts(connector, MEMBER) if "følges opp" in t]
    assert "TE-2026-0001" in reminder and "28. mars 2027" in reminder


async def test_a_reassigned_case_drops_the_old_assignees_follow_up(
    bot_server, bot_url, connector, sessions
):
    channel = await reported_a_while_ago(bot_url, connector, sessions, bot_server)
    await channel.press(MEMBER, thread_card(channel), "take")
    await channel.press(MEMBER, thread_card(channel), "classify", classification="must")
    await channel.press(MEMBER, thread_card(channel), "follow_up", follow_up="2026-12-10")
    await channel.press(COORDINATOR, thread_card(channel), "assign", assignee=OTHER_MEMBER)
    for who in (MEMBER, OTHER_MEMBER):
        await member_chat(bot_url, connector, who).say("hei")

    await remind(bot_server, datetime(2026, 12, 10, 7, 0, tzinfo=UTC))

    assert not any("følges opp" in t for t in texts(connector, MEMBER))
    assert sum("følges opp" in t for t in texts(connector, OTHER_MEMBER)) == 1


async def test_closing_a_case_drops_all_its_pending_reminders(
    bot_server, bot_url, connector, sessions
):
    channel = await reported_a_while_ago(bot_url, connector, sessions, bot_server)
    await channel.press(MEMBER, thread_card(channel), "take")
    await channel.press(MEMBER, thread_card(channel), "follow_up", follow_up="2026-12-10")
    await channel.press(COORDINATOR, thread_card(channel), "close", outcome="no_grounds")

    counts = await remind(bot_server, datetime(2026, 12, 31, tzinfo=UTC))

    async with sessions() as session:
        pending = (
            (await session.execute(select(Reminder).where(Reminder.state == "pending")))
            .scalars()
            .all()
        )
        archive = (
            (await session.execute(select(Reminder).where(Reminder.kind == "archive_waiting")))
            .scalars()
            .all()
        )
    assert [r.kind for r in pending if r.case_id] == []
    # Only the team's word that the closed case waits to be archived is sent now, one to
    # each of the team's coordinators.
    assert archive and counts["sent"] == len(archive)


async def test_a_reminder_missed_during_downtime_comes_once_saying_when_it_was_due(
    bot_server, bot_url, connector, sessions
):
    await reported_a_while_ago(bot_url, connector, sessions, bot_server)

    # The bot was down from before the third working day until a week later.
    week_late = THIRD_WORKING_DAY + timedelta(days=7)
    await remind(bot_server, week_late)
    await remind(bot_server, week_late + timedelta(hours=1))

    late = [t for t in texts(connector, COORDINATOR) if "er ikke vurdert" in t]
    assert len(late) == 1
    assert "skulle kommet 2. desember 2026 kl. 08.00" in late[0]


async def test_half_year_reminders_come_before_the_deadline_until_the_report_is_marked_sent(
    bot_server, bot_url, connector, sessions
):
    _, team_id = await moss_with_channel(sessions)
    await member_chat(bot_url, connector, COORDINATOR).say("hei")
    # 2026H2 is due 15 February 2027: reminded 16 January, 1 and 12 February, and on the day,
    # at 09.00 in Oslo.
    thirty_before = datetime(2027, 1, 16, 8, 0, tzinfo=UTC)

    assert (await remind(bot_server, thirty_before - timedelta(minutes=1)))["sent"] == 0
    assert (await remind(bot_server, thirty_before))["sent"] == 2  # Moss has two coordinators
    [first] = [t for t in texts(connector, COORDINATOR) if "Halvårsrapport 2026H2" in t]
    assert "15. februar 2027" in first and "30 dager" in first
    assert "Lag rapporten" in first and "Marker som sendt" in first

    async with sessions() as session, session.begin():
        session.add(
            ReportSubmission(
                team_id=team_id,
                period="2026H2",
                tenant_id=TENANT,
                submitted_by_tenant_id=TENANT,
                submitted_by_aad_object_id=COORDINATOR,
                report={},
            )
        )
    counts = await remind(bot_server, datetime(2027, 2, 15, 12, 0, tzinfo=UTC))

    assert counts["sent"] == 0
    assert sum("Halvårsrapport 2026H2" in t for t in texts(connector, COORDINATOR)) == 1


async def test_someone_the_bot_cannot_reach_is_recorded_and_the_coordinator_told(
    bot_server, bot_url, connector, sessions
):
    channel = await reported_a_while_ago(bot_url, connector, sessions, bot_server)
    await channel.press(MEMBER, thread_card(channel), "take")
    await channel.press(MEMBER, thread_card(channel), "classify", classification="must")
    await channel.press(MEMBER, thread_card(channel), "follow_up", follow_up="2026-12-10")
    await deliver(bot_server)  # the reporter's status updates, before the failure is set
    # The member never wrote to the bot, and Teams refuses to open a chat with them.
    from tests.support import Failure

    connector.fail_next.append(Failure(403, code="Forbidden"))

    counts = await remind(bot_server, datetime(2026, 12, 10, 7, 0, tzinfo=UTC))

    assert counts["unreachable"] == 1
    told = [t for t in texts(connector, COORDINATOR) if "kom ikke fram" in t]
    assert len(told) == 1 and "Marte Medlem" in told[0]
    assert REPORTER not in told[0]


async def test_a_reminder_teams_refuses_for_now_arrives_once_on_a_later_sweep(
    bot_server, bot_url, connector, sessions
):
    from tests.support import Failure

    await reported_a_while_ago(bot_url, connector, sessions, bot_server)
    # The first reminder sent is answered 503 for longer than the bot waits within one try.
    connector.fail_next.append(Failure(503, {"Retry-After": "120"}, method="POST"))

    first = await remind(bot_server, THIRD_WORKING_DAY)
    later = await remind(bot_server, THIRD_WORKING_DAY + timedelta(hours=2))

    assert (first["retry"], first["unreachable"], later["sent"]) == (1, 0, 1), (first, later)
    reminded = [a["_conversation"] for a in connector.received if "er ikke vurdert" in all_text(a)]
    assert len(reminded) == first["sent"] + later["sent"] == len(set(reminded))
