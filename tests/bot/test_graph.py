"""Gatherings as Outlook events with a Teams meeting: the calendar against a local Graph and a
local token endpoint (HTTPS, for msal), both over real sockets."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.config import Settings
from bot.graph import (
    CalendarEvent,
    GraphCalendar,
    GraphConfigError,
    GraphError,
    graph_calendar_from_settings,
)
from tests.bot.fake_graph import (
    CLIENT_ID,
    CLIENT_SECRET,
    GRAPH_SCOPE,
    TENANT_ID,
    FakeGraph,
    FakeTokenEndpoint,
)

GATHERING = CalendarEvent(
    title="Nettverkssamling Vestfold",
    starts_at=datetime(2026, 11, 28, 13, 0, tzinfo=UTC),
    ends_at=datetime(2026, 11, 28, 15, 30, tzinfo=UTC),
    place="Rådhuset, møterom 3",
    agenda="1. Velkommen\n2. Erfaringsdeling",
    attendees=["kari@larvik.example", "ola@sandefjord.example"],
)
GRAPH_ENV = [
    "TRYGGEST_GRAPH_TENANT_ID",
    "TRYGGEST_GRAPH_CLIENT_ID",
    "TRYGGEST_GRAPH_CLIENT_SECRET",
    "TRYGGEST_GRAPH_ORGANISER_UPN",
    "TRYGGEST_GRAPH_BASE_URL",
    "TRYGGEST_GRAPH_AUTHORITY",
]


@pytest.fixture
async def tokens(tmp_path: Path) -> AsyncIterator[FakeTokenEndpoint]:
    endpoint = FakeTokenEndpoint(tmp_path)
    await endpoint.start()
    yield endpoint
    await endpoint.stop()


@pytest.fixture
async def graph(tokens: FakeTokenEndpoint) -> AsyncIterator[FakeGraph]:
    fake = FakeGraph(tokens)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def msal_http(tokens: FakeTokenEndpoint) -> Iterator[requests.Session]:
    session = tokens.http_client()
    yield session
    session.close()


@pytest.fixture
def no_graph_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GRAPH_ENV:
        monkeypatch.delenv(name, raising=False)


def settings_for(graph: FakeGraph, **overrides: str) -> Settings:
    values: dict[str, Any] = {
        "TRYGGEST_GRAPH_TENANT_ID": TENANT_ID,
        "TRYGGEST_GRAPH_CLIENT_ID": CLIENT_ID,
        "TRYGGEST_GRAPH_CLIENT_SECRET": CLIENT_SECRET,
        "TRYGGEST_GRAPH_ORGANISER_UPN": graph.organiser_upn,
        "TRYGGEST_GRAPH_BASE_URL": graph.base_url,
        "TRYGGEST_GRAPH_AUTHORITY": graph.tokens.authority,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def calendar(
    graph: FakeGraph, msal_http: requests.Session, no_graph_env: None
) -> AsyncIterator[GraphCalendar]:
    made = graph_calendar_from_settings(settings_for(graph), token_http_client=msal_http)
    assert made is not None
    yield made
    await made.close()


async def test_creating_an_event_posts_it_with_a_teams_meeting_and_returns_the_join_url(
    calendar: GraphCalendar, graph: FakeGraph, tokens: FakeTokenEndpoint
):
    created = await calendar.create_event(GATHERING, transaction_id="gathering-42")

    [request] = graph.requests
    assert request.method == "POST"
    assert request.path == "/v1.0/users/samling@kommune.example/events"
    assert request.headers["Authorization"] == f"Bearer {tokens.current_token}"
    assert request.headers["Prefer"] == 'IdType="ImmutableId"'
    assert request.body == {
        "subject": "Nettverkssamling Vestfold",
        "body": {"contentType": "text", "content": "1. Velkommen\n2. Erfaringsdeling"},
        "start": {"dateTime": "2026-11-28T13:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-28T15:30:00", "timeZone": "UTC"},
        "location": {"displayName": "Rådhuset, møterom 3"},
        "attendees": [
            {"emailAddress": {"address": "kari@larvik.example"}, "type": "required"},
            {"emailAddress": {"address": "ola@sandefjord.example"}, "type": "required"},
        ],
        "isOnlineMeeting": True,
        "onlineMeetingProvider": "teamsForBusiness",
        "transactionId": "gathering-42",
    }
    stored = graph.events[created.event_id]
    assert created.join_url is not None
    assert created.join_url == stored["onlineMeeting"]["joinUrl"]
    assert created.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")


async def test_the_token_comes_from_the_client_credentials_grant_for_graph(
    calendar: GraphCalendar, tokens: FakeTokenEndpoint
):
    await calendar.create_event(GATHERING)

    [form] = tokens.token_requests
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == CLIENT_ID
    assert form["scope"] == GRAPH_SCOPE


async def test_updating_an_event_patches_it_in_place(calendar: GraphCalendar, graph: FakeGraph):
    created = await calendar.create_event(GATHERING)
    moved = CalendarEvent(
        title=GATHERING.title,
        starts_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 11, 0, tzinfo=UTC),
        place="Biblioteket",
        agenda=GATHERING.agenda,
    )

    await calendar.update_event(created.event_id, moved)

    request = graph.requests[-1]
    assert request.method == "PATCH"
    assert request.path == f"/v1.0/users/samling@kommune.example/events/{created.event_id}"
    assert request.body["start"] == {"dateTime": "2026-12-03T09:00:00", "timeZone": "UTC"}
    assert request.body["location"] == {"displayName": "Biblioteket"}
    assert "isOnlineMeeting" not in request.body
    assert graph.events[created.event_id]["onlineMeeting"]["joinUrl"] == created.join_url


async def test_cancelling_an_event_posts_to_cancel_with_the_comment(
    calendar: GraphCalendar, graph: FakeGraph
):
    created = await calendar.create_event(GATHERING)

    await calendar.cancel_event(created.event_id, "Samlingen er avlyst.")

    request = graph.requests[-1]
    assert request.method == "POST"
    assert request.path == f"/v1.0/users/samling@kommune.example/events/{created.event_id}/cancel"
    assert request.body == {"comment": "Samlingen er avlyst."}
    assert created.event_id not in graph.events


async def test_cancelling_an_event_already_gone_is_not_an_error(
    calendar: GraphCalendar, graph: FakeGraph
):
    created = await calendar.create_event(GATHERING)
    await calendar.cancel_event(created.event_id, "Avlyst.")

    await calendar.cancel_event(created.event_id, "Avlyst.")

    assert [r.method for r in graph.requests] == ["POST", "POST", "POST"]


async def test_a_429_with_retry_after_is_retried_and_then_succeeds(
    calendar: GraphCalendar, graph: FakeGraph
):
    graph.fail_next(429, "ApplicationThrottled", retry_after="0")

    created = await calendar.create_event(GATHERING, transaction_id="gathering-42")

    assert len(graph.requests) == 2
    assert graph.requests[0].body == graph.requests[1].body  # same transactionId both times
    assert list(graph.events) == [created.event_id]


async def test_retries_are_bounded(graph: FakeGraph, msal_http: requests.Session):
    calendar = GraphCalendar(
        tenant_id=TENANT_ID,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        organiser_upn=graph.organiser_upn,
        base_url=graph.base_url,
        authority=graph.tokens.authority,
        token_http_client=msal_http,
        max_retries=2,
    )
    for _ in range(5):
        graph.fail_next(503, "ServiceUnavailable", retry_after="0")

    with pytest.raises(GraphError) as raised:
        await calendar.create_event(GATHERING)
    await calendar.close()

    assert (raised.value.status, raised.value.code) == (503, "ServiceUnavailable")
    assert len(graph.requests) == 3


async def test_a_403_raises_graph_error_without_retrying(calendar: GraphCalendar, graph: FakeGraph):
    graph.fail_next(403, "ErrorAccessDenied")

    with pytest.raises(GraphError) as raised:
        await calendar.create_event(GATHERING)

    assert raised.value.status == 403
    assert raised.value.code == "ErrorAccessDenied"
    assert raised.value.request_id
    assert len(graph.requests) == 1


async def test_the_token_is_fetched_once_for_several_calls(
    calendar: GraphCalendar, tokens: FakeTokenEndpoint
):
    created = await calendar.create_event(GATHERING)
    await calendar.create_event(GATHERING)
    await calendar.update_event(created.event_id, GATHERING)
    await calendar.cancel_event(created.event_id, "Avlyst.")

    assert len(tokens.token_requests) == 1


async def test_a_refused_client_secret_raises_graph_error_before_graph_is_called(
    graph: FakeGraph, msal_http: requests.Session, no_graph_env: None
):
    settings = settings_for(graph, TRYGGEST_GRAPH_CLIENT_SECRET="wrong")
    calendar = graph_calendar_from_settings(settings, token_http_client=msal_http)
    assert calendar is not None

    with pytest.raises(GraphError) as raised:
        await calendar.create_event(GATHERING)
    await calendar.close()

    assert (raised.value.status, raised.value.code) == (0, "invalid_client")
    assert graph.requests == []


async def test_event_contents_never_reach_the_log(
    calendar: GraphCalendar, graph: FakeGraph, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    created = await calendar.create_event(GATHERING)
    await calendar.update_event(created.event_id, GATHERING)
    graph.fail_next(403, "ErrorAccessDenied")
    with pytest.raises(GraphError):
        await calendar.cancel_event(created.event_id, "Avlyst på grunn av sykdom.")

    assert created.event_id in caplog.text
    for secret in ("Vestfold", "Rådhuset", "Erfaringsdeling", "kari@", "sykdom"):
        assert secret not in caplog.text


def test_settings_without_graph_give_no_calendar(no_graph_env: None):
    assert graph_calendar_from_settings(Settings(_env_file=None)) is None  # type: ignore[call-arg]


def test_half_a_graph_configuration_is_refused(no_graph_env: None):
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        TRYGGEST_GRAPH_TENANT_ID=TENANT_ID,
        TRYGGEST_GRAPH_CLIENT_ID=CLIENT_ID,
    )

    with pytest.raises(GraphConfigError, match="TRYGGEST_GRAPH_CLIENT_SECRET"):
        graph_calendar_from_settings(settings)


def test_a_calendar_event_needs_utc_times():
    with pytest.raises(ValueError, match="UTC"):
        CalendarEvent(
            title="Samling",
            starts_at=datetime(2026, 11, 28, 13, 0),
            ends_at=datetime(2026, 11, 28, 15, 0),
        )
