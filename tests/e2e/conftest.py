"""Fixtures the end-to-end tests share: Microsoft Graph's stand-in and a bot configured for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.bot.fake_graph import CLIENT_ID, CLIENT_SECRET, TENANT_ID, FakeGraph, FakeTokenEndpoint
from tests.conftest import start_bot


@pytest.fixture
async def graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeGraph]:
    tokens = FakeTokenEndpoint(tmp_path)
    await tokens.start()
    fake = FakeGraph(tokens)
    await fake.start()
    # msal talks to the token endpoint through requests, which trusts REQUESTS_CA_BUNDLE: here
    # the test's own certificate, as a deployment's would be its CA bundle.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tokens.cert_file))
    yield fake
    await fake.stop()
    await tokens.stop()


@pytest.fixture
async def graph_bot(engine: Any, database_url: str, graph: FakeGraph) -> AsyncIterator[Any]:
    server = await start_bot(
        database_url,
        TRYGGEST_GRAPH_TENANT_ID=TENANT_ID,
        TRYGGEST_GRAPH_CLIENT_ID=CLIENT_ID,
        TRYGGEST_GRAPH_CLIENT_SECRET=CLIENT_SECRET,
        TRYGGEST_GRAPH_ORGANISER_UPN=graph.organiser_upn,
        TRYGGEST_GRAPH_BASE_URL=graph.base_url,
        TRYGGEST_GRAPH_AUTHORITY=graph.tokens.authority,
    )
    yield server
    await server.close()
