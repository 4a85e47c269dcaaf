"""Network gatherings as Outlook events with a Teams meeting, through Microsoft Graph.

The bot signs in as itself (msal, client credentials) and writes to one organiser mailbox's
calendar with the application permission Calendars.ReadWrite. Event contents (titles, places,
agendas) never reach the log: a title may name a place or a person. Status codes, Graph's error
codes, request ids and event ids do.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import aiohttp
import msal

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

GRAPH_URL = "https://graph.microsoft.com/v1.0"
AUTHORITY_HOST = "https://login.microsoftonline.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
# Graph's throttling and its front door's transient failures; everything else is an answer.
RETRYABLE_STATUSES = frozenset({429, 503, 504})
# Outlook's ordinary ids change when an item moves between folders; immutable ids do not, and
# the id is kept in the gathering row for later updates and the cancellation.
PREFER_IMMUTABLE_IDS = 'IdType="ImmutableId"'


class GraphError(Exception):
    """Graph (or the token endpoint) said no. `status` is the HTTP status, 0 when no answer came
    from Graph at all (the token could not be had, or the network failed); `code` is Graph's
    error code (`ErrorAccessDenied`, `ErrorItemNotFound`, …) or msal's (`invalid_client`)."""

    def __init__(self, status: int, code: str, request_id: str | None = None) -> None:
        self.status = status
        self.code = code
        self.request_id = request_id
        detail = f"Microsoft Graph: {status} {code}" if status else f"Microsoft Graph: {code}"
        super().__init__(detail + (f" (request-id {request_id})" if request_id else ""))


class GraphConfigError(ValueError):
    """Some of the Graph settings are set and others are not."""


@dataclass(frozen=True)
class CalendarEvent:
    """A gathering as Outlook should show it. Times are aware datetimes in UTC."""

    title: str
    starts_at: datetime
    ends_at: datetime
    place: str | None = None
    agenda: str | None = None
    # E-mail addresses; Outlook sends each an invitation with the Teams link.
    attendees: Sequence[str] = ()
    # A series (Graph's patternedRecurrence): its times are then given in Oslo's wall clock, so
    # a meeting at 10.00 stays at 10.00 across summer time.
    recurrence: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        for name in ("starts_at", "ends_at"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() != timedelta(0):
                raise ValueError(f"CalendarEvent.{name} must be an aware datetime in UTC")
        if self.ends_at <= self.starts_at:
            raise ValueError("CalendarEvent.ends_at must be after starts_at")
        # A list given by the caller is kept as a tuple, so the event stays hashable and frozen.
        object.__setattr__(self, "attendees", tuple(self.attendees))


@dataclass(frozen=True)
class CreatedEvent:
    event_id: str
    # None when the mailbox could not give the event a Teams meeting (its calendar does not
    # allow teamsForBusiness); the event itself exists.
    join_url: str | None


class GraphSettings(Protocol):
    graph_tenant_id: str
    graph_client_id: str
    graph_client_secret: str
    graph_organiser_upn: str
    graph_base_url: str
    graph_authority: str


class GraphCalendar:
    """The organiser mailbox's calendar. One pooled aiohttp session; call `close()` at shutdown."""

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        organiser_upn: str,
        base_url: str = GRAPH_URL,
        authority: str | None = None,
        token_http_client: requests.Session | None = None,
        max_retries: int = 3,
        max_retry_after: float = 60.0,
        timeout: float = 30.0,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._authority = authority or f"{AUTHORITY_HOST}/{tenant_id}"
        # An authority given explicitly (a national cloud, a test's stand-in) is taken as it is:
        # msal would otherwise ask login.microsoftonline.com whether it knows the host.
        self._authority_given = authority is not None
        self._token_http_client = token_http_client
        self._events_url = f"{base_url.rstrip('/')}/users/{quote(organiser_upn, safe='@')}/events"
        self._max_retries = max_retries
        self._max_retry_after = max_retry_after
        self._timeout = timeout
        self._msal_app: msal.ConfidentialClientApplication | None = None
        self._token_lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def create_event(
        self, event: CalendarEvent, *, transaction_id: str | None = None
    ) -> CreatedEvent:
        """POST a new event with a Teams meeting. `transaction_id` lets Graph recognise a
        retried creation (a 504 may come after the event was made): pass something stable,
        such as the gathering's id, to be safe across restarts too."""
        body = {
            **_event_body(event),
            "isOnlineMeeting": True,
            "onlineMeetingProvider": "teamsForBusiness",
            "transactionId": transaction_id or uuid.uuid4().hex,
        }
        answer = await self._request("POST", self._events_url, body, action="create")
        event_id = str(answer["id"])
        join_url = (answer.get("onlineMeeting") or {}).get("joinUrl")
        if not join_url:
            log.warning("Graph event %s was made without a Teams meeting", event_id)
        log.info("Graph event %s created", event_id)
        return CreatedEvent(event_id=event_id, join_url=join_url)

    async def update_event(self, event_id: str, event: CalendarEvent) -> None:
        """PATCH the event's title, time, place, agenda and attendees; the Teams meeting stays.
        Outlook sends the attendees an update."""
        await self._request("PATCH", self._event_url(event_id), _event_body(event), action="update")
        log.info("Graph event %s updated", event_id)

    async def cancel_event(self, event_id: str, comment: str = "") -> None:
        """Cancel the event: Outlook tells the attendees (with `comment`) and removes it.
        An event already gone counts as cancelled, so a retried cancellation is harmless."""
        try:
            await self._request(
                "POST", self._event_url(event_id) + "/cancel", {"comment": comment}, action="cancel"
            )
        except GraphError as error:
            if error.status == 404 and error.code == "ErrorItemNotFound":
                log.info("Graph event %s was already gone", event_id)
                return
            raise
        log.info("Graph event %s cancelled", event_id)

    async def cancel_occurrence(
        self, event_id: str, starts_at: datetime, comment: str = ""
    ) -> bool:
        """Cancel the one meeting of a series that starts at `starts_at`; False when the
        series has none then (cancelled already, or the series is gone)."""
        window = {
            "startDateTime": (starts_at - timedelta(minutes=1)).isoformat(),
            "endDateTime": (starts_at + timedelta(minutes=1)).isoformat(),
        }
        try:
            answer = await self._request(
                "GET",
                self._event_url(event_id) + "/instances?" + urlencode(window),
                None,
                action="instances",
            )
        except GraphError as error:
            if error.status == 404:
                return False
            raise
        for instance in answer.get("value") or []:
            await self.cancel_event(str(instance["id"]), comment)
            return True
        return False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> GraphCalendar:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    def _event_url(self, event_id: str) -> str:
        return f"{self._events_url}/{quote(event_id, safe='')}"

    async def _request(
        self, method: str, url: str, body: dict[str, Any] | None, *, action: str
    ) -> dict[str, Any]:
        token = await self._access_token()
        session = self._pooled_session()
        headers = {"Authorization": f"Bearer {token}", "Prefer": PREFER_IMMUTABLE_IDS}
        attempt = 0
        while True:
            try:
                async with session.request(method, url, json=body, headers=headers) as response:
                    request_id = response.headers.get("request-id")
                    if response.status < 300:
                        # 202 (cancel) and 204 come without a body.
                        text = await response.text()
                        answer: dict[str, Any] = json.loads(text) if text.strip() else {}
                        return answer
                    error = GraphError(response.status, await _error_code(response), request_id)
                    retry_after = _retry_after(response.headers.get("Retry-After"))
            except (aiohttp.ClientError, TimeoutError) as failure:
                error = GraphError(0, f"network: {type(failure).__name__}")
                retry_after = None
            retryable = error.status in RETRYABLE_STATUSES or error.status == 0
            if not retryable or attempt >= self._max_retries:
                log.warning(
                    "Graph %s failed: %s %s (request-id %s, after %d attempts)",
                    action,
                    error.status,
                    error.code,
                    error.request_id,
                    attempt + 1,
                )
                raise error
            delay = retry_after if retry_after is not None else _backoff(attempt)
            if delay > self._max_retry_after:
                log.warning("Graph %s: asked to wait %.0f s; giving up for now", action, delay)
                raise error
            log.info("Graph %s: %s %s, retrying in %.1f s", action, error.status, error.code, delay)
            await asyncio.sleep(delay)
            attempt += 1

    def _pooled_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        return self._session

    async def _access_token(self) -> str:
        # msal is synchronous (requests) and keeps the token in its cache until shortly before
        # it expires, so most calls here return without touching the network. The lock keeps
        # concurrent first calls from each fetching a token.
        async with self._token_lock:
            result = await asyncio.to_thread(self._acquire_token)
        token = result.get("access_token")
        if not token:
            code = str(result.get("error") or "no_access_token")
            log.warning("Graph token refused: %s", code)
            raise GraphError(0, code)
        return str(token)

    def _acquire_token(self) -> dict[str, Any]:
        try:
            if self._msal_app is None:
                # Made here, in the worker thread: msal fetches the authority's OpenID
                # configuration when it is constructed.
                self._msal_app = msal.ConfidentialClientApplication(
                    self._client_id,
                    client_credential=self._client_secret,
                    authority=self._authority,
                    http_client=self._token_http_client,
                    timeout=self._timeout,
                    instance_discovery=not self._authority_given,
                    validate_authority=not self._authority_given,
                )
            result: dict[str, Any] = self._msal_app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except (OSError, ValueError) as failure:  # requests' errors are OSErrors
            log.warning("Graph token endpoint unreachable: %s", type(failure).__name__)
            return {"error": "token_endpoint_unreachable"}
        return result


def graph_calendar_from_settings(
    settings: GraphSettings, *, token_http_client: requests.Session | None = None
) -> GraphCalendar | None:
    """The calendar when Graph is configured, None when none of it is. Half a configuration is
    an error rather than a quiet None: gatherings would lose their Teams meetings unnoticed."""
    required = {
        "TRYGGEST_GRAPH_TENANT_ID": settings.graph_tenant_id,
        "TRYGGEST_GRAPH_CLIENT_ID": settings.graph_client_id,
        "TRYGGEST_GRAPH_CLIENT_SECRET": settings.graph_client_secret,
        "TRYGGEST_GRAPH_ORGANISER_UPN": settings.graph_organiser_upn,
    }
    missing = [name for name, value in required.items() if not value]
    if len(missing) == len(required):
        return None
    if missing:
        raise GraphConfigError("Microsoft Graph is half configured; missing: " + ", ".join(missing))
    return GraphCalendar(
        tenant_id=settings.graph_tenant_id,
        client_id=settings.graph_client_id,
        client_secret=settings.graph_client_secret,
        organiser_upn=settings.graph_organiser_upn,
        base_url=settings.graph_base_url or GRAPH_URL,
        authority=settings.graph_authority or None,
        token_http_client=token_http_client,
    )


def _event_body(event: CalendarEvent) -> dict[str, Any]:
    time_of = _local_time if event.recurrence else _graph_time
    body: dict[str, Any] = {
        "subject": event.title,
        "body": {"contentType": "text", "content": event.agenda or ""},
        # UTC rather than Europe/Oslo: Graph accepts Windows zone names and a short list of IANA
        # names that leaves Oslo out; Outlook shows the time in each reader's own zone anyway.
        # A series is the exception: its meetings keep Oslo's wall clock.
        "start": time_of(event.starts_at),
        "end": time_of(event.ends_at),
        "location": {"displayName": event.place or ""},
        "attendees": [
            {"emailAddress": {"address": address}, "type": "required"}
            for address in event.attendees
        ],
    }
    if event.recurrence:
        body["recurrence"] = dict(event.recurrence)
    return body


# Windows' name for the zone Oslo is in (Graph takes these, not "Europe/Oslo").
OSLO_WINDOWS_ZONE = "W. Europe Standard Time"


def _local_time(moment: datetime) -> dict[str, str]:
    local = moment.astimezone(ZoneInfo("Europe/Oslo")).replace(tzinfo=None)
    return {"dateTime": local.isoformat(timespec="seconds"), "timeZone": OSLO_WINDOWS_ZONE}


def _graph_time(moment: datetime) -> dict[str, str]:
    return {
        "dateTime": moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "timeZone": "UTC",
    }


async def _error_code(response: aiohttp.ClientResponse) -> str:
    """Graph's `{"error": {"code": …}}`; only the code is kept (messages may quote contents)."""
    try:
        answer = await response.json(content_type=None)
        code = answer["error"]["code"]
    except (ValueError, KeyError, TypeError, aiohttp.ClientError):
        return response.reason or "unknown"
    return str(code)


def _retry_after(value: str | None) -> float | None:
    """Graph gives Retry-After in seconds."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _backoff(attempt: int) -> float:
    return min(30.0, 2.0**attempt) * random.uniform(0.5, 1.0)
