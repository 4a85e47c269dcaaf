"""GET /readyz: ready only when the database answers and the data keys read it; /healthz stays
the liveness probe. A start with keys that cannot read the database does not happen at all."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest

from storage.crypto import FieldCipher, parse_keys
from storage.data_keys import KeyCheckFailed, verify_data_keys
from tests.conftest import DATA_KEY, start_bot

NEWER = "k2:" + base64.urlsafe_b64encode(b"2" * 32).decode()


async def get(server: Any, path: str) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(str(server.make_url(path))) as response,
    ):
        return response.status, await response.json()


async def test_ready_when_the_database_answers_and_the_keys_read_it(bot_server):
    assert await get(bot_server, "/readyz") == (
        200,
        {"status": "ready", "database": "ok", "keys": "ok"},
    )


async def test_not_ready_when_another_instance_seals_with_a_key_this_one_lacks(
    bot_server, sessions
):
    # Another instance started with a newer key first; this one still has the old key alone.
    await verify_data_keys(sessions, FieldCipher(parse_keys(f"{NEWER},{DATA_KEY}")))

    status, body = await get(bot_server, "/readyz")

    assert (status, body["keys"]) == (503, "needs data key k2")
    assert NEWER.split(":")[1] not in str(body)
    assert (await get(bot_server, "/healthz"))[0] == 200


async def test_not_ready_while_the_database_does_not_answer(tmp_path, database_url):
    unreachable = (
        f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'tryggest.db'}"
        if database_url.startswith("sqlite")
        else "postgresql://postgres@127.0.0.1:9/tryggest"
    )
    server = await start_bot(unreachable)
    try:
        status, body = await get(server, "/readyz")
    finally:
        await server.close()

    assert status == 503 and body["status"] == "unavailable"
    assert body["database"] not in ("", "ok")


async def test_the_application_does_not_start_with_another_key_under_a_known_id(
    engine, database_url, sessions
):
    await verify_data_keys(sessions, FieldCipher(parse_keys(DATA_KEY)))
    other = DATA_KEY.split(":")[0] + ":" + base64.urlsafe_b64encode(b"x" * 32).decode()

    with pytest.raises(KeyCheckFailed):
        await start_bot(database_url, TRYGGEST_DATA_KEYS=other)
