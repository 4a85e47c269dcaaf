"""Training cases through /api/messages (SQLite and PostgreSQL): "øvelsessak" in a person's own
chat, posting it in a team's channel, "@TryggEst øvelsessak" answered in a channel thread, and
the optional text service: never called unless the operator turns it on, and then given the
fictional case only."""

from __future__ import annotations

import asyncio
import re
import tomllib
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import event, select

from bot.app import ENGINE_KEY, HOUSEKEEPING_TASK, OUTBOX_TASK
from cards.texts import text
from domain.training import generate
from storage.models import TrainingCase
from storage.org_config import apply_config, parse_config
from tests.conftest import remind, start_bot
from tests.e2e.channel import (
    CHANNEL_ID,
    COORDINATOR,
    Channel,
    member_chat,
    moss_with_channel,
)
from tests.e2e.test_channel_guard import CONFIG, channel_message
from tests.e2e.test_channel_guard import COORDINATOR as GUARD_COORDINATOR
from tests.e2e.test_experiences import NOW
from tests.support import Chat, all_text, cards_in, find_action


def card_text(replies: list[dict[str, Any]]) -> str:
    with_cards = [r for r in replies if cards_in(r)]
    assert with_cards, replies
    return all_text(with_cards[-1])


async def test_a_training_case_is_marked_fictional_and_asks_the_reflection_questions(
    bot_server, bot_url, connector, sessions
):
    await moss_with_channel(sessions)

    shown = card_text(await member_chat(bot_url, connector, COORDINATOR).say("øvelsessak"))

    assert "FIKTIV SAK" in shown
    assert "koordinator, veiviser eller døråpner" in shown and "taushetsplikten" in shown


async def test_making_a_training_case_reads_no_case_table(bot_server, bot_url, connector, sessions):
    await moss_with_channel(sessions)
    chat = member_chat(bot_url, connector, COORDINATOR)
    await chat.say("hei")
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The bot's own background work (retention, the monthly access review) reads cases
        # whenever it wakes: not part of making a training case.
        task = asyncio.current_task()
        if task is None or task.get_name() not in (HOUSEKEEPING_TASK, OUTBOX_TASK):
            statements.append(statement)

    engine = bot_server.app[ENGINE_KEY].sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        await chat.say("øvelsessak")
        await chat.say("øvelsessak")
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert statements
    assert not [s for s in statements if re.search(r"\b(cases|case_events)\b", s)]


async def test_another_case_is_a_different_case(bot_server, bot_url, connector, sessions):
    await moss_with_channel(sessions)
    chat = member_chat(bot_url, connector, COORDINATOR)
    first = await chat.say("øvelsessak")

    second = await chat.tap(find_action(first[-1], command="new"))

    assert card_text(first) != card_text(second)


async def test_a_chosen_situation_and_violence_are_kept(bot_server, bot_url, connector, sessions):
    await moss_with_channel(sessions)
    chat = member_chat(bot_url, connector, COORDINATOR)
    first = await chat.say("øvelsessak")
    make = {"tryggest": "training", "command": "new"}

    shown = card_text(await chat.tap(make, situation="nursing_home", violence="financial"))

    assert "Beboer på sykehjem – økonomiske overgrep" in shown
    assert first


async def test_a_member_posts_it_in_the_team_channel_once(bot_server, bot_url, connector, sessions):
    await moss_with_channel(sessions)
    channel = Channel(bot_url, connector)
    assert await channel.add_bot() < 300
    chat = member_chat(bot_url, connector, COORDINATOR)
    shown = await chat.say("øvelsessak")
    share = find_action(shown[-1], command="share")

    told = all_text((await chat.tap(share))[-1])
    await remind(bot_server, NOW)
    again = all_text((await chat.tap(share))[-1])
    await remind(bot_server, NOW)

    assert "kommer i kanalen til TryggEst-teamet i Moss" in told
    posts = [p for p in channel.posts() if p["_conversation"] == CHANNEL_ID]
    assert len(posts) == 1
    posted = all_text(posts[0]["activity"])
    assert "FIKTIV SAK" in posted and "Svar i tråden" in posted
    assert "allerede delt" in again


async def test_forged_share_presses_get_a_plain_answer(bot_server, bot_url, connector, sessions):
    await moss_with_channel(sessions)
    chat = member_chat(bot_url, connector, COORDINATOR)
    share = find_action((await chat.say("øvelsessak"))[-1], command="share")

    other_team = all_text((await chat.tap({**share, "team": "f" * 32}))[-1])
    garbled = all_text((await chat.tap({**share, "training": "../etc"}))[-1])
    someone_elses = all_text((await member_chat(bot_url, connector, "moss-member").tap(share))[-1])

    assert "et team du er med i" in other_team
    assert garbled == text("nb", "unknown_action")
    assert "finner ikke denne øvelsessaken" in someone_elses


async def test_asked_for_in_a_channel_it_is_answered_in_that_thread(
    bot_server, bot_url, connector, sessions
):
    await apply_config(sessions, parse_config(tomllib.loads(CONFIG)))
    chat = Chat(bot_url, connector)
    asked = channel_message(connector, "øvelsessak", mention=True, sender=GUARD_COORDINATOR)

    sent = await chat.post(asked)
    stranger = await chat.post(
        channel_message(connector, "øvelsessak", mention=True, sender="not-in-the-team")
    )

    replies = [r for r in sent if r.get("replyToId") == asked["id"]]
    assert len(replies) == 1 and "FIKTIV SAK" in all_text(replies[0])
    assert "Svar i tråden" in all_text(replies[0])
    assert "et team du er med i" in all_text(stranger[-1])


# --- the optional text service ------------------------------------------------------------------


class FakeTextService:
    """An OpenAI-style chat-completions endpoint that records what it is sent."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.server: TestServer | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/chat/completions", self._answer)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return str(self.server.make_url("/chat/completions"))

    async def _answer(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        reworded = "Omskrevet av teksttjenesten: en fiktiv sak."
        return web.json_response({"choices": [{"message": {"content": reworded}}]})


async def test_the_text_service_is_not_called_unless_turned_on(
    engine, database_url, connector, sessions
):
    await moss_with_channel(sessions)
    service = FakeTextService()
    url = await service.start()
    bot = await start_bot(
        database_url, TRYGGEST_TRAINING_TEXT_URL=url, TRYGGEST_TRAINING_TEXT_KEY="k"
    )
    try:
        chat = member_chat(str(bot.make_url("")).rstrip("/"), connector, COORDINATOR)
        shown = card_text(await chat.say("øvelsessak"))
    finally:
        await bot.close()
        assert service.server is not None
        await service.server.close()

    assert service.requests == []
    assert "FIKTIV SAK" in shown and "Omskrevet" not in shown


async def test_turned_on_the_text_service_gets_the_fictional_case_only(
    engine, database_url, connector, sessions
):
    await moss_with_channel(sessions)
    service = FakeTextService()
    url = await service.start()
    bot = await start_bot(
        database_url,
        TRYGGEST_TRAINING_TEXT="true",
        TRYGGEST_TRAINING_TEXT_URL=url,
        TRYGGEST_TRAINING_TEXT_KEY="k",
    )
    try:
        chat = member_chat(str(bot.make_url("")).rstrip("/"), connector, COORDINATOR)
        shown = card_text(await chat.say("øvelsessak"))
    finally:
        await bot.close()
        assert service.server is not None
        await service.server.close()

    async with sessions() as session:
        row = (await session.execute(select(TrainingCase))).scalar_one()
    made = generate(row.seed, row.situation, row.violence, row.barrier)
    assert len(service.requests) == 1
    sent = service.requests[0]["messages"][-1]["content"]
    assert sent == f"{made.title}\n\n{made.narrative}"
    assert "Omskrevet av teksttjenesten" in shown and "FIKTIV SAK" in shown
