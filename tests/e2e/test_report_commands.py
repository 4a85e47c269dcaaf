"""The half-year report in Teams, end to end through /api/messages on SQLite and PostgreSQL:
"rapport 2026H1" gives the summary card and the Excel file offered by file consent; the
download link works once, for minutes, for its person only; "Marker som sendt" freezes the
numbers and stops the period's reminders; leaders see the same aggregates and no case."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from openpyxl import load_workbook
from sqlalchemy import delete, select, update

from bot.app import create_app
from cards.statistics_cards import row_label, section_title
from domain.ids import new_id
from storage.models import (
    AccessLogEntry,
    Case,
    DownloadToken,
    Membership,
    Reminder,
    ReportSubmission,
    Team,
    TeamMunicipality,
)
from tests.conftest import NOW, settings_for, start_bot
from tests.e2e.test_report_dialogue import asks, last
from tests.storage.statistics_cases import EXPECTED_H1, Setting, add_cases, utc
from tests.support import TENANT, Chat, all_text, cards_in, find_action

COORDINATOR = "coord-1"
LEADER = "leader-1"
MEMBER = "member-1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"


class Clock:
    def __init__(self) -> None:
        self.at = NOW


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def bot_server(engine: Any, database_url: str, clock: Clock) -> Any:
    """The bot with threshold 1, so that every number of the hand-made set shows: what is
    checked here is the way through Teams; suppression has tests of its own (and one here).
    Its clock is the test's to move."""
    settings = settings_for(database_url, TRYGGEST_STATS_THRESHOLD="1")
    server = TestServer(create_app(settings, now=lambda: clock.at), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


async def setting(sessions: Any) -> Setting:
    """The hand-made Moss and Råde cases; a leadership team over both, a team member."""
    world = await add_cases(sessions)
    async with sessions() as session, session.begin():
        leaders = Team(tenant_id=TENANT, kind="leadership", name="Lederteamet")
        session.add(leaders)
        await session.flush()
        session.add_all(
            [
                TeamMunicipality(team_id=leaders.id, municipality_id=world.moss),
                TeamMunicipality(team_id=leaders.id, municipality_id=world.rade),
                Membership(
                    team_id=leaders.id, tenant_id=TENANT, aad_object_id=LEADER, role="leader"
                ),
                Membership(
                    team_id=world.team, tenant_id=TENANT, aad_object_id=MEMBER, role="member"
                ),
            ]
        )
    return world


def ours(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The replies of the turn, without the monthly access review that the bot's background
    loop may send a coordinator at any moment."""
    return [r for r in replies if "Tilgangsgjennomgang" not in all_text(r)]


def said(replies: list[dict[str, Any]]) -> str:
    return "\n".join(all_text(r) for r in ours(replies))


def the_card(replies: list[dict[str, Any]]) -> dict[str, Any]:
    found = [c for r in ours(replies) for c in cards_in(r)]
    assert found, f"no card in {replies}"
    return found[0]


def download_url(card: dict[str, Any]) -> str:
    urls = [a["url"] for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]
    assert len(urls) == 1
    return urls[0]


def elements(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if "type" in node:
            found.append(node)
        for value in node.values():
            found += elements(value)
    elif isinstance(node, list):
        for item in node:
            found += elements(item)
    return found


async def fetch(bot_url: str, link: str) -> tuple[int, bytes, dict[str, str]]:
    """The link as a browser opens it (on the test server's own address)."""
    parts = urlsplit(link)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot_url}{parts.path}?{parts.query}") as response:
            return response.status, await response.read(), dict(response.headers)


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(content))
    return list(book.worksheets[0].iter_rows(values_only=True))


async def test_a_coordinator_gets_the_summary_card_with_charts_and_a_table_fallback(
    bot_url, connector, sessions
):
    await setting(sessions)
    coordinator = Chat(bot_url, connector, aad_object_id=COORDINATOR)

    replies = await coordinator.say("rapport 2026H1")

    card = the_card(replies)
    shown = said(replies)
    assert "Halvårsrapport for 1. halvår 2026" in shown
    assert "Moss og Råde" in shown
    facts = {f["title"]: f["value"] for e in elements(card["body"][:4]) for f in e.get("facts", [])}
    assert facts["Meldinger mottatt"] == "6"
    assert facts["Avsluttet i perioden"] == "5"
    assert facts["Åpne ved periodens slutt"] == "6"
    assert facts["Median dager til vurdering"] == "3,0"
    assert facts["Median dager til avslutning"] == "151,0"
    charts = [e for e in elements(card["body"]) if e["type"].startswith("Chart.")]
    assert {c["type"] for c in charts} == {"Chart.Donut", "Chart.HorizontalBar"}
    violence = next(c for c in charts if c["title"] == "Type vold")
    assert violence["data"] == [
        {"x": "Psykisk vold", "y": 4.0},
        {"x": "Fysisk vold", "y": 1.0},
        {"x": "Seksuelle overgrep", "y": 1.0},
        {"x": "Økonomiske overgrep / utnyttelse", "y": 1.0},
        {"x": "Omsorgssvikt", "y": 1.0},
    ]
    # For a client without charts: the same numbers as a plain table.
    table = violence["fallback"]
    assert table["type"] == "FactSet"
    assert [(f["title"], f["value"]) for f in table["facts"]] == [
        (d["x"], str(int(d["y"]))) for d in violence["data"]
    ]
    assert "Marker som sendt" in [a["title"] for a in card["actions"]]
    assert "TE-2026" not in str(replies)


async def test_with_the_usual_threshold_small_numbers_read_less_than_three(
    engine, database_url, connector, sessions
):
    await setting(sessions)
    server = await start_bot(database_url)  # threshold 3
    try:
        bot = str(server.make_url("")).rstrip("/")
        card = the_card(await Chat(bot, connector, aad_object_id=COORDINATOR).say("rapport 2026H1"))
    finally:
        await server.close()

    violence = next(
        e
        for e in elements(card["body"])
        if e.get("title") == "Type vold"
        or (e.get("type") == "Container" and "Fysisk vold" in str(e))
    )
    table = violence.get("fallback", violence)["items"][1]
    assert {f["title"]: f["value"] for f in table["facts"]} == {
        "Psykisk vold": "x",  # 3 in Moss beside Råde's "<3": the total would give Råde away
        "Fysisk vold": "<3",
        "Seksuelle overgrep": "<3",
        "Økonomiske overgrep / utnyttelse": "<3",
        "Omsorgssvikt": "<3",
    }
    assert "«<3» betyr færre enn 3" in str(card)


async def test_the_excel_file_is_offered_for_onedrive_with_file_consent(
    bot_url, connector, sessions
):
    await setting(sessions)
    replies = await Chat(bot_url, connector, aad_object_id=COORDINATOR).say("rapport 2026H1")

    consent = [
        a for r in replies for a in r.get("attachments", []) if a["contentType"] == FILE_CONSENT
    ]
    assert len(consent) == 1
    offer = consent[0]
    assert offer["name"] == "TryggEst-2026H1-TryggEst-Moss-og-Rade.xlsx"
    assert offer["content"]["sizeInBytes"] > 1000
    assert offer["content"]["acceptContext"]["period"] == "2026H1"


class UploadUrl:
    """Stands in for the OneDrive upload session Teams gives in the accepted invoke."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.server: TestServer | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_put("/upload/{name}", self._put)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def _put(self, request: web.Request) -> web.Response:
        self.received.append((await request.read(), dict(request.headers)))
        return web.json_response(
            {"id": "onedrive-item", "name": request.match_info["name"]}, status=201
        )

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/upload/rapport.xlsx"))


@pytest.fixture
async def upload() -> Any:
    stand_in = UploadUrl()
    await stand_in.start()
    yield stand_in
    assert stand_in.server is not None
    await stand_in.server.close()


def consent_invoke(chat: Chat, action: str, context: dict[str, Any], upload_url: str) -> dict:
    activity = chat.activity(
        type="invoke",
        name="fileConsent/invoke",
        value={
            "type": "fileUpload",
            "action": action,
            "context": context,
            "uploadInfo": {
                "contentUrl": "https://contoso.sharepoint.com/personal/rapport.xlsx",
                "name": "rapport.xlsx",
                "uploadUrl": upload_url,
                "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
                "fileType": "xlsx",
            },
        },
        replyToId="reply-1",
    )
    activity.pop("text", None)
    return activity


async def test_accepting_the_file_uploads_it_to_the_url_teams_gave_and_shows_it(
    bot_url, connector, sessions, upload
):
    await setting(sessions)
    coordinator = Chat(bot_url, connector, aad_object_id=COORDINATOR)
    replies = await coordinator.say("rapport 2026H1")
    offer = next(
        a for r in replies for a in r.get("attachments", []) if a["contentType"] == FILE_CONSENT
    )

    shown = await coordinator.post(
        consent_invoke(coordinator, "accept", offer["content"]["acceptContext"], upload.url)
    )

    assert coordinator.last_status == 200
    [(content, headers)] = upload.received
    assert headers["Content-Range"] == f"bytes 0-{len(content) - 1}/{len(content)}"
    rows = sheet_rows(content)
    assert ("Meldinger i alt", 4, 2, 6) in rows
    [info] = [a for r in shown for a in r.get("attachments", [])]
    assert info["contentType"] == FILE_INFO
    assert info["contentUrl"] == "https://contoso.sharepoint.com/personal/rapport.xlsx"
    assert info["content"] == {
        "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
        "fileType": "xlsx",
    }


async def test_declining_the_file_uploads_nothing(bot_url, connector, sessions, upload):
    world = await setting(sessions)
    coordinator = Chat(bot_url, connector, aad_object_id=COORDINATOR)
    context = {"team": world.team, "period": "2026H1", "format": "xlsx", "lang": "nb"}

    replies = await coordinator.post(consent_invoke(coordinator, "decline", context, upload.url))

    assert upload.received == []
    assert "filen blir ikke lagret" in all_text(last(ours(replies)))


async def test_a_forged_file_consent_for_another_team_uploads_nothing(
    bot_url, connector, sessions, upload
):
    world = await setting(sessions)
    outsider = Chat(bot_url, connector, aad_object_id="someone-else")
    context = {"team": world.team, "period": "2026H1", "format": "xlsx", "lang": "nb"}

    replies = await outsider.post(consent_invoke(outsider, "accept", context, upload.url))

    assert upload.received == []
    assert "ikke lenger tilgang" in all_text(last(ours(replies)))


async def test_the_download_link_gives_the_excel_file_once(bot_url, connector, sessions):
    await setting(sessions)
    replies = await Chat(bot_url, connector, aad_object_id=COORDINATOR).say("rapport 2026H1")
    link = download_url(the_card(replies))
    assert link.startswith("http://localhost:3978/reports/download/")

    status, content, headers = await fetch(bot_url, link)

    assert status == 200
    assert headers["Content-Type"] == XLSX
    assert "attachment" in headers["Content-Disposition"]
    assert headers["Cache-Control"] == "no-store"
    rows = sheet_rows(content)
    assert rows[0] == ("TryggEst – halvårsrapport til Bufdir", None, None, None)
    for section, expected_rows in EXPECTED_H1.items():
        header = rows.index((section_title("nb", section), "Moss", "Råde", "I alt"))
        block = rows[header + 1 : rows.index((None, None, None, None), header)]
        for code, numbers in expected_rows.items():
            assert (row_label("nb", section, code), *numbers) in block, (section, code)
        # Every other row of the block is zero.
        assert sum(sum(r[1:]) for r in block) == sum(sum(n) for n in expected_rows.values())
    again, _, _ = await fetch(bot_url, link)
    assert again == 410


async def test_the_download_link_is_refused_when_expired(bot_url, connector, sessions, clock):
    await setting(sessions)
    replies = await Chat(bot_url, connector, aad_object_id=COORDINATOR).say("rapport 2026H1")
    link = download_url(the_card(replies))
    clock.at = NOW + timedelta(minutes=10)

    status, body, _ = await fetch(bot_url, link)

    assert status == 410
    assert "gått ut" in body.decode()


async def test_a_link_whose_expiry_was_moved_in_the_database_is_refused(
    bot_url, connector, sessions
):
    await setting(sessions)
    replies = await Chat(bot_url, connector, aad_object_id=COORDINATOR).say("rapport 2026H1")
    link = download_url(the_card(replies))
    async with sessions() as session, session.begin():
        await session.execute(update(DownloadToken).values(expires_at=NOW + timedelta(days=9)))

    status, _, _ = await fetch(bot_url, link)

    assert status == 404  # the signature covers the expiry


async def test_the_download_link_expires_within_minutes(bot_url, connector, sessions):
    await setting(sessions)
    await Chat(bot_url, connector, aad_object_id=COORDINATOR).say("rapport 2026H1")
    async with sessions() as session:
        token = (await session.execute(select(DownloadToken))).scalar_one()
    assert token.expires_at - NOW <= timedelta(minutes=15)
    assert (token.tenant_id, token.aad_object_id) == (TENANT, COORDINATOR)


async def test_an_altered_download_link_is_refused(bot_url, connector, sessions):
    await setting(sessions)
    replies = await Chat(bot_url, connector, aad_object_id=COORDINATOR).say("rapport 2026H1")
    link = download_url(the_card(replies))
    path, _, query = link.partition("?")
    flipped = path[:-1] + ("A" if path[-1] != "A" else "B")

    status, _, _ = await fetch(bot_url, f"{flipped}?{query}")
    unknown, _, _ = await fetch(bot_url, f"/reports/download/{new_id()}.abc?{query}")

    assert (status, unknown) == (404, 404)
    assert (await fetch(bot_url, link))[0] == 200  # the real one still works, once


async def test_a_link_made_for_one_person_does_not_serve_another(bot_url, connector, sessions):
    world = await setting(sessions)
    async with sessions() as session, session.begin():
        session.add(
            Membership(
                team_id=world.team, tenant_id=TENANT, aad_object_id="coord-2", role="coordinator"
            )
        )
    mine = download_url(
        the_card(await Chat(bot_url, connector, aad_object_id=COORDINATOR).say("rapport 2026H1"))
    )
    theirs = download_url(
        the_card(await Chat(bot_url, connector, aad_object_id="coord-2").say("rapport 2026H1"))
    )
    _my_id, my_signature = urlsplit(mine).path.rsplit("/", 1)[1].split(".")
    their_id = urlsplit(theirs).path.rsplit("/", 1)[1].split(".")[0]

    # Their token with my signature: the signature covers who the link is for.
    status, _, _ = await fetch(bot_url, f"/reports/download/{their_id}.{my_signature}")

    assert status == 404
    assert (await fetch(bot_url, theirs))[0] == 200


async def test_a_link_stops_working_when_its_person_loses_the_role(bot_url, connector, sessions):
    await setting(sessions)
    link = download_url(
        the_card(await Chat(bot_url, connector, aad_object_id=COORDINATOR).say("rapport 2026H1"))
    )
    async with sessions() as session, session.begin():
        await session.execute(delete(Membership).where(Membership.aad_object_id == COORDINATOR))

    status, body, _ = await fetch(bot_url, link)

    assert status == 403
    assert "ikke lenger tilgang" in body.decode()


async def test_marking_the_report_sent_freezes_it_and_stops_the_periods_reminders(
    bot_url, connector, sessions
):
    world = await setting(sessions)
    async with sessions() as session, session.begin():
        for key in (
            f"half_year:{world.team}:2026H1:14:{TENANT}:{COORDINATOR}",
            f"half_year:{world.team}:2026H2:30:{TENANT}:{COORDINATOR}",
        ):
            session.add(
                Reminder(
                    key=key,
                    tenant_id=TENANT,
                    kind="half_year",
                    due_at=NOW,
                    team_id=world.team,
                    payload={},
                )
            )
    coordinator = Chat(bot_url, connector, aad_object_id=COORDINATOR)
    card = the_card(await coordinator.say("rapport 2026H1"))

    replies = await coordinator.tap(
        find_action(
            {
                "attachments": [
                    {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
                ]
            },
            command="mark_submitted",
        )
    )

    assert "er markert som sendt" in said(replies)
    async with sessions() as session:
        sent = await session.get(ReportSubmission, (world.team, "2026H1"))
        states = dict((await session.execute(select(Reminder.key, Reminder.state))).all())
    assert sent is not None and sent.submitted_by_aad_object_id == COORDINATOR
    assert sent.report["period"] == "2026H1"
    assert {k.split(":")[2]: v for k, v in states.items()} == {
        "2026H1": "cancelled",
        "2026H2": "pending",
    }
    # A case registered late does not change what was sent.
    await add_late_case(sessions, world)
    again = the_card(await coordinator.say("rapport 2026H1"))
    facts = {f["title"]: f["value"] for e in elements(again["body"]) for f in e.get("facts", [])}
    assert facts["Meldinger mottatt"] == "6"
    assert "Markert som sendt til Bufdir" in str(again)
    assert "Marker som sendt" not in [a["title"] for a in again.get("actions", [])]
    twice = await coordinator.tap(
        {"tryggest": "stats", "command": "mark_submitted", "team": world.team, "period": "2026H1"}
    )
    assert "ble markert som sendt" in said(twice)


async def add_late_case(sessions: Any, world: Setting) -> None:
    async with sessions() as session, session.begin():
        session.add(
            Case(
                tenant_id=TENANT,
                municipality_id=world.moss,
                team_id=world.team,
                number="TE-2026-0999",
                draft_id=new_id(),
                consent_basis="consent",
                gender="female",
                age_band="80+",
                vulnerabilities=[],
                violence_types=[],
                perpetrator_relation="child",
                knowledge_source="saw",
                reporter_service="gp",
                reporter_tenant_id=TENANT,
                reporter_aad_object_id="r",
                personal=b"x",
                created_at=utc(2026, 3, 3, 3),
            )
        )


async def test_the_reminders_button_gives_the_report(bot_url, connector, sessions):
    world = await setting(sessions)
    coordinator = Chat(bot_url, connector, aad_object_id=COORDINATOR)

    # The data of the half-year reminder's "Lag rapporten" (cards/reminder_cards.py).
    replies = await coordinator.tap(
        {"tryggest": "stats", "team": world.team, "period": "2026H1", "command": "report"}
    )

    assert "Halvårsrapport for 1. halvår 2026" in said(replies)


async def test_a_period_not_over_cannot_be_marked_sent(bot_url, connector, sessions):
    world = await setting(sessions)
    coordinator = Chat(bot_url, connector, aad_object_id=COORDINATOR)

    card = the_card(await coordinator.say("rapport 2026H2"))
    replies = await coordinator.tap(
        {"tryggest": "stats", "command": "mark_submitted", "team": world.team, "period": "2026H2"}
    )

    assert "Tallene er slik de er nå" in str(card)
    assert "Marker som sendt" not in [a["title"] for a in card.get("actions", [])]
    assert "er ikke over ennå" in all_text(last(ours(replies)))
    async with sessions() as session:
        assert await session.get(ReportSubmission, (world.team, "2026H2")) is None


async def test_a_leader_gets_the_same_aggregates_but_cannot_mark_them_sent(
    bot_url, connector, sessions
):
    world = await setting(sessions)
    leader = Chat(bot_url, connector, aad_object_id=LEADER)

    card = the_card(await leader.say("rapport 2026H1"))
    forged = await leader.tap(
        {"tryggest": "stats", "command": "mark_submitted", "team": world.team, "period": "2026H1"}
    )

    facts = {f["title"]: f["value"] for e in elements(card["body"]) for f in e.get("facts", [])}
    assert facts["Meldinger mottatt"] == "6"
    assert "Marker som sendt" not in [a["title"] for a in card.get("actions", [])]
    assert "Bare TryggEst-koordinatoren" in all_text(last(ours(forged)))
    async with sessions() as session:
        assert await session.get(ReportSubmission, (world.team, "2026H1")) is None


async def test_a_leader_cannot_reach_a_case(bot_url, connector, sessions):
    await setting(sessions)
    leader = Chat(bot_url, connector, aad_object_id=LEADER)

    replies = await leader.say("vis TE-2026-0001")

    assert "fant ingen sak" in all_text(last(ours(replies)))


async def test_a_team_member_without_the_coordinator_role_gets_no_report(
    bot_url, connector, sessions
):
    world = await setting(sessions)
    member = Chat(bot_url, connector, aad_object_id=MEMBER)

    typed = await member.say("rapport 2026H1")
    forged = await member.tap(
        {"tryggest": "stats", "command": "report", "team": world.team, "period": "2026H1"}
    )

    for replies in (typed, forged):
        assert "er for TryggEst-koordinatoren og lederteamet" in all_text(last(ours(replies)))
        assert not cards_in(last(ours(replies)))
    async with sessions() as session:
        refused = (
            await session.execute(
                select(AccessLogEntry.action, AccessLogEntry.allowed).where(
                    AccessLogEntry.actor_aad_object_id == MEMBER
                )
            )
        ).all()
    assert refused == [("statistics.view", False), ("statistics.view", False)]


async def test_someone_with_two_teams_chooses_one(bot_url, connector, sessions):
    world = await setting(sessions)
    async with sessions() as session, session.begin():
        session.add(
            Membership(
                team_id=world.team, tenant_id=TENANT, aad_object_id=LEADER, role="coordinator"
            )
        )
    both = Chat(bot_url, connector, aad_object_id=LEADER)

    replies = await both.say("rapport 2026H1")
    choice = find_action(last(ours(replies)), command="report", team=world.team)
    chosen = await both.tap(choice)

    assert "Hvilket team" in all_text(last(ours(replies)))
    assert "TryggEst Moss og Råde" in said(chosen)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("rapport", "1. halvår 2026"),  # the last finished period on 28 November 2026
        ("rapport H2 2025", "2. halvår 2025"),
        ("halvårsrapport 1. halvår 2026", "1. halvår 2026"),
    ],
)
async def test_the_period_can_be_written_several_ways(
    bot_url, connector, sessions, typed, expected
):
    await setting(sessions)
    replies = await Chat(bot_url, connector, aad_object_id=COORDINATOR).say(typed)
    assert f"Halvårsrapport for {expected}" in said(replies)


async def test_a_period_that_is_not_one_is_explained(bot_url, connector, sessions):
    await setting(sessions)
    replies = await Chat(bot_url, connector, aad_object_id=COORDINATOR).say("rapport i fjor")
    assert "Jeg forstår ikke perioden" in all_text(last(ours(replies)))


async def test_english_report_alone_still_starts_a_report_of_a_concern(
    bot_url, connector, sessions
):
    await setting(sessions)
    replies = await Chat(bot_url, connector, aad_object_id=COORDINATOR, locale="en-US").say(
        "report"
    )
    assert asks(ours(replies), "acute")  # the report dialogue's first question
    assert "Is anyone in immediate danger" in all_text(last(ours(replies)))
    assert "Half-year" not in said(replies)
