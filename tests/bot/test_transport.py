"""bot/transport.py: the connector clients the SDK's adapter and our sends use, kept per service
URL across turns and closed only when the bot stops; against the stand-in Bot Connector."""

from __future__ import annotations

from typing import Any

import pytest
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ClaimsIdentity

from bot.transport import BadServiceUrl, TeamsClients, service_url_problem


async def turn_client(clients: TeamsClients, service_url: str) -> Any:
    """The client the adapter asks for at the start of a turn, and "closes" at its end."""
    client = await clients.create_connector_client(
        None, ClaimsIdentity(), service_url, "https://api.botframework.com"
    )
    await client.close()
    return client


async def test_every_turn_to_one_service_url_gets_the_same_open_client(connector):
    clients = TeamsClients()
    try:
        first = await turn_client(clients, connector.url)
        second = await turn_client(clients, connector.url)

        assert first is second
        sent = await second.conversations.send_to_conversation(
            "a:chat", Activity(type="message", text="hei")
        )
        assert sent.id and connector.received[-1]["text"] == "hei"
    finally:
        await clients.close()


async def test_another_service_url_gets_a_client_of_its_own(connector):
    clients = TeamsClients()
    try:
        emea = await clients.client(connector.url)
        other = await clients.client(connector.url.rstrip("/") + "/amer/")

        assert emea is not other
        assert other.base_uri.endswith("/amer/")
    finally:
        await clients.close()


async def test_a_stopped_bot_closes_its_clients(connector):
    clients = TeamsClients()
    client = await clients.client(connector.url)

    await clients.close()

    assert client.client.closed


async def test_without_a_token_provider_no_authorization_is_sent(connector):
    clients = TeamsClients()
    try:
        client = await clients.client(connector.url)
        await client.conversations.send_to_conversation(
            "a:chat", Activity(type="message", text="hei")
        )
    finally:
        await clients.close()

    assert connector.authorizations == [None]


@pytest.mark.parametrize(
    "service_url",
    ["javascript:alert(1)", "/v3/conversations", "ftp://smba.example/", "https://", "not a url"],
)
async def test_no_client_is_made_for_what_is_not_an_http_service_url(service_url):
    clients = TeamsClients()
    try:
        with pytest.raises(BadServiceUrl):
            await clients.client(service_url)
    finally:
        await clients.close()


@pytest.mark.parametrize(
    "service_url",
    [
        "https://smba.trafficmanager.net/emea/",
        "https://smba.trafficmanager.net/amer",
        "http://127.0.0.1:3979/",
    ],
)
def test_teams_service_urls_are_taken(service_url):
    assert service_url_problem(service_url) is None
